import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import readable
from organization.models import Dealer
from staff import selectors
from staff.choices import CertificateKind, CertificateStatus, TrainingStatus
from staff.models import Assessment, Certificate, StaffProfile, TrainingRecord


class StaffProfileFilterSet(django_filters.FilterSet):
    """The filters of the staff API list and of the staff list, training report and scorecard pages."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    user = django_filters.NumberFilter(field_name="user_id")
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    certificate = django_filters.ChoiceFilter(
        choices=CertificateStatus.choices, method="filter_certificate", label=_("certificates")
    )
    training = django_filters.ChoiceFilter(
        choices=TrainingStatus.choices, method="filter_training", label=_("training")
    )
    former = django_filters.BooleanFilter(
        method="filter_former", widget=django_filters.widgets.BooleanWidget, label=_("include former staff")
    )

    class Meta:
        model = StaffProfile
        fields = ["dealer", "position", "user"]

    def filter_q(self, queryset, name, value):
        """Employee number, username or surname by its start, or any part of the display name."""
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(
            Q(employee_number__istartswith=q)
            | Q(user__username__istartswith=q)
            | Q(user__display_name__icontains=q)
            | Q(user__last_name__istartswith=q)
        )

    def filter_certificate(self, queryset, name, value):
        if "certificate_status" not in queryset.query.annotations:
            queryset = selectors.annotate_certificate_status(queryset, today=timezone.localdate())
        return queryset.filter(certificate_status=value)

    def filter_training(self, queryset, name, value):
        if "training_ok" not in queryset.query.annotations:
            queryset = selectors.annotate_training(queryset, as_of=timezone.localdate())
        return queryset.filter(training_ok=value == TrainingStatus.ON_TRACK)

    def filter_former(self, queryset, name, value):
        """``false``: only the staff employed today; ``true``: former staff too."""
        return queryset if value else queryset.filter(selectors.active_on_q(timezone.localdate()))


class CertificateFilterSet(django_filters.FilterSet):
    """The certificates page: those that need action (the default), expired, expiring or all; kind; dealer."""

    status = django_filters.ChoiceFilter(
        label=_("status"),
        empty_label=None,
        choices=[
            ("attention", _("Expired or expiring, not renewed")),
            (CertificateStatus.EXPIRED, _("Expired, not renewed")),
            (CertificateStatus.EXPIRING, _("Expires within 30 days")),
            ("all", _("All certificates")),
        ],
        method="in_filter_queryset",
    )
    kind = django_filters.ChoiceFilter(
        label=_("certificate"), choices=CertificateKind.choices, empty_label=_("Any kind")
    )
    dealer = django_filters.ModelChoiceFilter(
        field_name="profile__dealer", queryset=readable(Dealer), label=_("dealer")
    )

    class Meta:
        model = Certificate
        fields = []

    def in_filter_queryset(self, queryset, name, value):
        return queryset  # an empty status is the default one: filter_queryset applies it

    def filter_queryset(self, queryset):
        today = timezone.localdate()
        status = self.form.cleaned_data.get("status") or "attention"
        queryset = super().filter_queryset(queryset)
        if status == "all":
            return queryset
        needing_action = selectors.open_expiring_certificates(today=today)
        if status == CertificateStatus.EXPIRED:
            needing_action = needing_action.filter(expires_on__lt=today)
        elif status == CertificateStatus.EXPIRING:
            needing_action = needing_action.filter(expires_on__gte=today)
        return queryset.filter(pk__in=needing_action.values("pk"))


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
