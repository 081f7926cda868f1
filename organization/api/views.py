from rest_framework import viewsets

from core.api import DealerScopedViewSetMixin
from organization.api.serializers import DealerSerializer
from organization.filtersets import DealerFilterSet
from organization.models import Dealer


class DealerViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Dealers the user works for (or reads, as a region manager)."""

    queryset = Dealer.objects.select_related("region").prefetch_related("brands").order_by("code")
    serializer_class = DealerSerializer
    filterset_class = DealerFilterSet
    ordering_fields = ["code", "name"]
