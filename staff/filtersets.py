import django_filters

from core.filters import readable
from organization.models import Dealer
from staff.models import Assessment, StaffProfile, TrainingRecord


class StaffProfileFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    user = django_filters.NumberFilter(field_name="user_id")

    class Meta:
        model = StaffProfile
        fields = ["dealer", "position", "user"]


class TrainingRecordFilterSet(django_filters.FilterSet):
    profile = django_filters.NumberFilter(field_name="profile_id")
    attended_after = django_filters.DateFilter(field_name="attended_on", lookup_expr="gte")
    attended_before = django_filters.DateFilter(field_name="attended_on", lookup_expr="lte")

    class Meta:
        model = TrainingRecord
        fields = ["profile", "result"]


class AssessmentFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer))
    subject = django_filters.NumberFilter(field_name="subject_id")

    class Meta:
        model = Assessment
        fields = ["dealer", "subject", "kind", "year", "quarter"]
