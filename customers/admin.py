from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin import VersionedHistoryAdmin
from customers.models import Customer, Vehicle, VehicleOwnership


@admin.register(Customer)
class CustomerAdmin(VersionedHistoryAdmin):
    tenant_fields = ("dealer",)
    list_display = ["name", "mobile", "dealer", "archive_complete", "created_at"]
    list_filter = ["dealer", "archive_complete", "kind"]
    list_select_related = ["dealer"]
    search_fields = ["name", "mobile"]
    readonly_fields = ["archive_complete", "archive_completed_at", "consent_at"]


@admin.register(Vehicle)
class VehicleAdmin(VersionedHistoryAdmin):
    """Owner changes go through the vehicle page (they keep the ownership history)."""

    tenant_fields = ("dealer", "owner")
    list_display = ["plate", "vin", "brand", "model_name", "owner", "dealer"]
    list_filter = ["dealer", "fuel_type"]
    list_select_related = ["dealer", "owner"]
    search_fields = ["plate", "vin"]
    raw_id_fields = ["owner"]
    readonly_fields = ["mileage_recorded_at"]


@admin.register(VehicleOwnership)
class VehicleOwnershipAdmin(SimpleHistoryAdmin):
    list_display = ["vehicle", "customer", "started_on", "ended_on"]
    list_select_related = ["vehicle", "customer"]
    raw_id_fields = ["vehicle", "customer"]
