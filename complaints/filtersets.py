import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import UNRESOLVED, EscalationLevel, Status
from complaints.models import Complaint, CrisisAlert
from complaints.services import overdue_q
from core.filters import LocalDayFilter, readable
from organization.models import Dealer

OVERDUE = [
    ("any", _("Any deadline overdue")),
    ("first_contact", _("First contact overdue")),
    ("feedback", _("Feedback overdue")),
    ("resolution", _("Resolution overdue")),
]
ESCALATED = [("any", _("Escalated")), ("1", _("To the service manager")), ("2", _("To the region"))]


class ComplaintFilterSet(django_filters.FilterSet):
    """The filters of the complaints API list and of the complaint list page and its export."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=[("unresolved", _("Not resolved")), *Status.choices], method="filter_status"
    )
    overdue = django_filters.ChoiceFilter(label=_("overdue"), choices=OVERDUE, method="filter_overdue")
    escalated = django_filters.ChoiceFilter(label=_("escalated"), choices=ESCALATED, method="filter_escalated")
    received_from = LocalDayFilter(field_name="received_at", label=_("received from"))
    received_to = LocalDayFilter(field_name="received_at", end=True, label=_("received to"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    owner = django_filters.NumberFilter(field_name="owner_id")
    staff = django_filters.NumberFilter(field_name="staff_id")
    repair_order = django_filters.NumberFilter(field_name="repair_order_id")
    customer = django_filters.NumberFilter(field_name="customer_id")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")

    class Meta:
        model = Complaint
        fields = ["dealer", "status", "category", "severity", "channel", "escalation_level", "owner", "staff"]

    def filter_status(self, queryset, name, value):
        """A status, or *unresolved*: any status before resolved."""
        return queryset.filter(status__in=UNRESOLVED) if value == "unresolved" else queryset.filter(status=value)

    def filter_overdue(self, queryset, name, value):
        """A deadline passed without the step: *any*, or first contact, feedback or resolution."""
        now = timezone.now()
        if value == "any":
            return queryset.filter(overdue_q(now))
        if value == "first_contact":
            return queryset.filter(status__in=UNRESOLVED, first_contact_at__isnull=True, first_contact_due_at__lt=now)
        if value == "feedback":
            return queryset.filter(status__in=UNRESOLVED, feedback_at__isnull=True, feedback_due_at__lt=now)
        return queryset.filter(status__in=UNRESOLVED, resolution_due_at__lt=now)

    def filter_escalated(self, queryset, name, value):
        """*any*: escalated at all; "1": to the service manager (and no further); "2": to the region."""
        if value == "any":
            return queryset.filter(escalation_level__gt=EscalationLevel.NONE)
        return queryset.filter(escalation_level=int(value))

    def filter_q(self, queryset, name, value):
        """Number, complainant, phone, customer, plate or RO number, by its start."""
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(
            Q(number__startswith=q.upper())
            | Q(contact_name__startswith=q)
            | Q(contact_phone__startswith=q)
            | Q(customer__name__startswith=q)
            | Q(vehicle__plate__startswith=q.upper())
            | Q(repair_order__number__startswith=q.upper())
        )


class CrisisAlertFilterSet(django_filters.FilterSet):
    """The filters of the crisis alerts API list and page (``open``: not acknowledged yet)."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    open = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", widget=django_filters.widgets.BooleanWidget
    )

    class Meta:
        model = CrisisAlert
        fields = ["dealer", "level", "reason"]
