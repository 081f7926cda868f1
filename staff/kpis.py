"""The staff indicator rules: C3 training compliance and C4 certified technicians.

* C3 — on the last day of the period (or the day of ``as_of`` if earlier): active staff whose passed or attended
  training hours this year reach the share of the yearly requirement due by that day (staff.rules) / active staff.
* C4 — technicians who clocked on jobs in the period (up to ``as_of`` if earlier); certified = every clock covered
  by a valid technician certificate that day (and the high-voltage licence on an EV-system job) / technicians who
  clocked.

Both stand on the dates the records carry (hire and leave dates, training dates, certificate issue and expiry
dates), judged on the period's last day or the day of ``as_of``: a training or certificate entered after ``as_of``
with an earlier date does count in a later re-run. Their keyed-in time (``created_at``) is not used: back-filled
records (the demo data) carry the moment they were loaded, not when they became known; the run's grace period is
what absorbs late entries.

Each rule is a records function ``(dealer_ids, start, end, as_of=None)`` and a grouped measure
``-> {dealer_id: Measure}`` over exactly those records (core.indicators). The staff reports, the measurements and
the evaluation runs call these.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from core.dates import local_zone
from core.indicators import PERCENT, RATIO, Indicator, Measure, flag, ids, last_day, ratio, ratios, stamped_in
from repairs.choices import FaultCategory
from repairs.models import LabourClock
from staff.choices import HIGH_VOLTAGE_QUALIFICATIONS, TECHNICIAN_QUALIFICATIONS
from staff.models import Certificate, StaffProfile
from staff.selectors import active_on_q, annotate_training, valid_on_q

C3 = Indicator("C3", _("Training compliance"), PERCENT, RATIO)
C4 = Indicator("C4", _("Certified technicians"), PERCENT, RATIO)


# --- C3 training compliance -------------------------------------------------------------------------------------


def training_profiles(dealer_ids, day: date) -> QuerySet[StaffProfile]:
    """C3 on ``day``: the staff active that day, with ``kpi_value`` = training hours this year and
    ``in_numerator`` = on track (staff.selectors.annotate_training)."""
    profiles = StaffProfile.objects.filter(dealer_id__in=ids(dealer_ids)).filter(active_on_q(day))
    return annotate_training(profiles, as_of=day).annotate(in_numerator=F("training_ok"), kpi_value=F("training_hours"))


def compliance_on(dealer_ids, day: date) -> dict[int, Measure]:
    """C3 on ``day``: staff on track / active staff (one grouped query)."""
    return ratios(training_profiles(dealer_ids, day), "dealer_id", dealer_ids)


def training_records(dealer_ids, start, end, as_of=None) -> QuerySet[StaffProfile]:
    """C3 of a period: ``training_profiles`` on its last day (or the day of ``as_of`` if earlier)."""
    return training_profiles(dealer_ids, last_day(end, as_of))


def training_compliance(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C3 of a period: ``compliance_on`` its last day (or the day of ``as_of`` if earlier)."""
    return compliance_on(dealer_ids, last_day(end, as_of))


# --- C4 certified technicians -----------------------------------------------------------------------------------


def _held_on_clock_day(kinds) -> Exists:
    return Exists(
        Certificate.objects.filter(profile__user_id=OuterRef("technician_id"), kind__in=kinds).filter(
            valid_on_q(OuterRef("day"))
        )
    )


def certification_clocks(dealer_ids, start, end, as_of=None) -> QuerySet[LabourClock]:
    """C4: the labour clocks started in the period (and by ``as_of``), each marked ``is_uncovered`` when its
    technician held no valid certificate that day (an EV-system job also needs the high-voltage licence)."""
    uncovered = Q(tech_ok=False) | Q(line__order__fault_category=FaultCategory.EV_SYSTEM, hv_ok=False)
    return (
        LabourClock.objects.filter(
            stamped_in("started_at", start, end, as_of), line__order__dealer_id__in=ids(dealer_ids)
        )
        .annotate(day=TruncDate("started_at", tzinfo=local_zone()))
        .annotate(
            tech_ok=_held_on_clock_day(TECHNICIAN_QUALIFICATIONS), hv_ok=_held_on_clock_day(HIGH_VOLTAGE_QUALIFICATIONS)
        )
        .annotate(is_uncovered=flag(uncovered))
    )


def technician_records(dealer_ids, start, end, as_of=None) -> QuerySet:
    """C4's records: one row per dealer and technician who clocked in the period (username, name, clocks,
    uncovered clocks), ``in_numerator`` = certified on every job, ``kpi_value`` = the uncovered clocks."""
    return (
        certification_clocks(dealer_ids, start, end, as_of)
        .order_by()
        .values("line__order__dealer_id", "technician_id", "technician__username", "technician__display_name")
        .annotate(clocks=Count("pk"), uncovered=Count("pk", filter=Q(is_uncovered=True)))
        .annotate(in_numerator=flag(Q(uncovered=0)), kpi_value=F("uncovered"))
        .order_by("technician__username")
    )


def certified_technicians(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """C4: technicians certified on every clocked job / technicians who clocked (one grouped query)."""
    rows = (
        certification_clocks(dealer_ids, start, end, as_of)
        .order_by()
        .values(dealer_key=F("line__order__dealer_id"))
        .annotate(
            n=Count("technician_id", distinct=True),
            uncovered=Count("technician_id", distinct=True, filter=Q(is_uncovered=True)),
        )
    )
    found = {row["dealer_key"]: ratio(row["dealer_key"], row["n"] - row["uncovered"], row["n"]) for row in rows}
    return {d: found.get(d) or Measure.no_data(d) for d in ids(dealer_ids)}
