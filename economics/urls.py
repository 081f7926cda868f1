from django.urls import path

from economics import views

app_name = "economics"
urlpatterns = [
    path("economics/", views.EconomicsView.as_view(), name="economics"),
    path("economics/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("economics/attendance/import/", views.AttendanceImportView.as_view(), name="attendance_import"),
    path("economics/cost-rates/", views.CostRateView.as_view(), name="cost_rates"),
]
