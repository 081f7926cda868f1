from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/download/", views.ReportDownloadView.as_view(), name="report_download"),
]
