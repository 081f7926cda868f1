from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the domains' events (notifications.services.notify)."""

    list_display = ("created_at", "recipient", "dealer", "event", "read_at")
    list_filter = ("event", "dealer")
    search_fields = ("recipient__username", "key")
    list_select_related = ("recipient", "dealer")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
