"""The parts pages (namespace ``parts``): catalogue, stock, counter, purchasing, stock-takes, suppliers, reports."""

from django.urls import path

from parts.views import catalogue, counter, picker, purchasing, reports, stock, suppliers

app_name = "parts"
urlpatterns = [
    path("parts/", catalogue.CatalogueView.as_view(), name="catalogue"),
    path("parts/export.<str:fmt>", catalogue.CatalogueExportView.as_view(), name="catalogue_export"),
    path("parts/import/", catalogue.CatalogueImportView.as_view(), name="catalogue_import"),
    path("parts/<int:pk>/", catalogue.PartDetailView.as_view(), name="part_detail"),
    path("parts/picker/", picker.PartPickerView.as_view(), name="picker"),
    path("parts/warehouses/", stock.WarehouseListView.as_view(), name="warehouse_list"),
    path("parts/warehouses/<int:pk>/", stock.StockListView.as_view(), name="stock_list"),
    path("parts/stock/<int:pk>/", stock.StockItemView.as_view(), name="stock_item"),
    path("parts/stock/<int:pk>/receive/", stock.StockReceiveView.as_view(), name="stock_receive"),
    path("parts/stock/<int:pk>/adjust/", stock.StockAdjustView.as_view(), name="stock_adjust"),
    path("parts/stock/<int:pk>/transfer/", stock.StockTransferView.as_view(), name="stock_transfer"),
    # the parts counter
    path("parts/counter/", counter.PartsCounterView.as_view(), name="counter"),
    path("parts/counter/issue/<int:pk>/", counter.IssueView.as_view(), name="counter_issue"),
    path("parts/counter/release/<int:pk>/", counter.ReleaseView.as_view(), name="counter_release"),
    path("parts/counter/return/<int:pk>/", counter.ReturnView.as_view(), name="counter_return"),
    path("parts/counter/receive/<int:pk>/", counter.ReceiveSpecialOrderView.as_view(), name="counter_receive"),
    # reports
    path("parts/reports/", reports.PartsReportView.as_view(), name="reports"),
    path("parts/reports/dead-stock.xlsx", reports.DeadStockExportView.as_view(), name="dead_stock_export"),
    # purchasing and stock-takes
    path("parts/purchase-orders/", purchasing.PurchaseOrderListView.as_view(), name="po_list"),
    path("parts/purchase-orders/new/", purchasing.PurchaseOrderCreateView.as_view(), name="po_create"),
    path("parts/purchase-orders/<int:pk>/", purchasing.PurchaseOrderDetailView.as_view(), name="po_detail"),
    path("parts/purchase-orders/<int:pk>/lines/", purchasing.POAddLineView.as_view(), name="po_add_line"),
    path("parts/purchase-orders/<int:pk>/send/", purchasing.POSendView.as_view(), name="po_send"),
    path("parts/purchase-orders/<int:pk>/receive/", purchasing.POReceiveView.as_view(), name="po_receive"),
    path("parts/purchase-orders/<int:pk>/cancel/", purchasing.POCancelView.as_view(), name="po_cancel"),
    path("parts/warehouses/<int:pk>/reorder/", purchasing.ReorderView.as_view(), name="reorder"),
    path("parts/stocktakes/", purchasing.StockTakeListView.as_view(), name="stocktake_list"),
    path("parts/stocktakes/open/", purchasing.StockTakeOpenView.as_view(), name="stocktake_open"),
    path("parts/stocktakes/<int:pk>/", purchasing.StockTakeDetailView.as_view(), name="stocktake_detail"),
    path(
        "parts/stocktakes/<int:pk>/variance.xlsx",
        purchasing.StockTakeVarianceExportView.as_view(),
        name="stocktake_export",
    ),
    path("parts/stocktakes/<int:pk>/count/", purchasing.StockTakeCountView.as_view(), name="stocktake_count"),
    path("parts/stocktakes/<int:pk>/approve/", purchasing.StockTakeApproveView.as_view(), name="stocktake_approve"),
    # suppliers
    path("parts/suppliers/", suppliers.SupplierListView.as_view(), name="supplier_list"),
    path("parts/suppliers/new/", suppliers.SupplierCreateView.as_view(), name="supplier_create"),
    path("parts/suppliers/<int:pk>/", suppliers.SupplierDetailView.as_view(), name="supplier_detail"),
    path("parts/suppliers/<int:pk>/edit/", suppliers.SupplierEditView.as_view(), name="supplier_edit"),
]
