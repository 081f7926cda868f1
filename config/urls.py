from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("customers.urls")),
    path("", include("organization.urls")),
    path("", include("repairs.urls")),
    path("", include("warranty.urls")),
    path("", include("parts.urls")),
    path("", include("todo.urls")),
    path("", include("appointments.urls")),
    path("", include("care.urls")),
    path("", include("complaints.urls")),
    path("", include("surveys.urls")),
    path("", include("staff.urls")),
    path("", include("evaluation.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("", include("packages.urls")),
    path("", include("cashiering.urls")),
    path("", include("economics.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
