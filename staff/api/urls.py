"""API routes of staff (included by config/api_urls.py): staff profiles, training records and assessments."""

from rest_framework.routers import SimpleRouter

from staff.api.views import AssessmentViewSet, StaffProfileViewSet, TrainingRecordViewSet

router = SimpleRouter()
router.register("staff", StaffProfileViewSet, basename="staff-profile")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
