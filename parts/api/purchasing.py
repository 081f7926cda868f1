"""API of purchase orders: list, read, draft with lines, send / receive / cancel (parts.services.purchasing)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedPrimaryKeyField
from parts.filtersets import PurchaseOrderFilterSet
from parts.models import Part, PurchaseOrder, PurchaseOrderLine, Supplier, Warehouse
from parts.services import purchasing

VERSION_HELP = "The version you read (optimistic lock; 409 if someone saved since)."
QTY = {"max_digits": 12, "decimal_places": 3}


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    part_number = serializers.CharField(source="part.number", read_only=True)
    part_name = serializers.CharField(source="part.name", read_only=True)
    outstanding = serializers.DecimalField(**QTY, read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id", "part", "part_number", "part_name", "quantity", "unit_cost", "received_quantity",
            "damaged_quantity", "outstanding",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    created_by = serializers.StringRelatedField()
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "dealer", "warehouse", "warehouse_code", "supplier", "supplier_name", "status", "note",
            "created_at", "created_by", "sent_at", "expected_at", "version", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class POLineInputSerializer(serializers.Serializer):
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.filter(is_active=True))
    quantity = serializers.DecimalField(**QTY)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=4)


class PurchaseOrderCreateSerializer(serializers.Serializer):
    """Input of a new draft purchase order, optionally with its lines."""

    warehouse = ScopedPrimaryKeyField(Warehouse)
    supplier = ScopedPrimaryKeyField(Supplier)
    expected_at = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lines = POLineInputSerializer(many=True, required=False, default=list)


class POVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text=VERSION_HELP)


class POReceiptLineInputSerializer(serializers.Serializer):
    po_line = serializers.IntegerField(help_text="Id of a line of this purchase order.")
    received = serializers.DecimalField(**QTY, help_text="Parts that arrived, damaged ones included.")
    damaged = serializers.DecimalField(**QTY, required=False, default=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class POReceiveSerializer(POVersionSerializer):
    lines = POReceiptLineInputSerializer(many=True, allow_empty=False)


class PurchaseOrderViewSet(
    DealerScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Purchase orders (采购订单) of the user's dealers; state changes go through the purchasing services."""

    queryset = (
        PurchaseOrder.objects.select_related("warehouse", "supplier", "created_by")
        .prefetch_related(Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("part").order_by("id")))
        .order_by("-created_at", "-id")
    )
    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilterSet

    def _reply(self, po, code=status.HTTP_200_OK):
        po = self.queryset.get(pk=po.pk)
        return Response(PurchaseOrderSerializer(po, context=self.get_serializer_context()).data, status=code)

    def _input(self, request, serializer_class):
        data_in = serializer_class(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    @extend_schema(request=PurchaseOrderCreateSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request):
        """Draft a purchase order from a supplier into a warehouse, with the lines given."""
        data = self._input(request, PurchaseOrderCreateSerializer)
        lines = data.pop("lines")
        with transaction.atomic():
            po = purchasing.purchase_order_create(by=request.user, **data)
            for line in lines:
                purchasing.purchase_order_add_line(po=po, by=request.user, **line)
        return self._reply(po, status.HTTP_201_CREATED)

    @extend_schema(request=POVersionSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send a draft to the supplier: its parts are now on order."""
        po = self.get_object()
        data = self._input(request, POVersionSerializer)
        return self._reply(purchasing.purchase_order_send(po=po, by=request.user, version=data["version"]))

    @extend_schema(request=POReceiveSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Record a delivery; good parts go into stock, more than outstanding is refused (400)."""
        po = self.get_object()
        data = self._input(request, POReceiveSerializer)
        purchasing.purchase_order_receive(po=po, lines=data["lines"], by=request.user, version=data["version"])
        return self._reply(po)

    @extend_schema(request=POVersionSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the order (or what is still outstanding of it)."""
        po = self.get_object()
        data = self._input(request, POVersionSerializer)
        return self._reply(purchasing.purchase_order_cancel(po=po, by=request.user, version=data["version"]))
