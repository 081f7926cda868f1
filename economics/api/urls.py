"""The economics API routes (included by config/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from economics.api.views import TechnicianEfficiencyView

router = SimpleRouter()

urlpatterns = [
    *router.urls,
    path("technician-efficiency/", TechnicianEfficiencyView.as_view(), name="technician-efficiency-list"),
]
