"""The quality-report API routes (included by config/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from reports.api.views import QualityReportViewSet

router = SimpleRouter()
router.register("quality-reports", QualityReportViewSet, basename="quality-report")

urlpatterns = router.urls
