"""Reads of the staff domain, scoped to the user's dealers; the scorecard is grouped SQL (KPIs C3/C4: staff.kpis)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints import kpis as complaints
from core.dates import days_bounds, last_local_day, local_date
from core.indicators import (
    BALANCE,
    CSI_POINTS,
    HOURS,
    MEAN,
    NPS,
    PERCENT,
    RATIO,
    SINGLE,
    Measure,
    Minutes,
    evaluated_at,
    ids,
    ratios_by,
    stamped_in,
)
from repairs import comebacks
from repairs import kpis as repairs
from repairs.models import LabourClock
from staff import hooks
from staff.choices import (
    COUNTED_RESULTS,
    SCORECARD_ROLES,
    TECHNICIAN_QUALIFICATIONS,
    CertificateStatus,
    Position,
)
from staff.models import Certificate, StaffProfile, StaffSkill, TrainingRecord, TrainingRequirement
from staff.rules import (
    DEFAULT_YEARLY_HOURS,
    EXPIRY_WARNING_DAYS,
    OTHER_YEARLY_HOURS,
    employment_start_in_year,
    month_starts_until,
    share_of_year_due,
)
from surveys import kpis as surveys

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


def technician_profiles(*, dealer_id: int, day: date | None = None) -> dict[int, dict]:
    """The dispatch panel's view of the dealer's people (repairs' ``technician_profiles`` hook): {user id:
    {"skills": ["Engine (Expert)", …], "certificates": [{"label": …, "number": …, "expires_on": …}, …]}}, the
    certificates valid on ``day`` only, of the profiles active on it (three queries)."""
    day = day or timezone.localdate()
    profiles = (
        StaffProfile.objects.filter(dealer_id=dealer_id)
        .filter(active_on_q(day))
        .prefetch_related(
            Prefetch("skills", queryset=StaffSkill.objects.order_by("-level", "area")),
            Prefetch("certificates", queryset=Certificate.objects.filter(valid_on_q(day)).order_by("kind", "id")),
        )
    )
    return {
        profile.user_id: {
            "skills": [f"{skill.get_area_display()} ({skill.get_level_display()})" for skill in profile.skills.all()],
            "certificates": [
                {
                    "label": " ".join(filter(None, [str(c.get_kind_display()), c.level])),
                    "number": c.number,
                    "expires_on": c.expires_on,
                }
                for c in profile.certificates.all()
            ],
        }
        for profile in profiles
    }


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


# --- scorecard: the indicators of kpi-catalog.md per person ----------------------------------------------------

ADVISOR, TECHNICIAN = "advisor", "technician"  # the roles of SCORECARD_ROLES, as the drill-down's person filters
ROLE_POSITIONS = SCORECARD_ROLES
HOURS_CLOCKED = "hours"
PER_HUNDRED = "per 100"


@dataclass(frozen=True)
class Metric:
    """A column of the scorecard: an indicator's figure attributed to the person in one role (``code`` as in
    kpi-catalog.md; ``better`` +1 higher is better, −1 lower is better, 0 not ranked)."""

    code: str
    label: str
    unit: str
    kind: str
    better: int

    @property
    def ranked(self) -> bool:
        return self.better != 0


METRICS: dict[str, tuple[Metric, ...]] = {
    ADVISOR: (
        Metric("B1", comebacks.B1.label, PERCENT, RATIO, 1),
        Metric("B2", repairs.B2.label, PERCENT, RATIO, 1),
        Metric("D1", repairs.D1.label, PERCENT, RATIO, 1),
        Metric("E3", _("Complaints per 100 ROs"), PER_HUNDRED, RATIO, -1),
        Metric("E1", surveys.E1.label, CSI_POINTS, MEAN, 1),
        Metric("E2", surveys.E2.label, NPS, BALANCE, 1),
    ),
    TECHNICIAN: (
        Metric("B1", comebacks.B1.label, PERCENT, RATIO, 1),
        Metric("D3", repairs.D3.label, PERCENT, RATIO, 1),
        Metric(HOURS_CLOCKED, _("Hours clocked"), HOURS, SINGLE, 0),
    ),
}
INDICATOR_CODES = ("B1", "B2", "D1", "D3", "E1", "E2", "E3")


@dataclass
class Cell:
    """One person's figure: the measure, its rank among the dealer's people of the role (None: no rank, ``reason``
    says why) and the link to the records behind it (set by the page)."""

    metric: Metric
    measure: Measure
    rank: int | None = None
    ranked: int = 0
    reason: str = ""
    url: str | None = None

    @property
    def value(self) -> float | None:
        return self.measure.value

    @property
    def text(self) -> str:
        """The figure with what it stands on: "96.0 % (24/25)", "912.5 (n=8)", "—" for no data."""
        m, unit = self.measure, self.metric.unit
        if m.value is None:
            return "—" if unit != PER_HUNDRED or not m.numerator else f"— ({m.numerator:.0f}/0)"
        if self.metric.kind == RATIO:
            sign = " %" if unit == PERCENT else ""
            return f"{m.value:.1f}{sign} ({m.numerator:.0f}/{m.denominator:.0f})"
        if unit == NPS:
            return f"{m.value:+.1f} (n={m.n})"
        if unit == HOURS:
            return f"{m.value:.1f} h (n={m.n})"
        return f"{m.value:.1f} (n={m.n})"

    @property
    def rank_text(self) -> str:
        return f"{self.rank}/{self.ranked}" if self.rank is not None else "—"


@dataclass
class ScorecardRow:
    """A person in one role at one dealer, with a cell per metric of the role."""

    profile: StaffProfile
    role: str
    cells: list[Cell]
    shown: bool = True

    def cell(self, code: str) -> Cell:
        return next(c for c in self.cells if c.metric.code == code)


@dataclass
class Scorecard:
    """The scorecard of the days ``first`` – ``last``: the rows per role (``shown``: those the reader sees; the
    others count for the ranks only), the days each indicator judges (B1: a month earlier) and each dealer's
    minimum records for a rank."""

    first: date
    last: date
    rows: dict[str, list[ScorecardRow]]
    judged_days: dict[str, tuple[date, date]]
    minimums: dict[int, int]

    def shown(self, role: str) -> list[ScorecardRow]:
        return [row for row in self.rows[role] if row.shown]


def clocked_hours(dealer_ids, start: datetime, end: datetime, as_of=None) -> dict[tuple[int, int], Measure]:
    """Hours clocked per (dealer, technician): the clocks started in ``[start, end)`` and clocked off by ``as_of``
    (an open clock has no length yet); n = the clocks. One grouped query."""
    as_of = evaluated_at(as_of)
    rows = (
        LabourClock.objects.filter(
            stamped_in("started_at", start, end, as_of),
            line__order__dealer_id__in=ids(dealer_ids),
            ended_at__isnull=False,
            ended_at__lte=as_of,
        )
        .order_by()
        .values("line__order__dealer_id", "technician_id")
        .annotate(minutes=Sum(Minutes("ended_at", "started_at")), n=Count("pk"))
    )
    return {
        (row["line__order__dealer_id"], row["technician_id"]): Measure(
            row["line__order__dealer_id"], row["minutes"] / 60.0, None, None, row["n"]
        )
        for row in rows
    }


def person_figures(dealer_ids, start: datetime, end: datetime, as_of=None) -> dict[str, dict[str, dict]]:
    """{role: {code: {(dealer_id, user id): Measure}}}: every metric of ``METRICS`` for everyone at these dealers,
    each over the period its indicator judges (``staff.hooks`` judged_period: B1 a month earlier), with the
    domain's rule and records: repairs.comebacks (B1), repairs.kpis (B2, D1, D3; the technicians of an order are
    those of its worked lines), complaints.kpis (E3 per advisor), surveys.kpis (E1, E2 of the advisor's orders).
    One grouped query per figure (E3: two), whatever the number of people."""
    period = {code: hooks.call("judged_period", code, start, end) for code in INDICATOR_CODES}
    b1 = comebacks.first_time_fix_records(dealer_ids, *period["B1"], as_of)
    qc = repairs.qc_first_pass_records(dealer_ids, *period["D3"], as_of)
    answers = surveys.response_figures_by(("dealer_id", "repair_order__advisor_id"), dealer_ids, *period["E1"], as_of)
    return {
        ADVISOR: {
            "B1": ratios_by(b1, "dealer_id", "advisor_id"),
            "B2": ratios_by(repairs.on_time_delivery_records(dealer_ids, *period["B2"], as_of), "dealer_id",
                            "advisor_id"),
            "D1": ratios_by(repairs.checkin_records(dealer_ids, *period["D1"], as_of), "dealer_id", "advisor_id"),
            "E3": complaints.complaint_rate_by_advisor(dealer_ids, *period["E3"], as_of),
            "E1": {key: figures["E1"] for key, figures in answers.items()},
            "E2": {key: figures["E2"] for key, figures in answers.items()},
        },
        TECHNICIAN: {
            "B1": ratios_by(repairs.per_technician(b1), "dealer_id", "technician_key", distinct=True),
            "D3": ratios_by(repairs.per_technician(qc, "order"), "order__dealer_id", "technician_key", distinct=True),
            HOURS_CLOCKED: clocked_hours(dealer_ids, start, end, as_of),
        },
    }  # fmt: skip


def _rank(cells: list[Cell], metric: Metric, minimum: int, enough_data) -> None:
    """Competition ranks (1, 2, 2, 4) of the cells with enough records (the evaluation's rule, ``staff.hooks``);
    the others get the reason they have none."""
    eligible = []
    for cell in cells:
        n = cell.measure.n
        if cell.value is None:
            cell.reason = str(_("No records in this period: no rank."))
        elif not enough_data(metric.code, n, minimum):
            cell.reason = str(_("n = %(n)s: a rank needs at least %(minimum)s records.") % {"n": n, "minimum": minimum})
        else:
            eligible.append(cell)
    eligible.sort(key=lambda c: -metric.better * c.value)
    for position, cell in enumerate(eligible):
        previous = eligible[position - 1] if position else None
        cell.rank = previous.rank if previous is not None and previous.value == cell.value else position + 1
        cell.ranked = len(eligible)


def scorecard(
    *,
    profiles: QuerySet[StaffProfile],
    first: date,
    last: date,
    peers: QuerySet[StaffProfile] | None = None,
    as_of: datetime | None = None,
) -> Scorecard:
    """The service advisors' and technicians' own figures for the days ``first`` – ``last`` (ROs and events of the
    period, as the indicators count them; see ``person_figures``), ranked within their dealer and role.

    ``profiles`` are the people shown; ``peers`` (default: the same) those they are ranked among — the dealer's
    advisors or technicians employed at some time in the period (a person reading their own row is ranked among
    their colleagues without seeing them). Advisors are the service-advisor profiles, technicians the technician
    and foreman profiles. A rank needs the evaluation's minimum records (``SystemVersion.min_sample`` of the version
    the dealer is evaluated with). A fixed number of queries, whatever the number of people.
    """
    positions = [position for role_positions in ROLE_POSITIONS.values() for position in role_positions]
    people = list(
        (profiles if peers is None else peers)
        .filter(position__in=positions, hire_date__lte=last)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=first))
        .select_related("user", "dealer")
        .order_by("dealer__code", "employee_number", "id")
    )
    shown = None if peers is None else set(profiles.values_list("pk", flat=True))
    dealer_ids = sorted({p.dealer_id for p in people})
    start, end = days_bounds(first, last)
    judged_days = {}
    for code in INDICATOR_CODES:
        low, high = hooks.call("judged_period", code, start, end)
        judged_days[code] = (local_date(low), last_local_day(high))
    rows: dict[str, list[ScorecardRow]] = {ADVISOR: [], TECHNICIAN: []}
    if not dealer_ids:
        return Scorecard(first, last, rows, judged_days, {})
    figures = person_figures(dealer_ids, start, end, as_of)
    minimums = hooks.call("min_samples", dealer_ids)
    enough_data = hooks.get("enough_data")
    for role, metrics in METRICS.items():
        for profile in people:
            if profile.position not in ROLE_POSITIONS[role]:
                continue
            key = (profile.dealer_id, profile.user_id)
            cells = [
                Cell(m, figures[role][m.code].get(key) or Measure.no_data(profile.dealer_id, m.kind)) for m in metrics
            ]
            rows[role].append(ScorecardRow(profile, role, cells, shown is None or profile.pk in shown))
        for index, metric in enumerate(metrics):
            if not metric.ranked:
                continue
            for dealer_id in dealer_ids:
                cells = [row.cells[index] for row in rows[role] if row.profile.dealer_id == dealer_id]
                _rank(cells, metric, minimums.get(dealer_id, 0), enough_data)
    return Scorecard(first, last, rows, judged_days, minimums)
