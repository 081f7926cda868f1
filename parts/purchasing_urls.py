from django.urls import path

from parts import purchasing_views as v
from parts import supplier_views

urlpatterns = [
    path("parts/purchase-orders/", v.PurchaseOrderListView.as_view(), name="po_list"),
    path("parts/purchase-orders/new/", v.PurchaseOrderCreateView.as_view(), name="po_create"),
    path("parts/purchase-orders/<int:pk>/", v.PurchaseOrderDetailView.as_view(), name="po_detail"),
    path("parts/purchase-orders/<int:pk>/lines/", v.POAddLineView.as_view(), name="po_add_line"),
    path("parts/purchase-orders/<int:pk>/send/", v.POSendView.as_view(), name="po_send"),
    path("parts/purchase-orders/<int:pk>/receive/", v.POReceiveView.as_view(), name="po_receive"),
    path("parts/purchase-orders/<int:pk>/cancel/", v.POCancelView.as_view(), name="po_cancel"),
    path("parts/warehouses/<int:pk>/reorder/", v.ReorderView.as_view(), name="reorder"),
    path("parts/stocktakes/", v.StockTakeListView.as_view(), name="stocktake_list"),
    path("parts/stocktakes/open/", v.StockTakeOpenView.as_view(), name="stocktake_open"),
    path("parts/stocktakes/<int:pk>/", v.StockTakeDetailView.as_view(), name="stocktake_detail"),
    path("parts/stocktakes/<int:pk>/variance.xlsx", v.StockTakeVarianceExportView.as_view(), name="stocktake_export"),
    path("parts/stocktakes/<int:pk>/count/", v.StockTakeCountView.as_view(), name="stocktake_count"),
    path("parts/stocktakes/<int:pk>/approve/", v.StockTakeApproveView.as_view(), name="stocktake_approve"),
    path("parts/suppliers/", supplier_views.SupplierListView.as_view(), name="supplier_list"),
    path("parts/suppliers/new/", supplier_views.SupplierCreateView.as_view(), name="supplier_create"),
    path("parts/suppliers/<int:pk>/", supplier_views.SupplierDetailView.as_view(), name="supplier_detail"),
    path("parts/suppliers/<int:pk>/edit/", supplier_views.SupplierEditView.as_view(), name="supplier_edit"),
]
