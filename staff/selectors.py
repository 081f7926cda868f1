"""Reads of the staff domain, scoped to the user's dealers; the scorecard is grouped SQL (KPIs C3/C4: staff.kpis)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from accounts.models import User
from core.dates import days_bounds
from core.indicators import Rate, flag
from repairs.choices import FaultCategory
from repairs.comebacks import comeback_exists
from repairs.models import RepairOrder, RepairOrderLine
from staff import sources
from staff.choices import (
    COUNTED_RESULTS,
    SCORECARD_POSITIONS,
    TECHNICIAN_QUALIFICATIONS,
    CertificateStatus,
    Position,
)
from staff.models import Certificate, StaffProfile, TrainingRecord, TrainingRequirement
from staff.rules import (
    DEFAULT_YEARLY_HOURS,
    EXPIRY_WARNING_DAYS,
    OTHER_YEARLY_HOURS,
    employment_start_in_year,
    month_starts_until,
    share_of_year_due,
)

HOURS_FIELD = DecimalField(max_digits=8, decimal_places=1)
SHARE_FIELD = DecimalField(max_digits=6, decimal_places=4)
ZERO_HOURS = Value(Decimal("0"), output_field=HOURS_FIELD)


# --- certificates -----------------------------------------------------------------------------------------


def _superseded() -> Exists:
    """A later certificate of the same person and kind exists (it expires later, or never)."""
    return Exists(
        Certificate.objects.filter(profile_id=OuterRef("profile_id"), kind=OuterRef("kind"))
        .exclude(pk=OuterRef("pk"))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=OuterRef("expires_on")))
    )


def open_expiring_certificates(*, today: date) -> QuerySet[Certificate]:
    """Certificates that expired or expire within 30 days and that no later certificate of the kind replaces."""
    return (
        Certificate.objects.filter(expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS))
        .annotate(superseded=_superseded())
        .filter(superseded=False)
    )


def valid_on_q(day, prefix: str = "") -> Q:
    """Certificates valid on ``day`` (a date or an OuterRef to one)."""
    return Q(**{f"{prefix}issued_on__lte": day}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day})
    )


def annotate_certificate_status(profiles: QuerySet[StaffProfile], *, today: date) -> QuerySet[StaffProfile]:
    """Adds ``certificate_status``: expired (a kind's latest expired) > expiring > valid > none."""
    open_certs = open_expiring_certificates(today=today).filter(profile_id=OuterRef("pk"))
    return profiles.annotate(
        certificate_status=Case(
            When(Exists(open_certs.filter(expires_on__lt=today)), then=Value(CertificateStatus.EXPIRED)),
            When(Exists(open_certs.filter(expires_on__gte=today)), then=Value(CertificateStatus.EXPIRING)),
            When(
                Exists(Certificate.objects.filter(profile_id=OuterRef("pk"))),
                then=Value(CertificateStatus.VALID),
            ),
            default=Value(CertificateStatus.NONE),
        )
    )


def certificate_list(*, user: User) -> QuerySet[Certificate]:
    """Certificates of the user's dealers, soonest expiry first (staff.filtersets.CertificateFilterSet filters them:
    by default the ones that need action)."""
    return (
        Certificate.objects.for_user(user)
        .select_related("profile__user", "profile__dealer", "expiry_task")
        .order_by(F("expires_on").asc(nulls_last=True), "profile__employee_number", "id")
    )


# --- training (KPI C3) ------------------------------------------------------------------------------------


def _yearly_hours() -> Coalesce:
    """The dealer's figure for the position, else the default of staff.rules."""
    dealer_figure = TrainingRequirement.objects.filter(
        dealer_id=OuterRef("dealer_id"), position=OuterRef("position")
    ).values("yearly_hours")[:1]
    default = Case(
        *[When(position=position, then=Value(hours)) for position, hours in DEFAULT_YEARLY_HOURS.items()],
        default=Value(OTHER_YEARLY_HOURS),
        output_field=HOURS_FIELD,
    )
    return Coalesce(Subquery(dealer_figure, output_field=HOURS_FIELD), default, output_field=HOURS_FIELD)


def _share_due(as_of: date) -> Case:
    """staff.rules.share_of_year_due per hire date, as SQL: one branch per possible employment start."""
    whens = []
    for month_start in month_starts_until(as_of):
        # Everyone hired on or before this month start (and after the previous one) is counted from it.
        share = share_of_year_due(employment_start_in_year(month_start, as_of.year), as_of)
        whens.append(When(hire_date__lte=month_start, then=Value(share)))
    return Case(*whens, default=Value(Decimal("0")), output_field=SHARE_FIELD)


def active_on_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}hire_date__lte": day}) & (
        Q(**{f"{prefix}leave_date__isnull": True}) | Q(**{f"{prefix}leave_date__gte": day})
    )


def annotate_training(profiles: QuerySet[StaffProfile], *, as_of: date) -> QuerySet[StaffProfile]:
    """Adds ``training_hours`` (this year up to ``as_of``, passed/attended only), ``yearly_hours``,
    ``required_hours`` (the share due by ``as_of``, staff.rules) and ``training_ok``."""
    hours = (
        TrainingRecord.objects.filter(
            profile_id=OuterRef("pk"),
            attended_on__gte=date(as_of.year, 1, 1),
            attended_on__lte=as_of,
            result__in=COUNTED_RESULTS,
        )
        .order_by()
        .values("profile_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return profiles.annotate(
        training_hours=Coalesce(Subquery(hours, output_field=HOURS_FIELD), ZERO_HOURS),
        yearly_hours=_yearly_hours(),
        required_hours=Round(ExpressionWrapper(F("yearly_hours") * _share_due(as_of), output_field=HOURS_FIELD), 1),
    ).annotate(
        training_ok=Case(
            When(training_hours__gte=F("required_hours"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def profile_list(*, user: User, today: date | None = None) -> QuerySet[StaffProfile]:
    """Staff of the user's dealers with their certificate and training status (staff.filtersets.StaffProfileFilterSet
    filters them: dealer, position, certificate and training status, search text, former staff)."""
    today = today or timezone.localdate()
    qs = StaffProfile.objects.for_user(user).select_related("user", "dealer", "supervisor")
    qs = annotate_training(annotate_certificate_status(qs, today=today), as_of=today)
    return qs.order_by("dealer__code", "employee_number", "id")


def training_report(*, profiles: QuerySet[StaffProfile], year: int, today: date | None = None) -> dict:
    """The year's training-hours report of these people, evaluated on 31 December or today (``as_of``; C3 per dealer
    on that day is staff.kpis.compliance_on); only those employed that day."""
    today = today or timezone.localdate()
    as_of = min(date(year, 12, 31), today)
    people = annotate_training(profiles.filter(active_on_q(as_of)).select_related("user", "dealer"), as_of=as_of)
    return {"as_of": as_of, "people": people.order_by("dealer__code", "training_ok", "employee_number", "id")}


# --- certified technicians (KPI C4: staff.kpis) ---------------------------------------------------------


def uncertified_technician_ids(*, dealer_id: int, day: date | None = None) -> set[int]:
    """Users with a technician profile at the dealer holding no valid technician certificate on ``day``."""
    day = day or timezone.localdate()
    valid = Certificate.objects.filter(profile__user_id=OuterRef("user_id"), kind__in=TECHNICIAN_QUALIFICATIONS)
    return set(
        StaffProfile.objects.filter(dealer_id=dealer_id, position__in=(Position.TECHNICIAN, Position.FOREMAN))
        .filter(active_on_q(day))
        .exclude(Exists(valid.filter(valid_on_q(day))))
        .values_list("user_id", flat=True)
    )


# --- assessments ------------------------------------------------------------------------------------------


def assessment_summary(*, profile: StaffProfile) -> list[dict]:
    """Per quarter and kind: how many assessed and the mean of each rubric criterion (grouped SQL)."""
    from django.db.models import Avg

    from staff.choices import RUBRIC

    rows = (
        profile.assessments.order_by()
        .values("year", "quarter", "kind")
        .annotate(count=Count("id"), **{name: Avg(name) for name, _label in RUBRIC})
        .order_by("-year", "-quarter", "kind")
    )
    out = []
    for row in rows:
        scores = [Decimal(str(row[name])).quantize(Decimal("0.01")) for name, _label in RUBRIC]
        out.append({**row, "scores": scores, "average": (sum(scores) / len(scores)).quantize(Decimal("0.01"))})
    return out


# --- scorecard --------------------------------------------------------------------------------------------


def _came_back() -> Q:
    """The delivered order (the row) had a comeback by now: KPI B1's rule (repairs.comebacks), on B1's orders
    (a fault category other than "no fault"), so a person's comebacks are the B1 misses of their orders."""
    return ~Q(fault_category=FaultCategory.NONE) & Q(comeback_exists())


def scorecard(*, profiles: QuerySet[StaffProfile], start: date, end: date) -> list[dict]:
    """One row per advisor/technician profile for ROs delivered from ``start`` to ``end`` (inclusive):
    ROs handled as advisor and as technician, on-time delivery, comebacks, complaints and survey score.

    On time = delivered at or before the promised time, over the delivered ROs that had a promise.
    Comebacks = of those ROs, the ones with a comeback so far: the revisits KPI B1 counts (repairs.comebacks: linked
    by the desk, or about the same fault within 30 local days, not marked "not a comeback").
    Each figure is one grouped query over all the people at once.
    """
    profiles = list(
        profiles.filter(position__in=SCORECARD_POSITIONS)
        .filter(hire_date__lte=end)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=start))
        .select_related("user", "dealer")
        .order_by("dealer__code", "position", "employee_number", "id")
    )
    dealer_ids = sorted({p.dealer_id for p in profiles})
    low, high = days_bounds(start, end)
    window = {"delivered_at__gte": low, "delivered_at__lt": high}
    promised = Q(promised_at__isnull=False)
    advised = {
        (row["dealer_id"], row["advisor_id"]): row
        for row in RepairOrder.objects.filter(dealer_id__in=dealer_ids, **window)
        .annotate(came_back=flag(_came_back()))
        .order_by()
        .values("dealer_id", "advisor_id")
        .annotate(
            ros=Count("id"),
            promised=Count("id", filter=promised),
            on_time=Count("id", filter=promised & Q(delivered_at__lte=F("promised_at"))),
            comebacks=Count("id", filter=Q(came_back=True)),
        )
    }
    order_window = {f"order__{key}": value for key, value in window.items()}
    worked = {
        (row["order__dealer_id"], row["technician_id"]): row
        for row in RepairOrderLine.objects.filter(
            order__dealer_id__in=dealer_ids, technician_id__isnull=False, **order_window
        )
        .annotate(came_back=Exists(RepairOrder.objects.filter(_came_back(), pk=OuterRef("order_id"))))
        .order_by()
        .values("order__dealer_id", "technician_id")
        .annotate(
            ros=Count("order_id", distinct=True),
            promised=Count("order_id", distinct=True, filter=Q(order__promised_at__isnull=False)),
            on_time=Count(
                "order_id",
                distinct=True,
                filter=Q(order__promised_at__isnull=False, order__delivered_at__lte=F("order__promised_at")),
            ),
            comebacks=Count("order_id", distinct=True, filter=Q(came_back=True)),
        )
    }
    complaints = sources.complaint_counts_by_staff(dealer_ids, low, high)
    surveys = sources.advisor_scores(dealer_ids, low, high)
    empty = {"ros": 0, "promised": 0, "on_time": 0, "comebacks": 0}
    rows = []
    for profile in profiles:
        as_advisor = advised.get((profile.dealer_id, profile.user_id), empty)
        as_technician = worked.get((profile.dealer_id, profile.user_id), empty)
        survey = surveys.get(profile.user_id) or {}
        rows.append(
            {
                "profile": profile,
                "advisor": {
                    **as_advisor,
                    "on_time_rate": Rate(as_advisor["on_time"], as_advisor["promised"]).percent_decimal(),
                },
                "technician": {
                    **as_technician,
                    "on_time_rate": Rate(as_technician["on_time"], as_technician["promised"]).percent_decimal(),
                },
                "complaints": complaints.get(profile.user_id, 0),
                "survey_responses": survey.get("responses", 0),
                "survey_score": survey.get("score"),
            }
        )
    return rows
