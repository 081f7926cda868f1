"""URLs of the measurement pages (included by config/urls.py beside evaluation.urls)."""

from django.urls import path

from evaluation import measure_views

app_name = "measures"
urlpatterns = [
    path("evaluation/measurements/", measure_views.MeasurementsView.as_view(), name="measurements"),
    path("evaluation/measures/<str:code>/", measure_views.DrilldownView.as_view(), name="drilldown"),
]
