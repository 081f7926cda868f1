"""The REST API, version 1."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from customers.api.views import CustomerViewSet, VehicleViewSet
from organization.api.views import DealerViewSet
from repairs.api.views import RepairOrderViewSet

router = DefaultRouter()
router.register("dealers", DealerViewSet, basename="dealer")
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("repair-orders", RepairOrderViewSet, basename="repair-order")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
