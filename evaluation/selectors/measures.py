"""Measurement (测量): the registry of every indicator of the default system, for many dealers and one period.

Each indicator's rule lives once, in its domain (core.indicators explains the shape): repairs.kpis (A1, A3, B2, B3,
B4, D1, D2, D3), repairs.comebacks (B1), appointments.kpis (A4), complaints.kpis (A2, D6, B5, E3), surveys.kpis
(C1, C2, E1, E2), staff.kpis (C3, C4), care.kpis (D4, D5, E4) and parts.kpis (F1, F2); the domain pages and exports
call the same functions. This module only registers them: each is a ``MeasureSpec`` in ``MEASURES`` (keyed by the
code of kpi-catalog.md) with the domain's ``rule`` and ``rule_records``, and

* ``measure(dealer_ids, start, end, as_of=None) -> {dealer_id: Measure}``: one (or a fixed small number of)
  grouped SQL queries whatever the number of dealers — never a Python loop over dealers or rows;
* ``records(dealer_id, start, end, as_of=None) -> QuerySet``: the rows behind the figure (the drill-down), each
  annotated with ``in_numerator`` (True, False, or None: pending at ``as_of``) and ``kpi_value``, and how the
  drill-down lists them (columns, permission, link).

Every page, export, the API and the runs call these two (``measure_all`` for many indicators), so a figure is the
same wherever it appears for the same period and ``as_of``.

**Lag.** An indicator with ``lag_months`` judges the records of the period that many months earlier: B1 (1 month),
whose 30-day comeback windows are only all closed a month after the deliveries — the B1 of October is the orders
delivered in September, complete by the end of October (repairs.comebacks says why). ``MeasureSpec.judged_period``
is the one place the lag is applied; the pages show it (``lag_note``).

The period is ``[start, end)`` with aware datetimes (core.dates: ``month_bounds``, ``Month``, ``days_bounds``).
``n`` is what the figure stands on (its denominator); a dealer with ``n == 0`` has no data: ``value`` is None,
never 0 or 100. Rates are in percent (95.0 = 95 %), as the indicator system stores targets. The evaluation's own
indicator is measured here:

* G — the score of the audit evaluation.selectors.audits.audit_scores picks (audits dated in the period and submitted by
  ``as_of``, official before self-audits); n is 1 with an audit, 0 without.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from urllib.parse import urlencode

from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appointments import kpis as appointments
from care import kpis as care
from complaints import kpis as complaints
from core.dates import local_date, months_before
from core.indicators import (
    BALANCE,
    CSI_POINTS,
    HOURS,
    MEAN,
    MEDIAN,
    MINUTES,
    NPS,
    PERCENT,
    RATIO,
    SCORE,
    SINGLE,
    Indicator,
    Measure,
    Minutes,
    PercentileCont,
    evaluated_at,
    grouped_median,
    ids,
    last_day,
    mean,
    ratio,
)
from core.indicators import flag as _flag
from evaluation.selectors.audits import audit_scores, submitted_by
from parts import kpis as parts
from repairs import comebacks
from repairs import kpis as repairs
from staff import kpis as staff
from surveys import kpis as surveys

# What other modules and tests take from here (the kit itself lives in core.indicators and core.dates).
__all__ = [
    "BALANCE", "CSI_POINTS", "HOURS", "MEAN", "MEASURES", "MEDIAN", "MINUTES", "NPS", "PERCENT", "RATIO", "SCORE",
    "SINGLE", "Column", "Measure", "MeasureSpec", "Minutes", "PercentileCont", "grouped_median", "mean",
    "measure_all", "ratio",
]  # fmt: skip

# --------------------------------------------------------------------------------------------------------------------
# G — the service-system audit (evaluation.services.audits, kept by the audit pages)
# --------------------------------------------------------------------------------------------------------------------


def g_measure(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """G: the score of the audit ``audit_scores`` picks for the period (n = 1 audit, or no data)."""
    found = audit_scores(ids(dealer_ids), start, end, as_of)
    return {
        d: Measure(d, found[d]["score"], None, 1, 1) if found[d]["score"] is not None else Measure.no_data(d, SINGLE)
        for d in ids(dealer_ids)
    }


def g_records(dealer_id, start, end, as_of=None) -> QuerySet:
    """The audits dated in the period and submitted by ``as_of``; ``in_numerator`` marks the one whose score is G."""
    chosen = audit_scores([dealer_id], start, end, as_of)[dealer_id]["audit_id"]
    first = local_date(start)
    return (
        submitted_by(evaluated_at(as_of))
        .filter(dealer_id=dealer_id, audit_date__gte=first, audit_date__lte=last_day(end, end))
        .annotate(in_numerator=_flag(Q(pk=chosen or 0)), kpi_value=F("score"))
        .select_related("auditor")
        .order_by("-audit_date", "-id")
    )


# --------------------------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the drill-down list: a label and a dotted path into the record (attribute or dict key)."""

    label: str
    path: str
    kind: str = "text"  # text, datetime, number, flag (a path through a list of rows gives a list: shown joined)
    link: str = ""  # dotted path to the object whose page the cell opens ("self": the record), e.g. the RO


@dataclass(frozen=True)
class MeasureSpec:
    """How one indicator is measured, and how its records are listed.

    ``rule`` and ``rule_records`` are the domain's functions over the records of a period; ``measure`` and
    ``records`` are what every page, the API and the runs call: the same, over ``judged_period`` (the lag).
    """

    code: str
    label: str
    unit: str
    kind: str
    rule: Callable[..., dict[int, Measure]]
    rule_records: Callable[..., QuerySet]
    permission: str  # the model permission needed to see the records (the drill-down)
    columns: tuple[Column, ...] = field(default_factory=tuple)
    numerator_label: str = ""
    value_label: str = ""
    link: str | None = None  # dotted path to an object with get_absolute_url, or None
    lag_months: int = 0  # the figure of a period judges the records of the period this many months earlier
    lag_note: str = ""  # what the lag means, for the pages

    def judged_period(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        """The period whose records the figure of ``[start, end)`` judges: the same, or ``lag_months`` earlier
        (the same local wall times, the day clamped to the month's length)."""
        if not self.lag_months:
            return start, end
        return months_before(start, self.lag_months), months_before(end, self.lag_months)

    def measure(self, dealer_ids, start: datetime, end: datetime, as_of: datetime | None = None):
        """{dealer_id: Measure} of the period ``[start, end)`` as of ``as_of`` (default now)."""
        return self.rule(dealer_ids, *self.judged_period(start, end), as_of)

    def records(self, dealer_id: int, start: datetime, end: datetime, as_of: datetime | None = None) -> QuerySet:
        """The records behind the figure of ``[start, end)`` as of ``as_of`` (default now)."""
        return self.rule_records(dealer_id, *self.judged_period(start, end), as_of)


def _records_of(base: Callable, *related: str, ordering: tuple[str, ...] = ("pk",), prefetch=()) -> Callable:
    def records(dealer_id, start, end, as_of=None) -> QuerySet:
        qs = base([dealer_id], start, end, as_of)
        qs = qs.select_related(*related).order_by(*ordering) if related else qs.order_by(*ordering)
        return qs.prefetch_related(*prefetch) if prefetch else qs

    records.__doc__ = base.__doc__
    return records


def _spec(indicator: Indicator, measure: Callable, records: Callable, permission: str, *args, **kwargs) -> MeasureSpec:
    """The spec of a domain-owned indicator: its code, name, unit and kind are the domain's ``Indicator``."""
    return MeasureSpec(
        indicator.code, indicator.label, indicator.unit, indicator.kind, measure, records, permission, *args, **kwargs
    )


RO = "repairs.view_repairorder"
COMPLAINT = "complaints.view_complaint"
SURVEY = "surveys.view_surveyresponse"
STAFF = "staff.view_staffprofile"
RO_COLUMNS = (Column(_("RO number"), "number", link="self"), Column(_("Vehicle"), "vehicle.plate"))


def _ro_number(order: str) -> Column:
    """The RO number of the order at ``order`` (a dotted path), opening the RO's page."""
    return Column(_("RO number"), f"{order}.number", link=order)


def _advisor(order: str = "") -> Column:
    """Who answers for the order (at ``order``; "" the record is the order): its service advisor."""
    return Column(_("Service advisor"), f"{order}.advisor" if order else "advisor")


def _technicians(order: str = "") -> Column:
    """Who did the work of the order: the technicians of its worked lines (``_worked``)."""
    return Column(_("Technicians"), f"{order}.worked.technician" if order else "worked.technician")


def _worked(order: str = "") -> Prefetch:
    """The order's worked lines with their technicians, one query per page (repairs.kpis.worked_lines)."""
    lines = f"{order}__lines" if order else "lines"
    return Prefetch(lines, queryset=repairs.worked_lines().select_related("technician").order_by("position", "id"),
                    to_attr="worked")  # fmt: skip


COMPLAINT_COLUMNS = (
    Column(_("Complaint"), "number"),
    Column(pgettext_lazy("complaint", "Received at"), "received_at", "datetime"),
)
ANSWER_COLUMNS = (
    Column(_("Answered at"), "response.submitted_at", "datetime"),
    _ro_number("response.repair_order"),
    _advisor("response.repair_order"),
    Column(_("Question"), "question.code"),
)
ANSWER_ORDER = ("response__submitted_at", "pk")
RESPONSE_COLUMNS = (
    Column(_("Answered at"), "submitted_at", "datetime"),
    _ro_number("repair_order"),
    _advisor("repair_order"),
    Column(_("Channel"), "get_channel_display"),
)

# fmt: off
#: Who may read the measurements (page and API), and the longest period they cover.
MEASUREMENT_PERMISSION = "evaluation.view_indicatorsystem"
MAX_DAYS = 366

MEASURES: dict[str, MeasureSpec] = {spec.code: spec for spec in [
    _spec(
        repairs.A1, repairs.reception_wait,
        _records_of(repairs.reception_wait_records, "vehicle", "advisor", ordering=("arrived_at", "pk")), RO,
        (*RO_COLUMNS, _advisor(), Column(_("Arrived at"), "arrived_at", "datetime"),
         Column(_("Opened at"), "opened_at", "datetime")),
        value_label=_("Minutes waited"), link="self",
    ),
    _spec(
        complaints.A2, complaints.first_contact,
        _records_of(complaints.first_contact_records, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("First contact due"), "first_contact_due_at", "datetime"),
         Column(_("First contact at"), "first_contact_at", "datetime")),
        numerator_label=_("Contacted in time"), value_label=_("Minutes to first contact"), link="self",
    ),
    _spec(
        repairs.A3, repairs.decision_time,
        _records_of(repairs.decision_time_records, "order__advisor", ordering=("raised_at", "pk")), RO,
        (_ro_number("order"), _advisor("order"), Column(_("Additional item"), "description"),
         Column(_("Raised at"), "raised_at", "datetime"), Column(_("Decided at"), "decision_at", "datetime"),
         Column(_("Status"), "get_status_display")),
        value_label=_("Minutes to decision"), link="order",
    ),
    _spec(
        appointments.A4, appointments.on_time_reception,
        _records_of(appointments.on_time_reception_records, "repair_order__advisor", "vehicle",
                    ordering=("slot_start", "pk")),
        "appointments.view_appointment",
        (Column(_("Slot"), "slot_start", "datetime"), Column(_("Vehicle"), "vehicle.plate"),
         _ro_number("repair_order"), _advisor("repair_order"),
         Column(_("RO opened at"), "repair_order.opened_at", "datetime")),
        numerator_label=_("Received within 15 min"), value_label=_("Minutes after the slot"), link="self",
    ),
    _spec(
        comebacks.B1, comebacks.first_time_fix,
        _records_of(comebacks.first_time_fix_records, "vehicle", "advisor", ordering=("delivered_at", "pk"),
                    prefetch=[_worked()]), RO,
        (*RO_COLUMNS, _advisor(), _technicians(), Column(_("Fault category"), "get_fault_category_display"),
         Column(_("Delivered at"), "delivered_at", "datetime"),
         Column(_("Comeback window closed"), "window_closed", "flag"), Column(_("Comeback RO"), "comeback_number"),
         Column(_("Days after delivery"), "comeback_days", "number"),
         Column(_("Linked by the desk (else detected)"), "comeback_linked", "flag"),
         Column(_("Not a comeback (RO: reason)"), "not_a_comeback")),
        numerator_label=_("No comeback within 30 days"), link="self", lag_months=1,
        lag_note=_("B1 is judged one month late, once every 30-day comeback window is over: the figure of a period "
                   "is the repair orders delivered in the period one month earlier. An order whose window is still "
                   "open is pending (left out of n)."),
    ),
    _spec(
        repairs.B2, repairs.on_time_delivery,
        _records_of(repairs.on_time_delivery_records, "vehicle", "advisor", ordering=("delivered_at", "pk")), RO,
        (*RO_COLUMNS, _advisor(), Column(_("Promised delivery time"), "promised_at", "datetime"),
         Column(_("Delivered at"), "delivered_at", "datetime")),
        numerator_label=_("Delivered by the promised time"), value_label=_("Minutes after the promised time"),
        link="self",
    ),
    _spec(
        repairs.B3, repairs.cycle_time,
        _records_of(repairs.cycle_time_records, "vehicle", "advisor", ordering=("delivered_at", "pk")), RO,
        (*RO_COLUMNS, _advisor(), Column(_("Checked in at"), "checked_in_at", "datetime"),
         Column(_("Ready at"), "ready_at", "datetime")),
        value_label=_("Hours from check-in to ready"), link="self",
    ),
    _spec(
        repairs.B4, repairs.estimate_accuracy,
        _records_of(repairs.estimate_accuracy_records, "order__advisor", ordering=("settled_at", "pk")), RO,
        (_ro_number("order"), _advisor("order"), Column(_("Invoice"), "invoice_number"),
         Column(_("Approved estimate"), "approved_estimate", "number"),
         Column(_("Settled total"), "grand_total", "number")),
        numerator_label=_("Within ±10 %"), value_label=_("Deviation (%)"), link="order",
    ),
    _spec(
        complaints.B5, complaints.resolution,
        _records_of(complaints.resolution_records, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Status"), "get_status_display"),
         Column(_("Resolved at"), "resolved_at", "datetime"),
         Column(_("Customer agrees"), "customer_agreed", "flag")),
        numerator_label=_("Resolved with the customer's agreement"), link="self",
    ),
    _spec(
        surveys.C1, surveys.attitude,
        _records_of(surveys.attitude_records, "response__repair_order__advisor", "question", ordering=ANSWER_ORDER),
        SURVEY,
        ANSWER_COLUMNS, value_label=_("Score (0–100)"), link="response",
    ),
    _spec(
        surveys.C2, surveys.competence,
        _records_of(surveys.competence_records, "response__repair_order__advisor", "question",
                    ordering=ANSWER_ORDER), SURVEY,
        ANSWER_COLUMNS, value_label=_("Score (0–100)"), link="response",
    ),
    _spec(
        staff.C3, staff.training_compliance,
        _records_of(staff.training_records, "user", ordering=("employee_number", "pk")), STAFF,
        (Column(_("Employee number"), "employee_number"), Column(_("Name"), "user"),
         Column(_("Required hours"), "required_hours", "number")),
        numerator_label=_("Required training hours reached"), value_label=_("Training hours this year"),
        link="self",
    ),
    _spec(
        staff.C4, staff.certified_technicians,
        _records_of(staff.technician_records, ordering=("technician__username", "technician_id")), STAFF,
        (Column(_("Technician"), "technician__username"), Column(_("Name"), "technician__display_name"),
         Column(_("Clocked jobs"), "clocks", "number")),
        numerator_label=_("Certified on every job"), value_label=_("Clocks without a valid certificate"),
    ),
    _spec(
        repairs.D1, repairs.complete_checkin,
        _records_of(repairs.checkin_records, "vehicle", "advisor", ordering=("arrived_at", "pk")), RO,
        (*RO_COLUMNS, _advisor(), Column(_("Checked in at"), "checked_in_at", "datetime"),
         Column(_("Why the check-in is incomplete"), "checkin_exception")),
        numerator_label=_("Check-in complete"), link="self",
    ),
    _spec(
        repairs.D2, repairs.approved_work,
        _records_of(repairs.approved_work_records, "order__advisor", ordering=("raised_at", "pk")), RO,
        (_ro_number("order"), _advisor("order"), Column(_("Additional item"), "description"),
         Column(_("Decided at"), "decision_at", "datetime"),
         Column(_("Work started at"), "work_started_at", "datetime")),
        numerator_label=_("Approved before the work"), value_label=_("Minutes from approval to work"), link="order",
    ),
    _spec(
        repairs.D3, repairs.qc_first_pass,
        _records_of(repairs.qc_first_pass_records, "order__advisor", ordering=("inspected_at", "pk"),
                    prefetch=[_worked("order")]), RO,
        (_ro_number("order"), _advisor("order"), _technicians("order"),
         Column(_("Inspected at"), "inspected_at", "datetime"),
         Column(_("What failed"), "failure_reasons")),
        numerator_label=_("Passed the first inspection"), link="order",
    ),
    _spec(
        care.D4, care.follow_up_timeliness,
        _records_of(care.follow_up_records, "customer", ordering=("due_by", "pk")), "todo.view_task",
        (Column(_("Task"), "title"), Column(_("Customer"), "customer.name"),
         Column(_("Window opens"), "due_at", "datetime"), Column(_("Window ends"), "due_by", "datetime"),
         Column(_("Done at"), "done_at", "datetime")),
        numerator_label=_("Done inside the window"),
    ),
    _spec(
        care.D5, care.archive_timeliness,
        _records_of(care.archive_records, ordering=("created_at", "pk")), "customers.view_customer",
        (Column(_("Customer"), "name"), Column(_("Created at"), "created_at", "datetime"),
         Column(_("Archive complete at"), "archive_completed_at", "datetime")),
        numerator_label=_("Archive complete within 2 days"), value_label=_("Days to a complete archive"),
        link="self",
    ),
    _spec(
        complaints.D6, complaints.feedback,
        _records_of(complaints.feedback_records, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Feedback due"), "feedback_due_at", "datetime"),
         Column(_("Feedback given at"), "feedback_at", "datetime")),
        numerator_label=_("Feedback in time"), value_label=_("Minutes to feedback"), link="self",
    ),
    _spec(
        surveys.E1, surveys.csi,
        _records_of(surveys.csi_records, "repair_order__advisor", ordering=("submitted_at", "pk")), SURVEY,
        RESPONSE_COLUMNS, value_label=_("CSI (0–100)"), link="self",
    ),
    _spec(
        surveys.E2, surveys.nps,
        _records_of(surveys.nps_records, "repair_order__advisor", ordering=("submitted_at", "pk")), SURVEY,
        (*RESPONSE_COLUMNS, Column(_("Recommendation (0–10)"), "nps_score", "number")),
        numerator_label=_("Promoter"), value_label=_("+1 promoter, −1 detractor"), link="self",
    ),
    _spec(
        complaints.E3, complaints.complaint_rate,
        _records_of(complaints.complaint_rate_records, ordering=("received_at", "pk")), COMPLAINT,
        (*COMPLAINT_COLUMNS, Column(_("Category"), "get_category_display")),
        numerator_label=_("Complaint received"), link="self",
    ),
    _spec(
        care.E4, care.retention,
        _records_of(care.retention_records, ordering=("name", "pk")), "customers.view_customer",
        (Column(_("Customer"), "name"), Column(_("Mobile"), "mobile")),
        numerator_label=_("Came back in the last 12 months"), link="self",
    ),
    _spec(
        parts.F1, parts.fill_rate,
        _records_of(parts.fill_records, "order__advisor", ordering=("order__opened_at", "pk")),
        "parts.view_stockreservation",
        (_ro_number("order"), _advisor("order"), Column(_("Part"), "description"),
         Column(_("Quantity"), "quantity", "number")),
        numerator_label=_("Issued from stock the day requested"), link="order",
    ),
    _spec(
        parts.F2, parts.dead_stock_share,
        _records_of(parts.stock_records, "part", "warehouse", ordering=("-kpi_value", "pk")), "parts.view_stockitem",
        (Column(_("Warehouse"), "warehouse.code"), Column(_("Part number"), "part.number"),
         Column(_("Part"), "part.name"), Column(_("On hand"), "on_hand_then", "number"),
         Column(_("Last movement"), "last_movement_then", "datetime")),
        numerator_label=_("Dead (no movement in 180 days)"), value_label=_("Stock value"),
    ),
    MeasureSpec(
        "G", _("Service-system audit score"), SCORE, SINGLE, g_measure, g_records, "evaluation.view_audit",
        (Column(_("Audit date"), "audit_date", "date"), Column(_("Kind"), "get_kind_display"),
         Column(_("Auditor"), "auditor"), Column(_("Status"), "get_status_display")),
        numerator_label=_("The audit that counts"), value_label=_("Audit score"), link="self",
    ),
]}
# fmt: on


def measure_all(
    dealer_ids: Iterable[int], start: datetime, end: datetime, *, as_of: datetime | None = None, codes=None
) -> dict[str, dict[int, Measure]]:
    """Every indicator (or those of ``codes``) for these dealers and ``[start, end)`` as of ``as_of`` (default now):
    {code: {dealer id: Measure}}, each over its ``judged_period`` (B1: the deliveries of a month earlier).

    A fixed number of queries whatever the number of dealers (about one per indicator).
    """
    dealers = ids(dealer_ids)
    return {
        code: spec.measure(dealers, start, end, as_of)
        for code, spec in MEASURES.items()
        if codes is None or code in codes
    }


# --------------------------------------------------------------------------------------------------------------------
# Whose records: the drill-down's person filters (the staff scorecard links to them)
# --------------------------------------------------------------------------------------------------------------------

ADVISOR, TECHNICIAN = "advisor", "technician"

#: role -> indicator code -> the domain's function keeping the records (of ``MeasureSpec.records``) a person answers
#: for: the service advisor of the order, the technicians of its worked lines (repairs.kpis), the person a complaint
#: counts against (complaints.kpis.responsible). The staff scorecard groups its figures by the same functions'
#: rules; ``?advisor=<user id>`` / ``?technician=<user id>`` on the drill-down apply them.
PERSON_FILTERS: dict[str, dict[str, Callable[[QuerySet, int], QuerySet]]] = {
    ADVISOR: {
        "B1": repairs.advised_by,
        "B2": repairs.advised_by,
        "D1": repairs.advised_by,
        "E1": partial(repairs.advised_by, order_path="repair_order"),
        "E2": partial(repairs.advised_by, order_path="repair_order"),
        "E3": complaints.attributed_to,
    },
    TECHNICIAN: {
        "B1": repairs.worked_by,
        "D3": partial(repairs.worked_by, order_path="order"),
    },
}


def judged_period(code: str, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The period whose records the figure of ``code`` for ``[start, end)`` judges (B1: a month earlier)."""
    return MEASURES[code].judged_period(start, end)


def drilldown_url(user, code: str, dealer_id: int, first, last, role: str | None = None, person_id=None) -> str | None:
    """The drill-down of ``code`` for the dealer and the days ``first`` – ``last`` (dates), filtered to one person
    (``role``: ADVISOR or TECHNICIAN, as ``PERSON_FILTERS``), or None when ``user`` may not open it."""
    spec = MEASURES.get(code)
    if spec is None or not (user.has_perm(MEASUREMENT_PERMISSION) and user.has_perm(spec.permission)):
        return None
    query = {"dealer": dealer_id, "from": f"{first:%Y-%m-%d}", "to": f"{last:%Y-%m-%d}"}
    if role is not None:
        if code not in PERSON_FILTERS.get(role, {}):
            return None
        query[role] = person_id
    return f"{reverse('evaluation:drilldown', args=[code])}?{urlencode(query)}"
