"""The REST API, version 1."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from appointments.api.views import AppointmentViewSet
from care.api import views as care_api
from complaints.api.views import ComplaintViewSet, CrisisAlertViewSet
from customers.api.views import CustomerViewSet, VehicleViewSet
from evaluation.measure_api import MeasurementListView
from organization.api.views import DealerViewSet
from parts.api import counter as counter_api
from parts.api.purchasing import PurchaseOrderViewSet
from parts.api.suppliers import SupplierViewSet
from parts.api.views import PartViewSet, StockItemViewSet, StockMovementViewSet
from repairs.api.views import RepairOrderViewSet
from staff.api.views import AssessmentViewSet, StaffProfileViewSet, TrainingRecordViewSet
from warranty.api.views import WarrantyClaimViewSet

router = DefaultRouter()
router.register("dealers", DealerViewSet, basename="dealer")
router.register("customers", CustomerViewSet, basename="customer")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("repair-orders", RepairOrderViewSet, basename="repair-order")
router.register("warranty-claims", WarrantyClaimViewSet, basename="warranty-claim")
router.register("staff", StaffProfileViewSet, basename="staff-profile")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("crisis-alerts", CrisisAlertViewSet, basename="crisis-alert")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("follow-ups", care_api.FollowUpViewSet, basename="follow-up")
router.register("calls", care_api.CallRecordViewSet, basename="call")
router.register("letters", care_api.LetterViewSet, basename="letter")
router.register("reminders", care_api.ReminderViewSet, basename="reminder")
router.register("campaigns", care_api.CampaignViewSet, basename="campaign")
router.register("lapsed-customers", care_api.LapsedCustomerViewSet, basename="lapsed-customer")
router.register("parts", PartViewSet, basename="part")
router.register("stock", StockItemViewSet, basename="stock-item")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("stock-reservations", counter_api.StockReservationViewSet, basename="stock-reservation")
router.register("special-orders", counter_api.SpecialOrderViewSet, basename="special-order")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
    path("", include("surveys.api.urls")),
    path("measurements/", MeasurementListView.as_view(), name="measurement-list"),
    path("", include("evaluation.api.urls")),
]
