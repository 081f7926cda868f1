"""KPI C3 (training compliance) and C4 (certified technicians) on hand-built data (the scorecard: test_scorecard)."""

from datetime import date
from decimal import Decimal

import pytest

from core.dates import days_bounds, month_bounds
from core.indicators import Measure, Rate
from core.tests.helpers import sh
from repairs.choices import FaultCategory
from staff import kpis, selectors
from staff.choices import CertificateKind, Position, TrainingResult
from staff.models import StaffProfile, TrainingRequirement
from staff.rules import required_hours_to_date
from staff.tests.factories import at, certificate, job, order, person, trained

pytestmark = pytest.mark.django_db
JUNE_30 = date(2026, 6, 30)


def test_required_hours_rule():
    # 181 of 365 days of 2026 have passed on 30 June: 40 h × 0.4959 = 19.8 h.
    assert required_hours_to_date(Decimal("40"), date(2019, 5, 5), JUNE_30) == Decimal("19.8")
    # Hired 15 April: counted from 1 May, 61 days → 40 × 0.1671 = 6.7 h.
    assert required_hours_to_date(Decimal("40"), date(2026, 4, 15), JUNE_30) == Decimal("6.7")
    # Hired on the 1st: counted from that day.
    assert required_hours_to_date(Decimal("40"), date(2026, 6, 1), JUNE_30) == Decimal("3.3")
    # Hired in the current month after the 1st: nothing due yet.
    assert required_hours_to_date(Decimal("40"), date(2026, 6, 20), JUNE_30) == Decimal("0.0")
    assert required_hours_to_date(Decimal("40"), date(2020, 1, 1), date(2026, 12, 31)) == Decimal("40.0")


def test_training_compliance_c3_exact(dealer_a, dealer_b):
    ok_tech = person(dealer_a, Position.TECHNICIAN, hire_date=date(2020, 1, 1))
    trained(ok_tech, 12, date(2026, 2, 1))
    trained(ok_tech, 8, date(2026, 6, 30))
    short_tech = person(dealer_a, Position.TECHNICIAN, hire_date=date(2020, 1, 1))
    trained(short_tech, "19.5", date(2026, 3, 1))
    trained(short_tech, 8, date(2026, 4, 1), result=TrainingResult.FAILED)  # failed: does not count
    trained(short_tech, 8, date(2025, 12, 31))  # last year
    trained(short_tech, 8, date(2026, 7, 1))  # after the evaluation day
    advisor = person(dealer_a, Position.SERVICE_ADVISOR, hire_date=date(2021, 1, 1))
    TrainingRequirement.objects.create(dealer=dealer_a, position=Position.SERVICE_ADVISOR, yearly_hours=20)
    trained(advisor, 10, date(2026, 5, 1), result=TrainingResult.ATTENDED)  # due 20 × 0.4959 = 9.9
    new_qc = person(dealer_a, Position.QC_INSPECTOR, hire_date=date(2026, 4, 15))
    trained(new_qc, 6, date(2026, 5, 2))  # due 6.7
    person(dealer_a, Position.PARTS_CLERK, hire_date=date(2026, 6, 20))  # nothing due yet
    person(dealer_a, Position.TECHNICIAN, hire_date=date(2020, 1, 1), leave_date=date(2026, 5, 31))  # left
    person(dealer_a, Position.TECHNICIAN, hire_date=date(2026, 7, 5))  # not yet hired
    # Dealer B's own requirement does not apply at A.
    TrainingRequirement.objects.create(dealer=dealer_b, position=Position.TECHNICIAN, yearly_hours=1)

    result = kpis.compliance_on([dealer_a.pk, dealer_b.pk], JUNE_30)

    assert result == {dealer_a.pk: Measure(dealer_a.pk, 60.0, 3, 5, 5), dealer_b.pk: Measure.no_data(dealer_b.pk)}
    rows = {
        p.pk: (p.training_hours, p.required_hours, p.training_ok)
        for p in selectors.annotate_training(StaffProfile.objects.all(), as_of=JUNE_30)
    }
    assert rows[ok_tech.pk] == (Decimal("20.0"), Decimal("19.8"), True)
    assert rows[short_tech.pk] == (Decimal("19.5"), Decimal("19.8"), False)
    assert rows[advisor.pk] == (Decimal("10.0"), Decimal("9.9"), True)
    assert rows[new_qc.pk] == (Decimal("6.0"), Decimal("6.7"), False)


def test_c3_with_no_staff_is_no_data(dealer_a):
    assert kpis.compliance_on([dealer_a.pk], JUNE_30) == {dealer_a.pk: Measure(dealer_a.pk, None, 0, 0, 0)}
    assert Rate(0, 0).percent_decimal() is None


def test_certified_technicians_c4_exact(dealer_a, dealer_b, advisor_a):
    may = (date(2026, 5, 1), date(2026, 5, 31))
    ro = order(dealer_a, advisor_a, arrived=at(date(2026, 5, 1)))
    ev = order(dealer_a, advisor_a, arrived=at(date(2026, 5, 1)), fault=FaultCategory.EV_SYSTEM)

    certified = person(dealer_a).user
    certificate(certified.staff_profiles.get(), expires_on=date(2027, 1, 1))
    job(ro, certified, clocked=at(date(2026, 5, 10)))
    job(ro, certified, clocked=sh(2026, 5, 31, 23, 30))

    lapsed = person(dealer_a).user
    certificate(lapsed.staff_profiles.get(), expires_on=date(2026, 5, 15))
    job(ro, lapsed, clocked=at(date(2026, 5, 10)))
    job(ro, lapsed, clocked=at(date(2026, 5, 20)))  # after expiry

    april_only = person(dealer_a).user
    job(ro, april_only, clocked=at(date(2026, 4, 30)))

    no_hv = person(dealer_a).user
    certificate(no_hv.staff_profiles.get(), kind=CertificateKind.VEHICLE_REPAIR)
    job(ev, no_hv, clocked=at(date(2026, 5, 12)))

    with_hv = person(dealer_a).user
    certificate(with_hv.staff_profiles.get())
    certificate(with_hv.staff_profiles.get(), kind=CertificateKind.HV_ELECTRICIAN, expires_on=date(2028, 1, 1))
    job(ev, with_hv, clocked=at(date(2026, 5, 12)))

    too_late = person(dealer_a).user
    certificate(too_late.staff_profiles.get(), issued_on=date(2026, 5, 20))
    job(ro, too_late, clocked=at(date(2026, 5, 5)))

    june = person(dealer_a).user  # clocked just after the period (Shanghai time)
    job(ro, june, clocked=sh(2026, 6, 1, 0, 10))

    other = person(dealer_b).user
    certificate(other.staff_profiles.get())
    job(order(dealer_b, other, arrived=at(date(2026, 5, 1))), other, clocked=at(date(2026, 5, 3)))

    first, after = days_bounds(*may)
    result = kpis.certified_technicians([dealer_a.pk, dealer_b.pk], first, after)
    assert result == {
        dealer_a.pk: Measure(dealer_a.pk, 40.0, 2, 5, 5),
        dealer_b.pk: Measure(dealer_b.pk, 100.0, 1, 1, 1),
    }
    clocks = kpis.certification_clocks([dealer_a.pk], first, after)
    rows = {}
    for clock in clocks:
        count, uncovered = rows.get(clock.technician_id, (0, 0))
        rows[clock.technician_id] = (count + 1, uncovered + clock.is_uncovered)
    assert rows == {certified.pk: (2, 0), lapsed.pk: (2, 1), no_hv.pk: (1, 1), with_hv.pk: (1, 0), too_late.pk: (1, 1)}
    july = month_bounds(2026, 7)
    assert kpis.certified_technicians([dealer_a.pk], *july) == {dealer_a.pk: Measure.no_data(dealer_a.pk)}


def test_uncertified_technicians_for_the_dispatch_warning(dealer_a, tech_a):
    assert selectors.uncertified_technician_ids(dealer_id=dealer_a.pk, day=JUNE_30) == {tech_a.user_id}
    certificate(tech_a, expires_on=date(2026, 6, 29))
    assert selectors.uncertified_technician_ids(dealer_id=dealer_a.pk, day=JUNE_30) == {tech_a.user_id}
    certificate(tech_a, expires_on=date(2026, 6, 30))
    assert selectors.uncertified_technician_ids(dealer_id=dealer_a.pk, day=JUNE_30) == set()
