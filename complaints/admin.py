from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import Complaint, ComplaintPolicy, CrisisAlert


@admin.register(ComplaintPolicy)
class ComplaintPolicyAdmin(SimpleHistoryAdmin):
    """SLA targets and crisis thresholds; the one without a dealer is the default."""

    list_display = [
        "__str__", "first_contact_hours", "feedback_days", "resolution_days_low", "resolution_days_medium",
        "resolution_days_high", "resolution_days_critical", "region_escalation_days", "crisis_count",
        "crisis_window_days",
    ]  # fmt: skip
    list_select_related = ["dealer"]


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    """Read-only here: complaints change through their pages and the API (the services keep the SLA)."""

    list_display = ["number", "dealer", "category", "severity", "status", "escalation_level", "received_at"]
    list_filter = ["status", "category", "severity", "escalation_level", "dealer"]
    list_select_related = ["dealer"]
    search_fields = ["number", "contact_name", "contact_phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CrisisAlert)
class CrisisAlertAdmin(SimpleHistoryAdmin):
    list_display = ["summary", "dealer", "level", "reason", "raised_at", "acknowledged_at"]
    list_filter = ["level", "reason", "dealer"]
    list_select_related = ["dealer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
