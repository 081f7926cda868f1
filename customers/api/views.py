"""API for the customer archive: CRUD through the services, owner change as an action."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin
from customers import services
from customers.api.serializers import ChangeOwnerSerializer, CustomerSerializer, VehicleSerializer
from customers.filtersets import CustomerFilterSet, VehicleFilterSet
from customers.models import Customer, Vehicle


class CustomerViewSet(DealerScopedViewSetMixin, viewsets.ModelViewSet):
    """Customers of the user's dealers. Filter by name/mobile prefix, dealer, archive status."""

    queryset = Customer.objects.order_by("-created_at", "-id")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["created_at", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        dealer = data.pop("dealer")
        serializer.instance = services.customer_create(dealer=dealer, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        data.pop("dealer", None)
        serializer.instance = services.customer_update(
            customer=serializer.instance, by=self.request.user, version=version, **data
        )


class VehicleViewSet(DealerScopedViewSetMixin, viewsets.ModelViewSet):
    """Vehicles of the user's dealers. Filter by VIN/plate prefix, owner, dealer."""

    queryset = Vehicle.objects.order_by("-created_at", "-id")
    serializer_class = VehicleSerializer
    filterset_class = VehicleFilterSet
    ordering_fields = ["created_at", "plate", "vin"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        owner = data.pop("owner")
        serializer.instance = services.vehicle_create(owner=owner, by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version")
        data.pop("owner", None)
        data.pop("owner_since", None)
        serializer.instance = services.vehicle_update(
            vehicle=serializer.instance, by=self.request.user, version=version, **data
        )

    @extend_schema(request=ChangeOwnerSerializer, responses=VehicleSerializer)
    @action(detail=True, methods=["post"], url_path="change-owner")
    def change_owner(self, request, pk=None):
        """Transfer the vehicle to another customer of the same dealer; its history stays with it."""
        vehicle = self.get_object()
        # The same permissions as the change-owner page (POST alone only asks for add_vehicle).
        if not request.user.has_perms(["customers.change_vehicle", "customers.add_vehicleownership"]):
            self.permission_denied(request)
        data_in = ChangeOwnerSerializer(data=request.data, context=self.get_serializer_context())
        data_in.is_valid(raise_exception=True)
        with transaction.atomic():
            vehicle = services.vehicle_change_owner(vehicle=vehicle, by=request.user, **data_in.validated_data)
        return Response(VehicleSerializer(vehicle, context=self.get_serializer_context()).data)
