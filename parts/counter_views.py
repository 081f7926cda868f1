"""The parts counter (配件前台): issue reserved parts to the workshop, release them, take back unused parts,
receive special orders."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.mixins import DealerScopedObjectMixin
from parts import services
from parts.choices import MovementKind, ReservationStatus
from parts.models import SpecialOrder, StockMovement, StockReservation
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


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _error(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


class IssueView(DealerScopedObjectMixin, View):
    model = StockReservation
    permission_required = "parts.add_stockmovement"
    write_scope = True

    def post(self, request, pk: int):
        reservation = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.stock_issue(reservation=reservation, by=request.user, version=_version(request))
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Issued to the workshop."))
        return redirect("parts:counter")


class ReleaseView(DealerScopedObjectMixin, View):
    """Give a reservation back to the shelf (the customer declined the part, the line was changed)."""

    model = StockReservation
    permission_required = "parts.change_stockreservation"
    write_scope = True

    def post(self, request, pk: int):
        reservation = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.stock_release(reservation=reservation, by=request.user, version=_version(request))
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Reservation released; the parts are available again."))
        return redirect("parts:counter")


class ReturnView(DealerScopedObjectMixin, View):
    """Unused parts back from the workshop to the shelf, against the line they were issued to."""

    model = StockReservation
    permission_required = "parts.add_stockmovement"
    write_scope = True

    def post(self, request, pk: int):
        reservation = get_object_or_404(self.get_queryset().select_related("item", "repair_order_line"), pk=pk)
        try:
            quantity = Decimal(request.POST.get("quantity", ""))
        except InvalidOperation:
            messages.error(request, _("Give the quantity returned."))
            return redirect("parts:counter")
        try:
            services.stock_return(
                item=reservation.item, line=reservation.repair_order_line, quantity=quantity, by=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Returned to the shelf."))
        return redirect("parts:counter")


class ReceiveSpecialOrderView(DealerScopedObjectMixin, View):
    model = SpecialOrder
    permission_required = "parts.add_stockmovement"
    write_scope = True

    def post(self, request, pk: int):
        special_order = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            unit_cost = Decimal(request.POST.get("unit_cost", ""))
        except InvalidOperation:
            messages.error(request, _("Give the unit cost of the received part."))
            return redirect("parts:counter")
        try:
            services.special_order_receive(
                special_order=special_order, unit_cost=unit_cost, by=request.user, version=_version(request)
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Received and reserved for its repair order."))
        return redirect("parts:counter")
