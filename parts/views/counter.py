"""The parts counter (配件前台): issue reserved parts to the workshop, release them, take back unused parts,
receive special orders."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.mixins import DealerScopedObjectMixin, RecordActionView
from parts.choices import MovementKind, ReservationStatus
from parts.models import SpecialOrder, StockMovement, StockReservation
from parts.services import stock as stock_services
from repairs.selectors import OPEN_STATUSES


class PartsCounterView(DealerScopedObjectMixin, View):
    """What the workshop is waiting for: reserved parts to hand out and special orders to receive."""

    model = StockReservation
    permission_required = "parts.add_stockmovement"
    template_name = "parts/counter.html"

    def get(self, request):
        reservations = (
            StockReservation.objects.for_user(request.user, write=True)
            .filter(status=ReservationStatus.ACTIVE, repair_order_line__order__status__in=OPEN_STATUSES)
            .select_related("item__part", "item__warehouse", "repair_order_line__order__vehicle")
            .order_by("requested_at")
        )
        special_orders = (
            SpecialOrder.objects.for_user(request.user, write=True)
            .filter(status=SpecialOrder.Status.ORDERED)
            .select_related("part", "warehouse", "repair_order_line__order__vehicle")
            .order_by("requested_at")
        )
        issued = list(
            StockReservation.objects.for_user(request.user, write=True)
            .filter(status=ReservationStatus.ISSUED, repair_order_line__order__status__in=OPEN_STATUSES)
            .select_related("item__part", "item__warehouse", "repair_order_line__order__vehicle")
            .order_by("-issued_at")[:100]
        )
        # what the workshop still holds of each line (issued − returned), from the ledger in one query
        held = {
            (row["item_id"], row["repair_order_line_id"]): -row["net"]
            for row in StockMovement.objects.filter(
                repair_order_line_id__in=[r.repair_order_line_id for r in issued],
                kind__in=(MovementKind.ISSUE, MovementKind.RETURN),
            )
            .values("item_id", "repair_order_line_id")
            .annotate(net=Sum("quantity"))
            .order_by()
        }
        for reservation in issued:
            reservation.held = held.get((reservation.item_id, reservation.repair_order_line_id), Decimal("0"))
        context = {
            "reservations": reservations,
            "special_orders": special_orders,
            "issued": [r for r in issued if r.held > 0],
        }
        return render(request, self.template_name, context)


class CounterActionView(RecordActionView):
    """A button of the counter page: the service, its message, back to the counter."""

    def success_url(self, record) -> str:
        return reverse("parts:counter")

    def posted_version(self) -> int | None:
        value = self.request.POST.get("version", "")
        return int(value) if value.isdigit() else None

    def posted_amount(self, name: str, missing: str) -> Decimal:
        try:
            return Decimal(self.request.POST.get(name, ""))
        except InvalidOperation:
            raise ValidationError(missing) from None


class IssueView(CounterActionView):
    model = StockReservation
    permission_required = "parts.add_stockmovement"

    def act(self, reservation, data):
        stock_services.stock_issue(reservation=reservation, by=self.request.user, version=self.posted_version())
        return _("Issued to the workshop.")


class ReleaseView(CounterActionView):
    """Give a reservation back to the shelf (the customer declined the part, the line was changed)."""

    model = StockReservation
    permission_required = "parts.change_stockreservation"

    def act(self, reservation, data):
        stock_services.stock_release(reservation=reservation, by=self.request.user, version=self.posted_version())
        return _("Reservation released; the parts are available again.")


class ReturnView(CounterActionView):
    """Unused parts back from the workshop to the shelf, against the line they were issued to."""

    model = StockReservation
    permission_required = "parts.add_stockmovement"
    related = ("item", "repair_order_line")

    def act(self, reservation, data):
        quantity = self.posted_amount("quantity", _("Give the quantity returned."))
        stock_services.stock_return(
            item=reservation.item, line=reservation.repair_order_line, quantity=quantity, by=self.request.user
        )
        return _("Returned to the shelf.")


class ReceiveSpecialOrderView(CounterActionView):
    model = SpecialOrder
    permission_required = "parts.add_stockmovement"

    def act(self, special_order, data):
        unit_cost = self.posted_amount("unit_cost", _("Give the unit cost of the received part."))
        stock_services.special_order_receive(
            special_order=special_order, unit_cost=unit_cost, by=self.request.user, version=self.posted_version()
        )
        return _("Received and reserved for its repair order.")
