"""API routes of appointments (included by config/api_urls.py): appointments."""

from rest_framework.routers import SimpleRouter

from appointments.api.views import AppointmentViewSet

router = SimpleRouter()
router.register("appointments", AppointmentViewSet, basename="appointment")

urlpatterns = router.urls
