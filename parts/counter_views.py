"""The parts counter (配件前台): issue reserved parts to the workshop, receive special orders."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.mixins import DealerScopedObjectMixin
from parts import services
from parts.choices import ReservationStatus
from parts.models import SpecialOrder, StockReservation
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
        return render(request, self.template_name, {"reservations": reservations, "special_orders": special_orders})


class IssueView(DealerScopedObjectMixin, View):
    model = StockReservation
    permission_required = "parts.add_stockmovement"
    write_scope = True

    def post(self, request, pk: int):
        reservation = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.stock_issue(reservation=reservation, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Issued to the workshop."))
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
            services.special_order_receive(special_order=special_order, unit_cost=unit_cost, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Received and reserved for its repair order."))
        return redirect("parts:counter")
