"""Admin: the labour catalogue is maintained here; repair orders are read-only (their rules live in the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from repairs.models import LabourOperation, RepairOrder, WorkshopBay


@admin.register(LabourOperation)
class LabourOperationAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "dealer", "job_type", "fault_category", "standard_hours", "is_active"]
    list_filter = ["dealer", "job_type", "fault_category", "is_active"]
    list_select_related = ["dealer"]
    search_fields = ["code", "name"]


@admin.register(RepairOrder)
class RepairOrderAdmin(SimpleHistoryAdmin):
    """Look only: every change of a repair order goes through the order page or the API."""

    list_display = ["number", "dealer", "vehicle", "status", "job_type", "opened_at", "delivered_at"]
    list_filter = ["dealer", "status", "job_type"]
    list_select_related = ["dealer", "vehicle"]
    search_fields = ["number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkshopBay)
class WorkshopBayAdmin(SimpleHistoryAdmin):
    """The dealers' named service bays (工位); the foreman puts cars on them from the workshop board."""

    list_display = ["code", "name", "dealer", "kind", "position", "is_active"]
    list_filter = ["dealer", "kind", "is_active"]
    list_select_related = ["dealer"]
    search_fields = ["code", "name"]
