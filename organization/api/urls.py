"""API routes of organization (included by config/api_urls.py): the dealers."""

from rest_framework.routers import SimpleRouter

from organization.api.views import DealerViewSet

router = SimpleRouter()
router.register("dealers", DealerViewSet, basename="dealer")

urlpatterns = router.urls
