"""API of warranty claims: list, read, draft from a repair order, change or discard a draft, and the steps."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin, ScopedModelPermissions
from repairs.models import RepairOrderLine
from warranty import services
from warranty.api import serializers as s
from warranty.filtersets import WarrantyClaimFilterSet
from warranty.models import WarrantyClaim

LIST_RELATED = ("repair_order", "vehicle", "created_by", "submitted_by", "decided_by", "paid_by")


class CanViewWarrantyClaims(permissions.BasePermission):
    """The steps check their own permission in the service (an advisor submits, a manager decides)."""

    def has_permission(self, request, view):
        return request.user.has_perm("warranty.view_warrantyclaim")


class WarrantyClaimViewSet(
    DealerScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Warranty claims (三包索赔) of the user's dealers. POST drafts one from a repair order's warranty lines."""

    queryset = WarrantyClaim.objects.select_related(*LIST_RELATED).order_by("-created_at", "-id")
    filterset_class = WarrantyClaimFilterSet
    ordering_fields = ["created_at", "submitted_at", "total_amount"]

    def get_permissions(self):
        if self.action in ("list", "retrieve", "create", "partial_update", "destroy"):
            return [permissions.IsAuthenticated(), ScopedModelPermissions()]
        return [permissions.IsAuthenticated(), CanViewWarrantyClaims()]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related(Prefetch("lines", queryset=RepairOrderLine.objects.order_by("position", "id")))
        return qs

    def get_serializer_class(self):
        return s.WarrantyClaimListSerializer if self.action == "list" else s.WarrantyClaimSerializer

    def _reply(self, claim, code=status.HTTP_200_OK):
        claim = WarrantyClaim.objects.select_related(*LIST_RELATED).prefetch_related("lines").get(pk=claim.pk)
        return Response(s.WarrantyClaimSerializer(claim, context=self.get_serializer_context()).data, status=code)

    def _input(self, request, serializer_class, **kwargs):
        data_in = serializer_class(data=request.data, context=self.get_serializer_context(), **kwargs)
        data_in.is_valid(raise_exception=True)
        return dict(data_in.validated_data)

    @extend_schema(request=s.ClaimCreateSerializer, responses={201: s.WarrantyClaimSerializer})
    def create(self, request):
        """Draft a claim for warranty-paid lines of a repair order that is in the workshop or later."""
        data = self._input(request, s.ClaimCreateSerializer)
        order, line_ids = data.pop("repair_order"), data.pop("lines")
        claim = services.claim_create_from_order(order=order, line_ids=line_ids, by=request.user, **data)
        return self._reply(claim, status.HTTP_201_CREATED)

    @extend_schema(request=s.ClaimUpdateSerializer, responses=s.WarrantyClaimSerializer)
    def partial_update(self, request, pk=None):
        """Change the failure, causal part, coverage or goodwill note of a draft (send the version)."""
        claim = self.get_object()
        data = self._input(request, s.ClaimUpdateSerializer, partial=True)
        version = data.pop("version", None)
        return self._reply(services.claim_update(claim=claim, by=request.user, version=version, **data))

    @extend_schema(request=s.ClaimVersionSerializer, responses={204: None})
    def destroy(self, request, pk=None):
        """Discard a draft claim (send the version, in the body or as ?version=); its lines can be claimed again."""
        claim = self.get_object()
        payload = request.data if "version" in request.data else request.query_params
        data_in = s.ClaimVersionSerializer(data={"version": payload.get("version")})
        data_in.is_valid(raise_exception=True)
        services.claim_delete(claim=claim, by=request.user, version=data_in.validated_data["version"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.ClaimVersionSerializer, responses=s.WarrantyClaimSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft to the maker; refused (400, with the reason) when the car is out of warranty."""
        claim = self.get_object()
        data = self._input(request, s.ClaimVersionSerializer)
        return self._reply(services.claim_submit(claim=claim, by=request.user, version=data["version"]))

    @extend_schema(request=s.ClaimDecisionSerializer, responses=s.WarrantyClaimSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Record the maker's decision: {"approved": true, "approved_amount": "…"} or a rejection reason."""
        claim = self.get_object()
        data = self._input(request, s.ClaimDecisionSerializer)
        return self._reply(services.claim_decide(claim=claim, by=request.user, **data))

    @extend_schema(request=s.ClaimPaymentSerializer, responses=s.WarrantyClaimSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request, pk=None):
        """Record the maker's payment of an approved claim (the approved amount unless given)."""
        claim = self.get_object()
        data = self._input(request, s.ClaimPaymentSerializer)
        return self._reply(services.claim_mark_paid(claim=claim, by=request.user, **data))
