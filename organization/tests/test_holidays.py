"""The national calendar from the holiday library: 2026's National Day and 调休, idempotent loads, hand-entered and
dealer dates untouched, the complaint SLA clock over the holiday, exit 2 for a year the library does not cover."""

from datetime import date, time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from complaints.tests.factories import open_complaint
from core.schedule import JOBS, enqueue_due_jobs
from core.tests.factories import DealerFactory
from core.tests.helpers import sh
from organization import holidays
from organization.calendar import business_calendar
from organization.models import CalendarDayKind, CalendarDaySource, DealerCalendarDay
from organization.services import national_calendar_load

pytestmark = pytest.mark.django_db

NATIONAL_DAY_2026 = [date(2026, 10, d) for d in range(1, 8)]


def national(day: date) -> DealerCalendarDay:
    return DealerCalendarDay.objects.get(dealer__isnull=True, date=day)


def load(*args) -> str:
    out = StringIO()
    call_command("load_holidays", *args, stdout=out)
    return out.getvalue()


def test_2026_national_day_mid_autumn_and_make_up_days():
    output = load("--year", "2026")
    assert "chinese-calendar" in output
    for day in NATIONAL_DAY_2026:
        row = national(day)
        assert (row.kind, row.note, row.source) == (CalendarDayKind.CLOSED, "国庆节", CalendarDaySource.LIBRARY)
    assert [national(date(2026, 9, d)).note for d in (25, 26, 27)] == ["中秋"] * 3
    # 2026's make-up working days (调休), all of them weekends.
    working = DealerCalendarDay.objects.filter(dealer__isnull=True, kind=CalendarDayKind.WORKING)
    assert dict(working.values_list("date", "note")) == {
        date(2026, 1, 4): "元旦调休",
        date(2026, 2, 14): "春节调休",
        date(2026, 2, 28): "春节调休",
        date(2026, 5, 9): "劳动节调休",
        date(2026, 9, 20): "国庆节调休",
        date(2026, 10, 10): "国庆节调休",
    }
    assert not DealerCalendarDay.objects.exclude(date__year=2026).exists()
    assert not DealerCalendarDay.objects.filter(date=date(2026, 10, 8)).exists()  # back at work on Thursday


def test_every_covered_year_by_default_and_a_second_run_changes_nothing():
    years = holidays.covered_years()
    assert years[0] <= 2025 and years[-1] >= 2026
    first = national_calendar_load()
    assert first.years == list(years) and first.created == DealerCalendarDay.objects.count() > 20 * len(years) // 2
    assert {d.year for d in DealerCalendarDay.objects.dates("date", "year")} == set(years)
    history = DealerCalendarDay.history.count()
    second = national_calendar_load()
    assert (second.created, second.updated, second.removed, second.unchanged) == (0, 0, 0, first.created)
    assert DealerCalendarDay.history.count() == history  # nothing rewritten either
    with translation.override("en"):
        assert "0 added, 0 updated, 0 removed" in load()


def test_library_rows_follow_the_library_and_other_rows_stay():
    dealer = DealerFactory()
    national_calendar_load(years=[2026])
    # A date the library no longer lists, and a note it spells differently (as after a package upgrade).
    DealerCalendarDay.objects.create(
        date=date(2026, 3, 3), kind=CalendarDayKind.CLOSED, note="旧", source=CalendarDaySource.LIBRARY
    )
    DealerCalendarDay.objects.filter(date=date(2026, 10, 5)).update(note="National Day")
    # Entered by hand: a national date the library does not know, one that contradicts it, a dealer's own days.
    hand = DealerCalendarDay.objects.create(date=date(2026, 3, 8), kind=CalendarDayKind.CLOSED, note="妇女节")
    national(date(2026, 10, 1)).delete()
    contradicting = DealerCalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDayKind.WORKING, note="值班")
    own = DealerCalendarDay.objects.create(
        dealer=dealer, date=date(2026, 10, 2), kind=CalendarDayKind.WORKING, note="店内值班"
    )
    own_other = DealerCalendarDay.objects.create(dealer=dealer, date=date(2026, 3, 3), kind=CalendarDayKind.CLOSED)

    report = national_calendar_load(years=[2026])

    assert (report.created, report.updated, report.removed) == (0, 1, 1)
    assert report.kept_manual == [date(2026, 10, 1)]
    assert not DealerCalendarDay.objects.filter(dealer__isnull=True, date=date(2026, 3, 3)).exists()
    assert national(date(2026, 10, 5)).note == "国庆节"
    for row in (hand, contradicting, own, own_other):
        fresh = DealerCalendarDay.objects.get(pk=row.pk)
        assert (fresh.dealer_id, fresh.date, fresh.kind, fresh.note) == (row.dealer_id, row.date, row.kind, row.note)
    assert "2026-10-01" in load("--year", "2026")  # the command names the kept contradiction


def test_a_load_for_one_year_leaves_the_other_years_alone():
    national_calendar_load(years=[2025, 2026])
    DealerCalendarDay.objects.filter(date=date(2025, 10, 1)).update(note="changed")
    report = national_calendar_load(years=[2026])
    assert report.updated == 0 and national(date(2025, 10, 1)).note == "changed"


def test_a_dealers_own_entry_wins_over_the_national_one():
    national_calendar_load(years=[2026])
    open_on_holiday = DealerFactory()
    DealerCalendarDay.objects.create(
        dealer=open_on_holiday, date=date(2026, 10, 3), kind=CalendarDayKind.WORKING, note="店内值班"
    )
    DealerCalendarDay.objects.create(
        dealer=open_on_holiday, date=date(2026, 10, 10), kind=CalendarDayKind.CLOSED, note="店庆休息"
    )
    mine = business_calendar(open_on_holiday, date(2026, 9, 28), date(2026, 10, 12))
    assert mine.closed_dates == set(NATIONAL_DAY_2026) - {date(2026, 10, 3)} | {date(2026, 10, 10)}
    assert mine.extra_working_dates == {date(2026, 10, 3)}
    other = business_calendar(DealerFactory(), date(2026, 9, 28), date(2026, 10, 12))
    assert other.closed_dates == set(NATIONAL_DAY_2026)
    assert other.extra_working_dates == {date(2026, 10, 10)}


def test_complaint_sla_clock_skips_national_day_2026_and_counts_the_make_up_saturday(dealer_a, advisor_a):
    dealer_a.working_days, dealer_a.opens_at, dealer_a.closes_at = "12345", time(8, 30), time(18, 0)
    dealer_a.save()
    before = open_complaint(dealer_a, advisor_a, received_at=sh(2026, 9, 30, 17, 30))
    assert before.first_contact_due_at == sh(2026, 10, 1, 10, 0)  # the bug the issue reports: no holiday known

    load()
    complaint = open_complaint(dealer_a, advisor_a, received_at=sh(2026, 9, 30, 17, 30))  # Wednesday evening
    # A2: 30 min on the 30th, then 1 h 30 on Thursday 8 October, the first working day after the holiday.
    assert complaint.first_contact_due_at == sh(2026, 10, 8, 10, 0)
    # D6, 3 working days: Thursday 8th, Friday 9th and the make-up Saturday 10th (调休).
    assert complaint.feedback_due_at == sh(2026, 10, 10, 17, 30)


def test_a_year_the_library_does_not_cover_exits_2_and_writes_nothing():
    years = holidays.covered_years()
    for bad in (years[-1] + 1, years[0] - 1):
        with pytest.raises(CommandError) as error:
            load("--year", str(years[-1]), str(bad))
        assert error.value.returncode == 2
        assert str(bad) in str(error.value) and f"{years[0]}–{years[-1]}" in str(error.value)
    with pytest.raises(ValueError):
        national_calendar_load(years=[years[-1] + 1])
    assert not DealerCalendarDay.objects.exists()


def test_missing_years_warn_of_the_next_arrangement_from_november():
    last = holidays.covered_years()[-1]
    assert holidays.missing_years(date(last, 6, 1)) == []
    assert holidays.missing_years(date(last, 11, 2)) == [last + 1]
    assert holidays.missing_years(date(last + 1, 1, 5)) == [last + 1]
    assert str(last + 1) in holidays.missing_year_warning(last + 1)


def test_the_daily_job_loads_the_calendar():
    job = next(job for job in JOBS if job.name == "load_holidays")
    assert job.daily_at is not None
    assert enqueue_due_jobs(sh(2026, 11, 2, 4, 0), jobs=[job]) == ["load_holidays"]  # tests run tasks inline
    assert national(date(2026, 10, 1)).source == CalendarDaySource.LIBRARY


def test_a_date_edited_in_the_admin_becomes_manual_and_is_kept(client):
    national_calendar_load(years=[2026])
    row = national(date(2026, 10, 7))
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-test")
    client.force_login(admin)
    response = client.post(
        reverse("admin:organization_dealercalendarday_change", args=[row.pk]),
        {"dealer": "", "date": "2026-10-07", "kind": CalendarDayKind.WORKING, "note": "提前复工"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.kind, row.source) == (CalendarDayKind.WORKING, CalendarDaySource.MANUAL)
    assert national_calendar_load(years=[2026]).kept_manual == [date(2026, 10, 7)]
    row.refresh_from_db()
    assert row.note == "提前复工"
