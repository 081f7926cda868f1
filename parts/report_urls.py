from django.urls import path

from parts import report_views

urlpatterns = [
    path("parts/reports/", report_views.PartsReportView.as_view(), name="reports"),
    path("parts/reports/dead-stock.xlsx", report_views.DeadStockExportView.as_view(), name="dead_stock_export"),
]
