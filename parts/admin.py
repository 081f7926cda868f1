"""Admin: catalogue, prices and warehouses are maintained here; stock and its ledger are read-only."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from parts.models import Part, PartPrice, PurchaseOrder, StockItem, StockMovement, Supplier, Warehouse


@admin.register(Part)
class PartAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "brand", "category", "superseded_by", "is_active"]
    list_filter = ["category", "brand", "is_active"]
    search_fields = ["number_key", "number", "name"]
    raw_id_fields = ["superseded_by"]


@admin.register(PartPrice)
class PartPriceAdmin(SimpleHistoryAdmin):
    list_display = ["part", "dealer", "cost_price", "retail_price"]
    list_filter = ["dealer"]
    list_select_related = ["part", "dealer"]
    raw_id_fields = ["part"]


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "dealer"]
    list_filter = ["dealer"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Stock changes only through the ledger services (receipts, issues, adjustments)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ["part", "warehouse", "on_hand", "reserved", "on_order", "average_cost", "last_movement_at"]
    list_select_related = ["part", "warehouse"]
    list_filter = ["warehouse"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "item", "kind", "quantity", "unit_cost", "on_hand_after", "by"]
    list_select_related = ["item__part", "item__warehouse", "by"]
    list_filter = ["kind"]


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    """Suppliers are maintained here until they get a page of their own."""

    list_display = ["code", "name", "dealer", "phone", "lead_time_days"]
    list_filter = ["dealer"]
    search_fields = ["code", "name"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "dealer", "supplier", "status", "sent_at"]
    list_filter = ["status", "dealer"]
    list_select_related = ["dealer", "supplier"]
