"""API routes of parts (included by config/api_urls.py): catalogue, stock, counter, purchasing, suppliers."""

from rest_framework.routers import SimpleRouter

from parts.api.counter import SpecialOrderViewSet, StockReservationViewSet
from parts.api.purchasing import PurchaseOrderViewSet
from parts.api.suppliers import SupplierViewSet
from parts.api.views import PartViewSet, StockItemViewSet, StockMovementViewSet

router = SimpleRouter()
router.register("parts", PartViewSet, basename="part")
router.register("stock", StockItemViewSet, basename="stock-item")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("stock-reservations", StockReservationViewSet, basename="stock-reservation")
router.register("special-orders", SpecialOrderViewSet, basename="special-order")

urlpatterns = router.urls
