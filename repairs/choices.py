"""Enumerations of the service desk and workshop."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class RepairOrderStatus(models.TextChoices):
    """Where a repair order (进厂维修单) is in the visit; see repairs/state.py for the moves."""

    OPEN = "open", _("Reception")
    CHECKED_IN = "checked_in", _("Checked in")
    ESTIMATED = "estimated", _("Estimate given")
    APPROVED = "approved", _("Approved by customer")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_REPAIR = "in_repair", _("In repair")
    QC = "qc", _("Waiting for QC")
    READY = "ready", _("Ready for delivery")
    DELIVERED = "delivered", _("Delivered and settled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


STATUS_COLOURS = {
    RepairOrderStatus.OPEN: "grey",
    RepairOrderStatus.CHECKED_IN: "blue",
    RepairOrderStatus.ESTIMATED: "blue",
    RepairOrderStatus.APPROVED: "teal",
    RepairOrderStatus.DISPATCHED: "teal",
    RepairOrderStatus.IN_REPAIR: "orange",
    RepairOrderStatus.QC: "purple",
    RepairOrderStatus.READY: "green",
    RepairOrderStatus.DELIVERED: "green",
    RepairOrderStatus.CLOSED: "dark",
    RepairOrderStatus.CANCELLED: "red",
}


class JobType(models.TextChoices):
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    WARRANTY = "warranty", _("Warranty")
    ACCIDENT = "accident", _("Accident / bodywork")
    RECALL = "recall", _("Recall / campaign")
    INSPECTION = "inspection", _("Inspection")


class FaultCategory(models.TextChoices):
    """The system a repair is about; a comeback is the same vehicle with the same category (KPI B1)."""

    ENGINE = "engine", _("Engine")
    TRANSMISSION = "transmission", _("Transmission")
    BRAKES = "brakes", _("Brakes")
    SUSPENSION = "suspension", _("Suspension and steering")
    ELECTRICAL = "electrical", _("Electrical and electronics")
    HVAC = "hvac", _("Air conditioning")
    BODY = "body", _("Body and paint")
    TYRES = "tyres", _("Wheels and tyres")
    EV_SYSTEM = "ev_system", _("High-voltage / EV system")
    NONE = "none", _("No fault (service only)")


class PricingMode(models.TextChoices):
    """The three estimate modes of the reception rules."""

    SYSTEM = "system", _("By system (系统估价)")
    SYMPTOM = "symptom", _("By symptom (现象估价), with a risk margin")
    ITEM = "item", _("By item (项目定价)")


class FuelLevel(models.IntegerChoices):
    EMPTY = 0, _("Empty")
    QUARTER = 2, "1/4"
    HALF = 4, "1/2"
    THREE_QUARTERS = 6, "3/4"
    FULL = 8, _("Full")


class DocumentReceived(models.TextChoices):
    DRIVING_LICENCE = "driving_licence", _("Vehicle licence (行驶证)")
    SERVICE_BOOK = "service_book", _("Service book")
    INSURANCE_POLICY = "insurance_policy", _("Insurance policy")
    WARRANTY_CARD = "warranty_card", _("Warranty card")
    INSPECTION_CERT = "inspection_cert", _("Annual inspection certificate")

    @classmethod
    def labels_of(cls, codes) -> list[str]:
        """The labels of the codes stored on an order (an unknown old code as itself), in the order given."""
        labels = dict(cls.choices)
        return [str(labels.get(code, code)) for code in codes or []]


class ApprovalMethod(models.TextChoices):
    SIGNATURE = "signature", _("Signed on the tablet")
    PAPER = "paper", _("Signed on paper")
    PHONE = "phone", _("By phone (recorded)")
    WECHAT = "wechat", _("By WeChat message")


class LineKind(models.TextChoices):
    LABOUR = "labour", _("Labour")
    PART = "part", _("Part")
    SUNDRY = "sundry", _("Sundry / outside work")


class Payer(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    WARRANTY = "warranty", _("Warranty")
    INSURANCE = "insurance", _("Insurance")
    INTERNAL = "internal", _("Internal / goodwill")


class PartSource(models.TextChoices):
    OEM = "oem", _("Genuine (OEM)")
    NON_OEM = "non_oem", _("Non-OEM")
    CUSTOMER = "customer", _("Supplied by the customer")


# Parts whose quality the dealer does not guarantee (printed on the RO).
UNGUARANTEED_SOURCES = {PartSource.NON_OEM, PartSource.CUSTOMER}

# The largest discount (percent of the customer-pay amount) each role may give.
DISCOUNT_LIMITS = {
    "service_advisor": Decimal("5"),
    "service_manager": Decimal("20"),
    "administrator": Decimal("100"),
}


class WorkStatus(models.TextChoices):
    """Where a labour line is in the workshop (the foreman's board)."""

    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")


class PauseReason(models.TextChoices):
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    WAITING_APPROVAL = "waiting_approval", _("Waiting for customer approval")
    WAITING_BAY = "waiting_bay", _("Waiting for a bay / equipment")
    BREAK = "break", _("Break / end of shift")
    OTHER = "other", _("Other")


class AdditionStatus(models.TextChoices):
    """An additional item (增项) raised in the workshop, until the customer decides."""

    RAISED = "raised", _("Raised, customer not yet asked")
    CONTACTED = "contacted", _("Customer contacted, waiting for decision")
    APPROVED = "approved", _("Approved by customer")
    DECLINED = "declined", _("Declined by customer")


class DecisionMethod(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    WECHAT = "wechat", _("By WeChat message")
    SIGNATURE = "signature", _("Signed")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    TRANSFER = "transfer", _("Bank transfer")
    ACCOUNT = "account", _("On account (fleet / insurer)")
    NONE = "none", _("Nothing to pay (warranty / internal)")


# QC checklist per job type (质检项目); every item must be answered, all OK = pass.
QC_CHECKLISTS = {
    "maintenance": [
        ("oil_level", _("Engine oil level and filter checked, no leak")),
        ("fluids", _("Brake, coolant and washer fluids topped up")),
        ("tyres", _("Tyre pressure set, wheels torqued")),
        ("service_reset", _("Service reminder reset")),
        ("cleanliness", _("Seat/floor covers removed, car clean")),
    ],
    "repair": [
        ("fault_fixed", _("Customer's fault no longer present (test drive)")),
        ("warning_lights", _("No warning lights on the dashboard")),
        ("fitted_parts", _("Replaced parts fitted and torqued correctly")),
        ("no_leaks", _("No leaks or loose parts")),
        ("cleanliness", _("Seat/floor covers removed, car clean")),
    ],
    "accident": [
        ("panel_gaps", _("Panel gaps and alignment correct")),
        ("paint", _("Paint colour match and finish")),
        ("lights", _("Lights and sensors working")),
        ("cleanliness", _("Car washed, covers removed")),
    ],
}
QC_CHECKLISTS["warranty"] = QC_CHECKLISTS["repair"]
QC_CHECKLISTS["recall"] = QC_CHECKLISTS["repair"]
QC_CHECKLISTS["inspection"] = QC_CHECKLISTS["maintenance"]


def qc_check_label(job_type: str, code: str) -> str:
    """The label of a QC checklist item of the job type's checklist ("" for no item, the code if unknown)."""
    if not code:
        return ""
    return str(dict(QC_CHECKLISTS.get(job_type, QC_CHECKLISTS["repair"])).get(code, code))


# Next maintenance suggested at delivery: (km, months) after this visit.
NEXT_SERVICE_INTERVAL = {"default": (5000, 6), "ev": (10000, 12)}


class BayKind(models.TextChoices):
    """What a service bay (工位) of the workshop is equipped for."""

    GENERAL = "general", _("General repair bay")
    LIFT = "lift", _("Lift")
    ALIGNMENT = "alignment", _("Wheel alignment")
    QUICK_SERVICE = "quick_service", _("Quick service")
    EV = "ev", _("EV / high-voltage bay")
    BODY = "body", _("Body and paint")
    WASH = "wash", _("Wash")
