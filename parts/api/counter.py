"""API of the parts counter: stock reservations and special orders of repair-order lines.

Reading needs the model's view permission; creating and the steps (issue, release, receive) go through the same
services as the pages (parts.services.stock), with 400 field errors and 409 when the version sent is not current.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedPrimaryKeyField
from parts.models import SpecialOrder, StockItem, StockReservation
from parts.services import stock as stock_services
from repairs.models import RepairOrderLine

QTY = {"max_digits": 12, "decimal_places": 3}
VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."


class StockReservationSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="item.warehouse.dealer_id", read_only=True)
    warehouse = serializers.IntegerField(source="item.warehouse_id", read_only=True)
    part = serializers.IntegerField(source="item.part_id", read_only=True)
    part_number = serializers.CharField(source="item.part.number", read_only=True)
    repair_order = serializers.IntegerField(source="repair_order_line.order_id", read_only=True)
    repair_order_number = serializers.CharField(source="repair_order_line.order.number", read_only=True)
    by = serializers.StringRelatedField()

    class Meta:
        model = StockReservation
        fields = [
            "id", "dealer", "warehouse", "item", "part", "part_number", "repair_order", "repair_order_number",
            "repair_order_line", "quantity", "status", "requested_at", "issued_at", "by", "version",
        ]  # fmt: skip
        read_only_fields = fields


class StockReservationCreateSerializer(serializers.Serializer):
    repair_order_line = ScopedPrimaryKeyField(RepairOrderLine, select_related=("order", "part"))
    item = ScopedPrimaryKeyField(
        StockItem, select_related=("warehouse", "part"), required=False, allow_null=True, default=None,
        help_text="Stock item to reserve from; empty: the line's current part in the dealer's main warehouse.",
    )  # fmt: skip
    quantity = serializers.DecimalField(**QTY, required=False, allow_null=True, default=None)


class CounterVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class SpecialOrderSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="warehouse.dealer_id", read_only=True)
    part_number = serializers.CharField(source="part.number", read_only=True)
    repair_order = serializers.IntegerField(source="repair_order_line.order_id", read_only=True)
    repair_order_number = serializers.CharField(source="repair_order_line.order.number", read_only=True)
    by = serializers.StringRelatedField()

    class Meta:
        model = SpecialOrder
        fields = [
            "id", "dealer", "warehouse", "part", "part_number", "repair_order", "repair_order_number",
            "repair_order_line", "quantity", "deposit", "status", "requested_at", "received_at", "by", "version",
        ]  # fmt: skip
        read_only_fields = fields


class SpecialOrderCreateSerializer(serializers.Serializer):
    repair_order_line = ScopedPrimaryKeyField(RepairOrderLine, select_related=("order", "part"))
    quantity = serializers.DecimalField(**QTY, required=False, allow_null=True, default=None)
    deposit = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)


class SpecialOrderReceiveSerializer(CounterVersionSerializer):
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)


class CounterFilterSet(django_filters.FilterSet):
    """Plain ids: the queryset is already scoped, so another dealer's order finds nothing."""

    repair_order = django_filters.NumberFilter(field_name="repair_order_line__order_id")


class StockReservationFilterSet(CounterFilterSet):
    class Meta:
        model = StockReservation
        fields = ["status", "item", "repair_order"]


class SpecialOrderFilterSet(CounterFilterSet):
    class Meta:
        model = SpecialOrder
        fields = ["status", "warehouse", "repair_order"]


class _CounterViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    def _input(self, request, serializer_class) -> dict:
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    def _reply(self, record, code=status.HTTP_200_OK):
        record = self.queryset.get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=code)


class StockReservationViewSet(_CounterViewSet):
    """Stock reserved for repair-order lines of the user's dealers; issue hands it out, release frees it."""

    queryset = StockReservation.objects.select_related(
        "item__warehouse", "item__part", "repair_order_line__order", "by"
    ).order_by("-requested_at", "-id")
    serializer_class = StockReservationSerializer
    filterset_class = StockReservationFilterSet

    @extend_schema(request=StockReservationCreateSerializer, responses={201: StockReservationSerializer})
    def create(self, request):
        """Reserve stock for a part line (400 with field errors when not enough is available)."""
        data = self._input(request, StockReservationCreateSerializer)
        reservation = stock_services.repair_order_line_reserve(
            line=data["repair_order_line"], item=data["item"], quantity=data["quantity"], by=request.user
        )
        return self._reply(reservation, status.HTTP_201_CREATED)

    @extend_schema(request=CounterVersionSerializer, responses=StockReservationSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Hand the reserved parts to the workshop (an issue movement)."""
        reservation = self.get_object()
        data = self._input(request, CounterVersionSerializer)
        stock_services.stock_issue(reservation=reservation, by=request.user, version=data["version"])
        return self._reply(reservation)

    @extend_schema(request=CounterVersionSerializer, responses=StockReservationSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Give the reserved parts back to the shelf."""
        reservation = self.get_object()
        data = self._input(request, CounterVersionSerializer)
        stock_services.stock_release(reservation=reservation, by=request.user, version=data["version"])
        return self._reply(reservation)


class SpecialOrderViewSet(_CounterViewSet):
    """Parts ordered for repair-order lines of the user's dealers; receive puts them in stock and reserves them."""

    queryset = SpecialOrder.objects.select_related("part", "repair_order_line__order", "warehouse", "by").order_by(
        "-requested_at", "-id"
    )
    serializer_class = SpecialOrderSerializer
    filterset_class = SpecialOrderFilterSet

    @extend_schema(request=SpecialOrderCreateSerializer, responses={201: SpecialOrderSerializer})
    def create(self, request):
        """Special-order the part of a repair-order line (optionally with the customer's deposit)."""
        data = self._input(request, SpecialOrderCreateSerializer)
        special = stock_services.special_order_create(
            line=data["repair_order_line"], quantity=data["quantity"], deposit=data["deposit"], by=request.user
        )
        return self._reply(special, status.HTTP_201_CREATED)

    @extend_schema(request=SpecialOrderReceiveSerializer, responses=SpecialOrderSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """The part arrived: into stock at the unit cost given, and reserved for its line."""
        special = self.get_object()
        data = self._input(request, SpecialOrderReceiveSerializer)
        stock_services.special_order_receive(
            special_order=special, unit_cost=data["unit_cost"], by=request.user, version=data["version"]
        )
        return self._reply(special)
