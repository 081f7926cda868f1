"""API of suppliers (供应商): list and read with delivery performance; create and edit (parts.services.suppliers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedPrimaryKeyField
from organization.models import Dealer
from parts.filtersets import SupplierFilterSet
from parts.models import Supplier
from parts.selectors import suppliers as supplier_selectors
from parts.services import suppliers as supplier_services

SHARE = {"max_digits": 5, "decimal_places": 4, "allow_null": True, "read_only": True}


class SupplierPerformanceSerializer(serializers.Serializer):
    deliveries = serializers.IntegerField(read_only=True)
    on_time = serializers.IntegerField(read_only=True)
    deliveries_with_due_date = serializers.IntegerField(read_only=True)
    on_time_share = serializers.DecimalField(**SHARE, help_text="On-time deliveries / deliveries with a due date.")
    measured_lead_time_days = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True, read_only=True)
    receipt_lines = serializers.IntegerField(read_only=True)
    passed_lines = serializers.IntegerField(read_only=True)
    pass_rate = serializers.DecimalField(**SHARE, help_text="开箱合格率: lines with nothing damaged or short / lines.")


class SupplierSerializer(serializers.ModelSerializer):
    open_orders = serializers.IntegerField(read_only=True, help_text="Draft, sent or partly received POs.")
    performance = serializers.SerializerMethodField()

    class Meta:
        model = Supplier
        fields = [
            "id", "dealer", "code", "name", "contact", "phone", "lead_time_days", "version", "open_orders",
            "performance",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(SupplierPerformanceSerializer)
    def get_performance(self, supplier: Supplier) -> dict:
        performance = self.context.get("performance", {}).get(supplier.pk)
        if performance is None:
            performance = supplier_selectors.supplier_performance([supplier.pk])[supplier.pk]
        return SupplierPerformanceSerializer(performance).data


class SupplierInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    contact = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


class SupplierCreateSerializer(SupplierInputSerializer):
    dealer = ScopedPrimaryKeyField(Dealer)


class SupplierUpdateSerializer(SupplierInputSerializer):
    version = serializers.IntegerField(help_text="The version you read (optimistic lock; 409 if someone saved since).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class SupplierViewSet(
    DealerScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Suppliers of the user's dealers with lead time, on-time delivery share and 开箱合格率."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(open_orders=supplier_selectors.open_orders_count())
            .order_by("dealer_id", "code")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "performance": supplier_selectors.supplier_performance(
            s.pk for s in rows
        )}  # fmt: skip
        data = SupplierSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _reply(self, supplier, code=status.HTTP_200_OK):
        supplier = self.get_queryset().get(pk=supplier.pk)
        return Response(SupplierSerializer(supplier, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=SupplierCreateSerializer, responses={201: SupplierSerializer})
    def create(self, request):
        """Add a supplier to one of your dealers (code unique per dealer)."""
        data_in = SupplierCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        supplier = supplier_services.supplier_create(by=request.user, **data_in.validated_data)
        return self._reply(supplier, status.HTTP_201_CREATED)

    @extend_schema(request=SupplierUpdateSerializer, responses=SupplierSerializer)
    def partial_update(self, request, pk=None):
        """Change a supplier; ``version`` is the one you read (409 if someone saved since)."""
        supplier = self.get_object()
        data_in = SupplierUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        version = data.pop("version")
        supplier_services.supplier_update(supplier=supplier, by=request.user, version=version, **data)
        return self._reply(supplier)
