"""API of surveys: questionnaires, responses and invitations (tenant-scoped) and the one public endpoint."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api import DealerScopedViewSetMixin, django_validation_error_to_drf
from surveys import services
from surveys.api import serializers as s
from surveys.choices import ResponseChannel
from surveys.filtersets import SurveyInvitationFilterSet, SurveyResponseFilterSet
from surveys.models import Question, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse

QUESTIONS = Prefetch("questions", queryset=Question.objects.order_by("position", "id"))


class QuestionnaireViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Questionnaire versions: the shared templates and the user's dealers' own versions."""

    queryset = Questionnaire.objects.order_by("code", "-version", "id")
    filterset_fields = ["code", "is_active"]

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.prefetch_related(QUESTIONS) if self.action == "retrieve" else qs

    def get_serializer_class(self):
        return s.QuestionnaireListSerializer if self.action == "list" else s.QuestionnaireSerializer


class SurveyResponseViewSet(DealerScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Survey responses of the user's dealers with their scores (answers on the single response)."""

    queryset = SurveyResponse.objects.select_related("repair_order").order_by("-submitted_at", "-id")
    filterset_class = SurveyResponseFilterSet
    ordering_fields = ["submitted_at", "csi_score", "nps_score"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            answers = SurveyAnswer.objects.select_related("question").order_by("question__position", "id")
            qs = qs.prefetch_related(Prefetch("answers", queryset=answers))
        return qs

    def get_serializer_class(self):
        return s.SurveyResponseListSerializer if self.action == "list" else s.SurveyResponseSerializer


class CanViewInvitations(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("surveys.view_surveyinvitation")


class SurveyInvitationViewSet(DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                              viewsets.GenericViewSet):  # fmt: skip
    """Survey links sent to customers (the link itself is never stored); ``reissue`` sends a new one."""

    queryset = SurveyInvitation.objects.select_related("repair_order").order_by("-created_at", "-id")
    serializer_class = s.SurveyInvitationSerializer
    filterset_class = SurveyInvitationFilterSet

    def get_permissions(self):
        if self.action == "reissue":  # the service checks the right to send links (change_surveyinvitation)
            return [permissions.IsAuthenticated(), CanViewInvitations()]
        return super().get_permissions()

    @extend_schema(request=None, responses={201: s.IssuedInvitationSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Send a new link for this visit (the previous one stops working); the link is in this reply only."""
        invitation = self.get_object()
        issued = services.invitation_reissue(
            invitation=invitation, by=request.user, base_url=request.build_absolute_uri("/")
        )
        data = {"invitation": issued.invitation, "link": issued.link}
        return Response(s.IssuedInvitationSerializer(data).data, status=status.HTTP_201_CREATED)


class PublicSurveyThrottle(AnonRateThrottle):
    """Per client IP, for the public survey endpoint only."""

    scope = "public_survey"
    rate = getattr(settings, "SURVEY_PUBLIC_RATE", "30/minute")


class PublicSurveyView(APIView):
    """The survey of one visit for the holder of its link: no login. Unknown, expired and used links are all 404."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicSurveyThrottle]

    def _invitation(self, token):
        invitation = services.invitation_for_token(token)
        if invitation is None:
            raise NotFound(_("This survey is not open."))
        return invitation

    @extend_schema(responses={200: s.PublicSurveySerializer, 404: OpenApiResponse(description="Not open")})
    def get(self, request, token: str):
        """The questions, in the language asked for (Accept-Language), with the visit's masked details."""
        invitation = self._invitation(token)
        questionnaire = invitation.questionnaire
        questions = [
            {
                "code": q.code,
                "section": q.section,
                "text": q.text,
                "kind": q.kind,
                "required": q.required,
                "options": [{"value": v, "label": label} for v, label in q.localized_options()],
            }
            for q in services.questions_of(questionnaire)
        ]
        data = {
            **services.public_survey_header(invitation), "title": questionnaire.name, "intro": questionnaire.intro,
            "questions": questions,
        }  # fmt: skip
        response = Response(s.PublicSurveySerializer(data).data)
        response["Cache-Control"] = "no-store, private"
        return response

    @extend_schema(
        request=s.PublicAnswersSerializer,
        responses={201: s.PublicThanksSerializer, 400: OpenApiResponse(description="Answer errors by question code"),
                   404: OpenApiResponse(description="Not open")},
    )  # fmt: skip
    def post(self, request, token: str):
        """Answer the survey, once: {"answers": {"SA1": 5, "SQ3": "yes", "IMP": ["price"], "TXT": "…"}}."""
        invitation = self._invitation(token)
        data_in = s.PublicAnswersSerializer(data=request.data)
        data_in.is_valid(raise_exception=True)
        try:
            services.survey_record_response(
                invitation_or_order=invitation, answers=data_in.validated_data["answers"],
                channel=ResponseChannel.LINK, language=get_language() or "",
            )  # fmt: skip
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("closed", "answered"):
                raise NotFound(_("This survey is not open.")) from exc
            raise django_validation_error_to_drf(exc) from exc
        return Response({"detail": _("Thank you for your answers.")}, status=status.HTTP_201_CREATED)
