import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import LocalDayFilter, readable
from organization.models import Dealer
from surveys.choices import InvitationStatus, ResponseChannel
from surveys.forms import PeriodFilterForm
from surveys.models import SurveyInvitation, SurveyResponse


class SurveyResponseFilterSet(django_filters.FilterSet):
    """The filters of the survey responses API list and of the results, responses page and export."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    questionnaire = django_filters.NumberFilter(field_name="questionnaire_id")
    advisor = django_filters.NumberFilter(field_name="repair_order__advisor_id")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    start = LocalDayFilter(field_name="submitted_at", label=_("from"))
    end = LocalDayFilter(field_name="submitted_at", end=True, label=_("to"))
    channel = django_filters.ChoiceFilter(choices=ResponseChannel.choices)
    low = django_filters.BooleanFilter(
        method="filter_low", widget=django_filters.widgets.BooleanWidget, label=_("low scores only")
    )

    class Meta:
        model = SurveyResponse
        fields = ["dealer", "channel", "low_score", "nps_category", "questionnaire", "repair_order", "advisor"]

    def filter_low(self, queryset, name, value):
        return queryset.filter(low_score=True) if value else queryset


class SurveyPeriodFilterSet(SurveyResponseFilterSet):
    """The results pages' filters: the API's, over a period of days that defaults to the last 30."""

    class Meta(SurveyResponseFilterSet.Meta):
        form = PeriodFilterForm


class SurveyInvitationFilterSet(django_filters.FilterSet):
    """The filters of the invitations API list and page; *sent* is a link still valid, *expired* one past it."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    status = django_filters.ChoiceFilter(
        choices=[*InvitationStatus.choices, ("expired", _("Expired"))], method="filter_status", label=_("status")
    )
    q = django_filters.CharFilter(method="filter_q", max_length=40, label=_("Search"))

    class Meta:
        model = SurveyInvitation
        fields = ["dealer", "status", "repair_order"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == "expired":
            return queryset.filter(status=InvitationStatus.SENT, expires_at__lte=now)
        if value == InvitationStatus.SENT:
            return queryset.filter(status=InvitationStatus.SENT, expires_at__gt=now)
        return queryset.filter(status=value)

    def filter_q(self, queryset, name, value):
        """RO number (its start) or plate (any part)."""
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(
            Q(repair_order__number__startswith=q.upper()) | Q(repair_order__vehicle__plate__icontains=q)
        )
