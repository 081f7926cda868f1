"""The packages API routes (included by config/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from packages.api.views import ServicePackageViewSet

router = SimpleRouter()
router.register("service-packages", ServicePackageViewSet, basename="service-package")

urlpatterns = router.urls
