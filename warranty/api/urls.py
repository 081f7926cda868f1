"""API routes of warranty (included by config/api_urls.py): warranty claims."""

from rest_framework.routers import SimpleRouter

from warranty.api.views import WarrantyClaimViewSet

router = SimpleRouter()
router.register("warranty-claims", WarrantyClaimViewSet, basename="warranty-claim")

urlpatterns = router.urls
