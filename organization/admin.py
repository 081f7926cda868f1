from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from organization.models import Brand, Dealer, Oem, Region


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
