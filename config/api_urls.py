"""The REST API, version 1: every app registers its routes in its own ``<app>/api/urls.py``."""

from importlib import import_module

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import APIRootView
from rest_framework.urlpatterns import format_suffix_patterns

# The apps whose routers the index at /api/v1/ lists, in the order it lists their endpoints.
INDEXED_APPS = (
    "organization",
    "customers",
    "repairs",
    "warranty",
    "staff",
    "complaints",
    "appointments",
    "care",
    "parts",
    "cashiering",
    "packages",
    "notifications",
)

api_root = APIRootView.as_view(
    api_root_dict={
        prefix: f"{basename}-list"
        for app in INDEXED_APPS
        for prefix, _viewset, basename in import_module(f"{app}.api.urls").router.registry
    }
)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    # with the .json/.api suffixes the one router gave them
    *format_suffix_patterns(
        [path("", api_root, name="api-root"), *(path("", include(f"{app}.api.urls")) for app in INDEXED_APPS)]
    ),
    path("", include("surveys.api.urls")),
    path("", include("evaluation.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("economics.api.urls")),
]
