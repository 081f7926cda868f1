"""API routes of complaints (included by config/api_urls.py): complaints and crisis alerts."""

from rest_framework.routers import SimpleRouter

from complaints.api.views import ComplaintViewSet, CrisisAlertViewSet

router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("crisis-alerts", CrisisAlertViewSet, basename="crisis-alert")

urlpatterns = router.urls
