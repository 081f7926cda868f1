"""The cashiering API routes (included by config/api_urls.py): payments and 发票."""

from rest_framework.routers import SimpleRouter

from cashiering.api.views import InvoiceViewSet, PaymentViewSet

router = SimpleRouter()
router.register("payments", PaymentViewSet, basename="payment")
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = router.urls
