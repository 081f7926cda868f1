"""API routes of care (in config/api_urls.py): follow-ups, calls, letters, reminders, campaigns, lapsed customers."""

from rest_framework.routers import SimpleRouter

from care.api.views import (
    CallRecordViewSet,
    CampaignViewSet,
    FollowUpViewSet,
    LapsedCustomerViewSet,
    LetterViewSet,
    ReminderViewSet,
)

router = SimpleRouter()
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("calls", CallRecordViewSet, basename="call")
router.register("letters", LetterViewSet, basename="letter")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("lapsed-customers", LapsedCustomerViewSet, basename="lapsed-customer")

urlpatterns = router.urls
