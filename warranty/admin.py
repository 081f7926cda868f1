from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from warranty.models import WarrantyClaim, WarrantyPolicy


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(SimpleHistoryAdmin):
    """Brands' warranty terms; a brand without a policy gets the defaults of warranty/rules.py."""

    list_display = [
        "brand", "basic_months", "basic_km", "powertrain_months", "powertrain_km", "ev_battery_months",
        "ev_battery_km",
    ]  # fmt: skip
    search_fields = ["brand"]


@admin.register(WarrantyClaim)
class WarrantyClaimAdmin(SimpleHistoryAdmin):
    """Read-only: claims change only through their pages and API (the services keep the rules)."""

    list_display = ["number", "dealer", "repair_order", "status", "failure_code", "total_amount", "submitted_at"]
    list_filter = ["status", "coverage", "dealer"]
    list_select_related = ["dealer", "repair_order"]
    search_fields = ["number", "failure_code", "causal_part_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
