"""API of the service packages: read for the desk, write for the service manager, apply to a repair order."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin
from packages import selectors, services
from packages.api import serializers as s
from packages.filtersets import ServicePackageFilterSet
from packages.models import ServicePackage, ServicePackageItem


class CanApplyPackages(permissions.BasePermission):
    """Applying adds estimate lines: the service checks the desk's permissions and the order's dealer."""

    def has_permission(self, request, view):
        return request.user.has_perm(services.APPLY_PACKAGE)


class ServicePackageViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Service packages (保养套餐) of the user's dealers with their items and current price."""

    queryset = ServicePackage.objects.select_related("dealer", "brand").prefetch_related(
        Prefetch(
            "items",
            queryset=ServicePackageItem.objects.select_related("operation", "part__superseded_by").order_by(
                "position", "id"
            ),
        )
    )
    serializer_class = s.ServicePackageSerializer
    filterset_class = ServicePackageFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "apply":
            return [permissions.IsAuthenticated(), CanApplyPackages()]
        return super().get_permissions()

    def get_queryset(self):
        if self.action == "apply":  # the package must be of a dealer the user changes (the order's)
            return self.queryset.all().for_user(self.request.user, write=True)
        return super().get_queryset().order_by("dealer_id", "brand_id", "first_due_km", "code")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "prices": selectors.prices_of(rows)}
        data = s.ServicePackageSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _reply(self, package, code=status.HTTP_200_OK):
        package = self.queryset.get(pk=package.pk)
        return Response(s.ServicePackageSerializer(package, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=s.PackageCreateSerializer, responses={201: s.ServicePackageSerializer})
    def create(self, request):
        """Add a package to one of your dealers, with its items."""
        data_in = s.PackageCreateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        package = services.package_create(by=request.user, **data_in.validated_data)
        return self._reply(package, status.HTTP_201_CREATED)

    @extend_schema(request=s.PackageUpdateSerializer, responses=s.ServicePackageSerializer)
    def partial_update(self, request, pk=None):
        """Change a package; ``items`` given replace its items; ``version`` is the one you read (409 if stale)."""
        package = self.get_object()
        data_in = s.PackageUpdateSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        data = dict(data_in.validated_data)
        version = data.pop("version")
        services.package_update(package=package, by=request.user, version=version, **data)
        return self._reply(package)

    @extend_schema(request=s.ApplySerializer, responses={201: s.PackageApplicationSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Add every line of the package to a repair order's estimate (one transaction): {"repair_order": id}."""
        package = self.get_object()
        data_in = s.ApplySerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        application = services.package_apply(
            package=package, order=data_in.validated_data["repair_order"], by=request.user
        )
        return Response(s.PackageApplicationSerializer(application).data, status=status.HTTP_201_CREATED)
