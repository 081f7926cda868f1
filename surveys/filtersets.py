import django_filters

from core.filters import readable
from organization.models import Dealer
from surveys.models import SurveyInvitation, SurveyResponse


class SurveyResponseFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    questionnaire = django_filters.NumberFilter(field_name="questionnaire_id")
    advisor = django_filters.NumberFilter(field_name="repair_order__advisor_id")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

    class Meta:
        model = SurveyResponse
        fields = ["dealer", "channel", "low_score", "nps_category", "questionnaire", "repair_order", "advisor"]


class SurveyInvitationFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")

    class Meta:
        model = SurveyInvitation
        fields = ["dealer", "status", "repair_order"]
