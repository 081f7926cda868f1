from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.models import Brand, CalendarDaySource, Dealer, DealerCalendarDay, Oem, Region


@admin.register(Oem)
class OemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Brand)
class BrandAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "oem"]
    list_select_related = ["oem"]
    search_fields = ["code", "name"]


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "oem"]
    list_select_related = ["oem"]
    search_fields = ["code", "name"]


@admin.register(Dealer)
class DealerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "region", "city", "service_bays", "is_active"]
    list_filter = ["region", "is_active"]
    list_select_related = ["region"]
    search_fields = ["code", "name", "city"]
    filter_horizontal = ["brands"]


@admin.register(DealerCalendarDay)
class DealerCalendarDayAdmin(SimpleHistoryAdmin):
    """Holidays and make-up working days (national when no dealer is chosen); the SLA clocks count them."""

    list_display = ["date", "kind", "dealer", "note", "source"]
    list_filter = ["kind", "source", "dealer"]
    list_select_related = ["dealer"]
    search_fields = ["note", "dealer__code", "dealer__name"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    def save_model(self, request, obj, form, change):
        # A date changed by hand is the person's from now on: load_holidays no longer updates or removes it.
        if not change or form.has_changed():
            obj.source = CalendarDaySource.MANUAL
        super().save_model(request, obj, form, change)
