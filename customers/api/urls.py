"""API routes of customers (included by config/api_urls.py): customers and their vehicles."""

from rest_framework.routers import SimpleRouter

from customers.api.views import CustomerViewSet, VehicleViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")

urlpatterns = router.urls
