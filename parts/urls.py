from django.urls import path

from parts import views
from parts.counter_urls import urlpatterns as counter_urlpatterns
from parts.purchasing_urls import urlpatterns as purchasing_urlpatterns
from parts.report_urls import urlpatterns as report_urlpatterns

app_name = "parts"
urlpatterns = [
    path("parts/", views.CatalogueView.as_view(), name="catalogue"),
    path("parts/export.<str:fmt>", views.CatalogueExportView.as_view(), name="catalogue_export"),
    path("parts/import/", views.CatalogueImportView.as_view(), name="catalogue_import"),
    path("parts/<int:pk>/", views.PartDetailView.as_view(), name="part_detail"),
    path("parts/warehouses/", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("parts/warehouses/<int:pk>/", views.StockListView.as_view(), name="stock_list"),
    path("parts/stock/<int:pk>/", views.StockItemView.as_view(), name="stock_item"),
    path("parts/stock/<int:pk>/receive/", views.StockReceiveView.as_view(), name="stock_receive"),
    path("parts/stock/<int:pk>/adjust/", views.StockAdjustView.as_view(), name="stock_adjust"),
    path("parts/stock/<int:pk>/transfer/", views.StockTransferView.as_view(), name="stock_transfer"),
]
urlpatterns += counter_urlpatterns
urlpatterns += report_urlpatterns
urlpatterns += purchasing_urlpatterns
