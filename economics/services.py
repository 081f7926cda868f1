"""Writes of the workshop economics: a technician's attendance of a day, and labour cost rates."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.permissions import require
from economics.choices import AbsenceKind
from economics.models import Attendance, CostRate
from organization.models import Dealer

ATTENDANCE_PERMISSIONS = ("economics.add_attendance", "economics.change_attendance")
WORKSHOP_ROLES = (Role.TECHNICIAN, Role.FOREMAN)


def workshop_people(dealer: Dealer):
    """The technicians (and foremen, who also work jobs) of the dealer, by name: who has an attendance sheet."""
    return (
        User.objects.filter(dealer_memberships__dealer=dealer, groups__name__in=[str(r) for r in WORKSHOP_ROLES],
                            is_active=True)
        .distinct()
        .order_by("display_name", "username")
    )  # fmt: skip


def attended_hours(
    *, clock_in: time | None, clock_out: time | None, break_minutes: int, absence: str, hours: Decimal | None
) -> Decimal:
    """The hours a day counts as attended: clock-out − clock-in − break, or the hours given; 0 for an absence."""
    if absence:
        if clock_in or clock_out or hours:
            raise ValidationError({"absence": _("A day away has no clock times and no hours.")})
        return Decimal("0")
    if clock_in is None and clock_out is None:
        if hours is None:
            raise ValidationError({"hours": _("Give the clock-in and clock-out times, the hours, or the absence.")})
        if not Decimal("0") < hours <= Decimal("24"):
            raise ValidationError({"hours": _("Hours attended are more than 0 and at most 24.")})
        return hours.quantize(Decimal("0.01"))
    if clock_in is None or clock_out is None:
        raise ValidationError({"clock_out" if clock_in else "clock_in": _("Give both the clock-in and the clock-out.")})
    minutes = (datetime.combine(date.min, clock_out) - datetime.combine(date.min, clock_in)).total_seconds() / 60
    if minutes <= 0:
        raise ValidationError({"clock_out": _("The clock-out is before the clock-in.")})
    worked = minutes - break_minutes
    if worked <= 0:
        raise ValidationError({"break_minutes": _("The break is as long as the day.")})
    if hours is not None and hours.quantize(Decimal("0.01")) != (Decimal(worked) / 60).quantize(Decimal("0.01")):
        raise ValidationError({"hours": _("Leave the hours empty when the clock times are given.")})
    return (Decimal(worked) / 60).quantize(Decimal("0.01"))


@transaction.atomic
def attendance_record(
    *,
    dealer: Dealer,
    technician: User,
    day: date,
    by: User,
    clock_in: time | None = None,
    clock_out: time | None = None,
    break_minutes: int = 0,
    absence: str = "",
    hours: Decimal | None = None,
    note: str = "",
) -> Attendance:
    """Record (or correct) a technician's attendance of a day at the dealer, by the foreman or service manager."""
    require(by, ATTENDANCE_PERMISSIONS, dealer=dealer, message=_("Only the foreman or the service manager records "
                                                                 "attendance."))  # fmt: skip
    if not workshop_people(dealer).filter(pk=technician.pk).exists():
        raise ValidationError({"technician": _("Choose a technician of this dealer.")})
    value = attended_hours(
        clock_in=clock_in, clock_out=clock_out, break_minutes=break_minutes, absence=absence, hours=hours
    )
    attendance = Attendance.objects.select_for_update().filter(dealer=dealer, technician=technician, day=day).first()
    attendance = attendance or Attendance(dealer=dealer, technician=technician, day=day)
    attendance.clock_in, attendance.clock_out, attendance.break_minutes = clock_in, clock_out, break_minutes
    attendance.absence, attendance.hours, attendance.note, attendance.recorded_by = absence, value, note, by
    attendance._history_user = by
    attendance.full_clean(validate_unique=False)
    attendance.save()
    return attendance


@transaction.atomic
def attendance_clear(*, attendance: Attendance, by: User) -> None:
    """Remove a day recorded by mistake (kept in the history)."""
    require(by, "economics.delete_attendance", dealer=attendance.dealer_id)
    attendance._history_user = by
    attendance.delete()


@transaction.atomic
def cost_rate_create(
    *,
    dealer: Dealer,
    by: User,
    hourly_cost: Decimal,
    valid_from: date,
    technician: User | None = None,
    position: str = "",
) -> CostRate:
    """A labour cost rate from a date on, for one technician or a position (the service manager's)."""
    require(by, "economics.add_costrate", dealer=dealer, message=_("Only the service manager sets cost rates."))
    if technician is not None and not workshop_people(dealer).filter(pk=technician.pk).exists():
        raise ValidationError({"technician": _("Choose a technician of this dealer.")})
    if technician is None and not position:
        raise ValidationError({"position": _("Choose the technician or the position the rate is for.")})
    clash = CostRate.objects.filter(dealer=dealer, valid_from=valid_from)
    clash = clash.filter(technician=technician) if technician else clash.filter(technician__isnull=True,
                                                                                 position=position)  # fmt: skip
    if clash.exists():
        raise ValidationError({"valid_from": _("There is already a rate from this day; give another day.")})
    rate = CostRate(dealer=dealer, technician=technician, position="" if technician else position,
                    hourly_cost=hourly_cost, valid_from=valid_from)  # fmt: skip
    rate._history_user = by
    rate.full_clean(validate_unique=False)
    rate.save()
    return rate


# --- import from the time clock's Excel export ----------------------------------------------------------------

IMPORT_COLUMNS = ("username", "day", "clock_in", "clock_out", "break_minutes", "hours", "absence", "note")


def _import_value(name: str, text: str):
    """A cell of the import as the attendance takes it (ValueError: not readable)."""
    from datetime import datetime as dt

    text = text.strip()
    if not text:
        return {"break_minutes": 0, "absence": ""}.get(name)
    if name == "day":
        return dt.strptime(text[:10], "%Y-%m-%d").date()
    if name in ("clock_in", "clock_out"):
        return dt.strptime(text[:5], "%H:%M").time()
    if name == "break_minutes":
        return int(Decimal(text))
    if name == "hours":
        return Decimal(text)
    if name == "absence":
        labels = {str(label): value for value, label in AbsenceKind.choices}
        if text in AbsenceKind.values:
            return text
        if text in labels:
            return labels[text]
        raise ValueError(text)
    return text


@transaction.atomic
def attendance_import(*, dealer: Dealer, file, by: User) -> int:
    """Record the rows of an .xlsx or .csv (a header row, then username, day, clock-in, clock-out, break minutes,
    hours, absence, note): every row or none (a ValidationError lists each refused row)."""
    from parts.services.catalogue_io import _read_rows  # the one reader of spreadsheet uploads

    require(by, ATTENDANCE_PERMISSIONS, dealer=dealer, message=_("Only the foreman or the service manager records "
                                                                 "attendance."))  # fmt: skip
    people = {u.username: u for u in workshop_people(dealer)}
    errors, saved = [], 0
    for line, cells in _read_rows(file):
        if line == 1 or not any(c.strip() for c in cells):
            continue
        cells = (cells + [""] * len(IMPORT_COLUMNS))[: len(IMPORT_COLUMNS)]
        values = {}
        try:
            for name, text in zip(IMPORT_COLUMNS, cells, strict=True):
                values[name] = _import_value(name, text)
        except (ValueError, ArithmeticError):
            errors.append(_("Row %(line)s: %(column)s cannot be read.") % {"line": line, "column": name})
            continue
        technician = people.get(values.pop("username") or "")
        if technician is None or values["day"] is None:
            errors.append(_("Row %(line)s: give the username of a technician of this dealer and the day.")
                          % {"line": line})  # fmt: skip
            continue
        try:
            note = values.pop("note") or ""
            attendance_record(dealer=dealer, technician=technician, by=by, note=note, **values)
            saved += 1
        except ValidationError as exc:
            errors.append(_("Row %(line)s: %(error)s") % {"line": line, "error": " ".join(exc.messages)})
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return saved
