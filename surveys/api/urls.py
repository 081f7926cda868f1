"""API routes of surveys (included by config/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from surveys.api.views import PublicSurveyView, QuestionnaireViewSet, SurveyInvitationViewSet, SurveyResponseViewSet

router = SimpleRouter()
router.register("surveys/questionnaires", QuestionnaireViewSet, basename="survey-questionnaire")
router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
router.register("survey-invitations", SurveyInvitationViewSet, basename="survey-invitation")

urlpatterns = [
    path("public/surveys/<str:token>/", PublicSurveyView.as_view(), name="public-survey"),
    *router.urls,
]
