"""The appointments' indicator rule: A4 appointment on-time reception (records + grouped measure, core.indicators).

A4 — appointments with a slot in the period that were kept by ``as_of`` (default now: the customer came, a repair
order was opened by then); on time = the order was opened at most 15 minutes after the slot start (exactly 15
counts). An appointment is judged when it is kept, so nothing is pending: one not kept (yet) is not in n.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from appointments.models import Appointment
from core.indicators import PERCENT, RATIO, Indicator, Measure, Minutes, evaluated_at, flag, ids, ratios

A4 = Indicator("A4", _("Appointment on-time reception"), PERCENT, RATIO)

ON_TIME_RECEPTION = timedelta(minutes=15)


def on_time_reception_records(dealer_ids, start, end, as_of=None) -> QuerySet[Appointment]:
    """A4: the kept appointments with a slot in the period, each with the minutes from the slot to the order."""
    return Appointment.objects.filter(
        dealer_id__in=ids(dealer_ids),
        slot_start__gte=start,
        slot_start__lt=end,
        repair_order__isnull=False,
        repair_order__opened_at__lte=evaluated_at(as_of),
    ).annotate(
        in_numerator=flag(Q(repair_order__opened_at__lte=F("slot_start") + ON_TIME_RECEPTION)),
        kpi_value=Minutes("repair_order__opened_at", "slot_start"),
    )


def on_time_reception(dealer_ids, start, end, as_of=None) -> dict[int, Measure]:
    """A4: appointments received within 15 minutes of the slot / appointments kept."""
    return ratios(on_time_reception_records(dealer_ids, start, end, as_of), "dealer_id", dealer_ids)
