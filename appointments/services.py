"""Writes of appointments: book, confirm, reschedule, cancel, no-show and arrival (which opens the repair order).

Every function is keyword-only, atomic, checks that ``by`` may change the dealer's data,
locks the dealer row while it counts the bays of a slot (two desks cannot both take the
last bay), and leaves who/why in the appointment's history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from appointments import slots
from appointments.choices import HOLDS_BAY, PENDING, AppointmentChannel
from appointments.models import Appointment
from appointments.state import APPOINTMENT_STATES
from core.dates import day_bounds, local_date, localtime
from core.permissions import allowed, require
from core.services import lock_version, save_next_version
from customers.models import Customer, Vehicle
from organization.models import Dealer
from repairs.services import repair_order_open
from todo.choices import TaskKind, TaskStatus
from todo.models import Task
from todo.services import task_create, task_finish

REMINDER_TIME = time(10, 0)


def _check_slot(*, dealer: Dealer, start: datetime, minutes: int, exclude_pk: int | None = None) -> datetime:
    """Refuse a closed, past or full slot (field error on ``slot_start``); return the slot's end.

    Locks the dealer row first so concurrent bookings of the same dealer are counted one after another.
    """
    problem = slots.slot_problem(dealer, start, minutes)
    if problem:
        raise ValidationError({"slot_start": problem})
    end = start + timedelta(minutes=int(minutes))
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
    overlapping = Appointment.objects.filter(
        dealer=dealer, status__in=HOLDS_BAY, slot_start__lt=end, slot_end__gt=start
    ).exclude(pk=exclude_pk)
    taken = slots.peak_overlap(overlapping.values_list("slot_start", "slot_end"), start, end)
    if taken >= dealer.service_bays:
        raise ValidationError(
            {
                "slot_start": _("The slot %(time)s is full: all %(bays)s service bays are booked. Choose another time.")
                % {"time": localtime(start).strftime("%Y-%m-%d %H:%M"), "bays": dealer.service_bays}
            }
        )
    return end


def _check_vehicle_free(*, vehicle: Vehicle, start: datetime, exclude_pk: int | None = None) -> None:
    """One pending appointment per vehicle and day: a second one is almost always a double booking."""
    first, last = day_bounds(local_date(start))
    other = (
        Appointment.objects.filter(vehicle=vehicle, status__in=PENDING, slot_start__gte=first, slot_start__lt=last)
        .exclude(pk=exclude_pk)
        .values_list("slot_start", flat=True)
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "vehicle": _("This vehicle already has an appointment at %(time)s that day: reschedule that one.")
                % {"time": f"{localtime(other):%H:%M}"}
            }
        )


def _check_advisor(*, advisor: User | None, dealer: Dealer) -> None:
    if advisor is None:
        return
    if not allowed(advisor, dealer=dealer):  # an inactive user has no dealer
        raise ValidationError({"advisor": _("The service advisor must work for this dealer.")})


def reminder_due_at(slot_start: datetime) -> datetime:
    """The day before the slot at 10:00 local time, or now if that has passed."""
    due = slots.at(local_date(slot_start) - timedelta(days=1), REMINDER_TIME)
    return max(due, timezone.now())


def _create_reminder(appointment: Appointment, *, by: User) -> Task | None:
    """The day-before reminder on the advisor's to-do list (walk-ins are already at the desk: none)."""
    if appointment.channel == AppointmentChannel.WALK_IN:
        return None
    when = localtime(appointment.slot_start)
    return task_create(
        dealer=appointment.dealer,
        kind=TaskKind.APPOINTMENT_REMINDER,
        title=_("Remind %(customer)s of the appointment on %(when)s (%(vehicle)s)")
        % {"customer": appointment.customer, "when": f"{when:%m-%d %H:%M}", "vehicle": appointment.vehicle},
        due_at=reminder_due_at(appointment.slot_start),
        role=Role.SERVICE_ADVISOR,
        by=by,
        assignee=appointment.advisor,
        customer=appointment.customer,
        vehicle=appointment.vehicle,
    )


def _close_reminder(appointment: Appointment, *, by: User, status: str, outcome: str) -> None:
    """Finish the appointment's reminder task if it is still open."""
    task = appointment.reminder_task
    if task is not None and Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN).exists():
        task_finish(task=task, by=by, status=status, outcome=outcome)


def _start(appointment: Appointment, *, action: str, by: User, version: int | None) -> tuple[Appointment, str]:
    """Lock the appointment at ``version``, reload it and check the move; nothing changed on refusal.

    Returns the fresh appointment and the move's label (the history's change reason starts with it).
    """
    require(by, dealer=appointment.dealer)
    lock_version(appointment, expected_version=version)
    appointment = Appointment.objects.select_related("dealer", "customer", "vehicle", "reminder_task").get(
        pk=appointment.pk
    )
    transition = APPOINTMENT_STATES.check(appointment, action, user=by)
    return appointment, str(transition.label)


@transaction.atomic
def appointment_book(
    *,
    vehicle: Vehicle,
    by: User,
    slot_start: datetime,
    customer_request: str,
    job_type: str,
    channel: str = AppointmentChannel.PHONE,
    slot_minutes: int = 60,
    customer: Customer | None = None,
    advisor: User | None = None,
) -> Appointment:
    """Book a slot for a customer's vehicle; puts the day-before reminder on the advisor's to-do list."""
    dealer = vehicle.dealer
    require(by, dealer=dealer)
    customer = customer or vehicle.owner
    if customer.dealer_id != dealer.pk or vehicle.owner_id != customer.pk:
        raise ValidationError({"vehicle": _("Choose a vehicle that this customer owns.")})
    if not (customer_request or "").strip():
        raise ValidationError({"customer_request": _("Say what the customer wants done.")})
    _check_advisor(advisor=advisor, dealer=dealer)
    slot_end = _check_slot(dealer=dealer, start=slot_start, minutes=slot_minutes)
    _check_vehicle_free(vehicle=vehicle, start=slot_start)
    appointment = Appointment(
        dealer=dealer,
        customer=customer,
        vehicle=vehicle,
        channel=channel,
        slot_start=slot_start,
        slot_minutes=slot_minutes,
        slot_end=slot_end,
        job_type=job_type,
        customer_request=customer_request.strip(),
        advisor=advisor,
        created_by=by,
    )
    appointment.full_clean(exclude=["reminder_task"])
    appointment.reminder_task = _create_reminder(appointment, by=by)
    appointment._history_user = by
    appointment.save()
    return appointment


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, by: User, version: int | None) -> Appointment:
    """The customer confirmed the slot; a reminder already due (the call that got the answer) is done."""
    appointment, label = _start(appointment, action="confirm", by=by, version=version)
    now = timezone.now()
    APPOINTMENT_STATES.apply(appointment, "confirm", by=by, at=now)
    if appointment.reminder_task is not None and appointment.reminder_task.due_at <= now:
        _close_reminder(appointment, by=by, status=TaskStatus.DONE, outcome=_("Appointment confirmed."))
    return save_next_version(appointment, by=by, reason=label)


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    version: int | None,
    slot_start: datetime,
    slot_minutes: int | None = None,
    reason: str = "",
) -> Appointment:
    """Move the appointment to another slot (capacity checked); the reminder moves with it."""
    appointment, label = _start(appointment, action="reschedule", by=by, version=version)
    minutes = int(slot_minutes or appointment.slot_minutes)
    if slot_start == appointment.slot_start and minutes == appointment.slot_minutes:
        raise ValidationError({"slot_start": _("Choose a slot other than the current one.")})
    old = localtime(appointment.slot_start)
    appointment.slot_end = _check_slot(
        dealer=appointment.dealer, start=slot_start, minutes=minutes, exclude_pk=appointment.pk
    )
    _check_vehicle_free(vehicle=appointment.vehicle, start=slot_start, exclude_pk=appointment.pk)
    appointment.slot_start, appointment.slot_minutes = slot_start, minutes
    appointment.reschedule_count += 1
    new = localtime(slot_start)
    _close_reminder(
        appointment,
        by=by,
        status=TaskStatus.CANCELLED,
        outcome=_("Appointment moved to %(when)s.") % {"when": f"{new:%Y-%m-%d %H:%M}"},
    )
    appointment.reminder_task = _create_reminder(appointment, by=by)
    reason = (reason or "").strip()
    change = f"{label}: {old:%Y-%m-%d %H:%M} → {new:%Y-%m-%d %H:%M}"
    change = f"{change}; {reason}" if reason else change
    APPOINTMENT_STATES.apply(appointment, "reschedule", by=by, note=change)
    return save_next_version(appointment, by=by, reason=change)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User, version: int | None, reason: str) -> Appointment:
    """Cancel with the customer's reason; the bay is free again and the reminder is cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    appointment, label = _start(appointment, action="cancel", by=by, version=version)
    APPOINTMENT_STATES.apply(appointment, "cancel", by=by, note=reason)
    appointment.cancel_reason = reason
    _close_reminder(appointment, by=by, status=TaskStatus.CANCELLED, outcome=_("Appointment cancelled: %s") % reason)
    return save_next_version(appointment, by=by, reason=f"{label}: {reason}")


@transaction.atomic
def appointment_mark_no_show(*, appointment: Appointment, by: User, version: int | None) -> Appointment:
    """The customer did not come (only once the slot has started)."""
    appointment, label = _start(appointment, action="no_show", by=by, version=version)
    APPOINTMENT_STATES.apply(appointment, "no_show", by=by)
    _close_reminder(appointment, by=by, status=TaskStatus.CANCELLED, outcome=_("The customer did not come."))
    return save_next_version(appointment, by=by, reason=label)


@transaction.atomic
def appointment_arrive(
    *, appointment: Appointment, by: User, version: int | None, arrived_at: datetime | None = None
) -> Appointment:
    """Record the customer's arrival and open the repair order at reception (KPIs A1 and A4)."""
    appointment, label = _start(appointment, action="arrive", by=by, version=version)
    now = timezone.now()
    arrived_at = arrived_at or now
    if arrived_at > now:
        raise ValidationError({"arrived_at": _("The arrival time cannot be in the future.")})
    order = repair_order_open(
        vehicle=appointment.vehicle,
        by=by,
        customer_complaint=appointment.customer_request,
        job_type=appointment.job_type,
        arrived_at=arrived_at,
    )
    APPOINTMENT_STATES.apply(appointment, "arrive", by=by, at=arrived_at, note=order.number)
    appointment.repair_order = order
    _close_reminder(appointment, by=by, status=TaskStatus.DONE, outcome=_("The customer arrived."))
    return save_next_version(appointment, by=by, reason=f"{label}: {order.number}")
