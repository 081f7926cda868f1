from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from appointments.models import Appointment


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    """Read-only: bookings and every status change go through the pages/API (capacity, reminders, repair order)."""

    list_display = ["slot_start", "vehicle", "customer", "dealer", "channel", "status", "advisor"]
    list_filter = ["status", "channel", "dealer"]
    list_select_related = ["vehicle", "customer", "dealer", "advisor"]
    search_fields = ["vehicle__plate", "customer__mobile", "customer__name"]
    date_hierarchy = "slot_start"
    raw_id_fields = ["vehicle", "customer", "advisor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
