"""The repair-order state machine: its transition table (``core.state``) and the guards of each move.

``repairs.services.repair_order_transition`` is the only code that changes a repair
order's status. It asks ``REPAIR_STATES`` to check the action (the source status, the user's
permission, the note and the guard: what must be filled in first), then to apply it (the time
stamp and a RepairOrderEvent). The UI and API ask ``REPAIR_STATES.can`` / ``available_actions``
what to offer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.history import register_reasons
from core.state import Move, StateMachine, Transition
from repairs.choices import AdditionStatus, FuelLevel, LineKind, PricingMode, WorkStatus
from repairs.choices import RepairOrderStatus as S
from repairs.models import RepairOrder, RepairOrderEvent, RepairOrderLine

ADVISE = "repairs.advise_repairorder"
DISPATCH = "repairs.dispatch_repairorder"
WORK = "repairs.work_repairorder"
INSPECT = "repairs.inspect_repairorder"
# A transition note is also kept in cancel_reason / checkin_exception: no longer than those.
NOTE_MAX_LENGTH = RepairOrder._meta.get_field("cancel_reason").max_length


def _check_in_guard(order, note: str) -> list[str]:
    problems = []
    if order.odometer_km is None:
        problems.append(_("Record the odometer reading."))
    if order.promised_at is None:
        problems.append(_("Agree a promised delivery time with the customer."))
    incomplete = checkin_gaps(order)
    if incomplete and not note:
        problems.append(
            _("The check-in is incomplete (%(gaps)s): complete it or give the reason in the note.")
            % {"gaps": ", ".join(str(g) for g in incomplete)}
        )
    return problems


@dataclass(frozen=True)
class CheckinItem:
    """One thing the reception rules require at check-in: what it is called, the order's field that records it and
    the values that count (None: any value); a ``stamped`` field is a moment (recorded by ``as_of`` once stamped)."""

    label: str
    field: str
    values: tuple | None = None
    stamped: bool = False

    def recorded(self, order) -> bool:
        """Recorded on this order (as it is now)."""
        value = getattr(order, self.field)
        return value is not None and (self.values is None or value in self.values)

    def recorded_q(self, as_of=None) -> Q:
        """The same test as SQL over repair orders; a stamp counts only if made by ``as_of`` (when given)."""
        condition = Q(**{f"{self.field}__isnull": False})
        if self.values is not None:
            condition &= Q(**{f"{self.field}__in": self.values})
        if self.stamped and as_of is not None:
            condition &= Q(**{f"{self.field}__lte": as_of})
        return condition


# The complete check-in, declared once: the check-in guard and the order page ask ``checkin_gaps`` of one order,
# KPI D1 asks ``checkin_complete_q`` of many (repairs.kpis).
CHECKIN_ITEMS = (
    CheckinItem(_("walk-around"), "walkaround_done", (True,)),
    CheckinItem(_("fuel level"), "fuel_level", tuple(FuelLevel.values)),
    CheckinItem(_("odometer"), "odometer_km"),
    CheckinItem(_("belongings list signed"), "belongings_signed_at", stamped=True),
)


def checkin_gaps(order) -> list[str]:
    """What the reception rules require at check-in and is missing (KPI D1 counts complete check-ins)."""
    return [item.label for item in CHECKIN_ITEMS if not item.recorded(order)]


def checkin_complete_q(as_of=None) -> Q:
    """Repair orders whose check-in has every item of ``CHECKIN_ITEMS`` (stamps made by ``as_of``, when given)."""
    complete = Q()
    for item in CHECKIN_ITEMS:
        complete &= item.recorded_q(as_of)
    return complete


def _estimate_guard(order, note: str) -> list[str]:
    problems = []
    if not order.lines.exists():
        problems.append(_("Add at least one labour or part line to the estimate."))
    if not order.diagnosis.strip():
        problems.append(_("Record the diagnosis (fault findings)."))
    if order.pricing_mode == PricingMode.SYMPTOM and order.risk_margin_pct <= 0:
        problems.append(_("Symptom pricing needs a risk margin."))
    return problems


def _approve_guard(order, note: str) -> list[str]:
    problems = []
    if not order.approval_method:
        problems.append(_("Record how the customer approved (signature, phone…)."))
    if not order.approved_by_customer.strip():
        problems.append(_("Record who approved on the customer's side."))
    return problems


def workshop_lines(order):
    """The labour lines the workshop must do: the estimate's, and additions the customer approved."""
    return order.lines.filter(kind=LineKind.LABOUR).filter(
        Q(addition__isnull=True) | Q(addition__status=AdditionStatus.APPROVED)
    )


def _dispatch_guard(order, note: str) -> list[str]:
    jobs = workshop_lines(order)
    if not jobs.exists():
        return [_("There is no labour line to dispatch.")]
    if jobs.filter(technician__isnull=True).exists():
        return [_("Assign a technician to every labour line first.")]
    return []


def _request_qc_guard(order, note: str) -> list[str]:
    problems = []
    if workshop_lines(order).exclude(work_status=WorkStatus.DONE).exists():
        problems.append(_("Every job must be finished (clocked off as done) before QC."))
    if order.additions.filter(status__in=[AdditionStatus.RAISED, AdditionStatus.CONTACTED]).exists():
        problems.append(_("An additional item is waiting for the customer's decision."))
    return problems


def _latest_inspection_guard(passed: bool):
    def guard(order, note: str) -> list[str]:
        latest = order.inspections.order_by("-sequence").first()
        fresh = latest is not None and order.qc_requested_at and latest.inspected_at >= order.qc_requested_at
        if not fresh or latest.passed != passed:
            return [_("Record the QC inspection with its checklist first.")]
        return []

    return guard


def _rework_marked_guard(order, note: str) -> list[str]:
    # A failed inspection says which jobs are redone: only those go back to the technicians (返工).
    latest = order.inspections.order_by("-sequence").first()
    if latest is not None and not latest.passed and not latest.findings.exists():
        return [_("Mark the jobs that must be redone, each with the reason.")]
    return []


def rework_reopen(findings, *, by) -> list[RepairOrderLine]:
    """Reopen the jobs of a failed inspection's findings, and only those: waiting again for the same technician.

    The finished time is cleared (a new clock-on starts the rework); the earlier clocks stay on record. Each line
    is saved with its history (who reopened it), the other jobs of the order stay done.
    """
    line_ids = [finding.line_id for finding in findings]
    lines = list(RepairOrderLine.objects.select_for_update().filter(pk__in=line_ids).order_by("pk"))
    for line in lines:
        line.work_status, line.finished_at, line.pause_reason = WorkStatus.WAITING, None, ""
        line._history_user = by
        line.save(update_fields=["work_status", "finished_at", "pause_reason"])
    return lines


def _deliver_guard(order, note: str) -> list[str]:
    if not hasattr(order, "settlement"):
        return [_("Settle the invoice first (payment method, amounts).")]
    return []


def _record_event(move: Move) -> None:
    RepairOrderEvent.objects.create(
        order=move.record, action=move.action, from_status=move.from_status, to_status=move.to_status, at=move.at,
        by=move.by, note=move.note,
    )  # fmt: skip


REPAIR_STATES = StateMachine(
    [
        Transition(
            "check_in",
            _("Complete check-in"),
            {S.OPEN},
            S.CHECKED_IN,
            ADVISE,
            stamp="checked_in_at",
            guards=(_check_in_guard,),
            note_label=_("Reason if the check-in is incomplete"),
        ),
        Transition(
            "give_estimate",
            _("Give estimate to customer"),
            {S.CHECKED_IN},
            S.ESTIMATED,
            ADVISE,
            stamp="estimated_at",
            guards=(_estimate_guard,),
        ),
        Transition(
            "revise_estimate",
            _("Revise estimate"),
            {S.ESTIMATED},
            S.CHECKED_IN,
            ADVISE,
            note_required=True,
            note_label=_("Why the estimate is revised"),
        ),
        Transition(
            "approve",
            _("Record customer approval"),
            {S.ESTIMATED},
            S.APPROVED,
            ADVISE,
            stamp="approved_at",
            guards=(_approve_guard,),
            via_form=True,
        ),
        Transition(
            "dispatch",
            _("Dispatch to workshop"),
            {S.APPROVED},
            S.DISPATCHED,
            DISPATCH,
            stamp="dispatched_at",
            guards=(_dispatch_guard,),
        ),
        Transition("start_repair", _("Start repair"), {S.DISPATCHED}, S.IN_REPAIR, WORK, stamp="repair_started_at"),
        Transition(
            "request_qc",
            _("Request QC"),
            {S.IN_REPAIR},
            S.QC,
            WORK,
            stamp="qc_requested_at",
            guards=(_request_qc_guard,),
        ),
        Transition(
            "qc_pass",
            _("QC passed"),
            {S.QC},
            S.READY,
            INSPECT,
            stamp="ready_at",
            guards=(_latest_inspection_guard(passed=True),),
            via_form=True,
        ),
        Transition(
            "qc_fail",
            _("QC failed: back to repair"),
            {S.QC},
            S.IN_REPAIR,
            INSPECT,
            guards=(_latest_inspection_guard(passed=False), _rework_marked_guard),
            note_required=True,
            note_label=_("What failed"),
            via_form=True,
        ),
        Transition(
            "reopen_repair",
            _("Back to the workshop"),
            {S.READY},
            S.IN_REPAIR,
            ADVISE,
            note_required=True,
            note_label=_("Why the car goes back to the workshop"),
        ),
        Transition(
            "deliver",
            _("Deliver and settle"),
            {S.READY},
            S.DELIVERED,
            ADVISE,
            stamp="delivered_at",
            guards=(_deliver_guard,),
            via_form=True,
        ),
        Transition("close", _("Close"), {S.DELIVERED}, S.CLOSED, ADVISE, stamp="closed_at"),
        Transition(
            "cancel",
            _("Cancel"),
            {S.OPEN, S.CHECKED_IN, S.ESTIMATED, S.APPROVED, S.DISPATCHED},
            S.CANCELLED,
            ADVISE,
            stamp="cancelled_at",
            note_required=True,
            note_label=_("Cancel reason"),
        ),
    ],
    statuses=S,
    refused=_("“%(action)s” is not possible while the order is “%(status)s”."),
    note_max_length=NOTE_MAX_LENGTH,
    record_event=_record_event,
    model="repairs.RepairOrder",
)


# Other change reasons of an order's history, by their label (repairs.services writes them).
register_reasons("repairs.RepairOrder", {"addition approved": _("Additional item approved")})


def button_actions(order, user) -> list[Transition]:
    """The moves the order page offers as plain buttons (the others have their own forms)."""
    return [t for t in REPAIR_STATES.available_actions(order, user) if not t.via_form]
