"""Read-only API of the parts catalogue, the stock of the user's dealers and its ledger.

Stock changes only through the services (receipts, issues to repair orders…), never by a plain write here.
"""

from django.db.models import DecimalField, ExpressionWrapper, F
from rest_framework import permissions, viewsets

from core.api import DealerScopedViewSetMixin, ScopedModelPermissions
from parts.api import serializers as s
from parts.filtersets import PartFilterSet, StockItemFilterSet, StockMovementFilterSet
from parts.models import Part, StockItem, StockMovement


class ReadOnlyModelPermissions(ScopedModelPermissions):
    """The model's view permission for every method, so a write on these read-only endpoints is a 405."""

    perms_map = {method: ["%(app_label)s.view_%(model_name)s"] for method in ScopedModelPermissions.perms_map}


class PartViewSet(viewsets.ReadOnlyModelViewSet):
    """The parts catalogue (配件目录), shared by the dealers of the group; `current` is the replacement's id."""

    queryset = Part.objects.select_related("superseded_by__superseded_by").order_by("number_key", "brand")
    serializer_class = s.PartSerializer
    filterset_class = PartFilterSet
    permission_classes = [permissions.IsAuthenticated, ReadOnlyModelPermissions]
    ordering_fields = ["number_key", "name"]


class StockItemViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Stock items of the user's dealers' warehouses: on hand (sum of the ledger), reserved, available, value."""

    queryset = (
        StockItem.objects.select_related("warehouse", "part")
        .annotate(value=ExpressionWrapper(F("on_hand") * F("average_cost"), output_field=DecimalField()))
        .order_by("warehouse_id", "part__number_key")
    )
    serializer_class = s.StockItemSerializer
    filterset_class = StockItemFilterSet
    permission_classes = [permissions.IsAuthenticated, ReadOnlyModelPermissions]
    ordering_fields = ["last_movement_at", "on_hand"]


class StockMovementViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The stock ledger of the user's dealers, newest first (never changed: a correction is another movement)."""

    queryset = StockMovement.objects.select_related("by").order_by("-at", "-id")
    serializer_class = s.StockMovementSerializer
    filterset_class = StockMovementFilterSet
    permission_classes = [permissions.IsAuthenticated, ReadOnlyModelPermissions]
    ordering_fields = ["at"]
