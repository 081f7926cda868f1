"""API routes of repairs (included by config/api_urls.py): repair orders."""

from rest_framework.routers import SimpleRouter

from repairs.api.views import RepairOrderViewSet

router = SimpleRouter()
router.register("repair-orders", RepairOrderViewSet, basename="repair-order")

urlpatterns = router.urls
