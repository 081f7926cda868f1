"""Repair orders (进厂维修单): reception, check-in, estimate, approval and the events of each visit."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet
from repairs.choices import (
    STATUS_COLOURS,
    UNGUARANTEED_SOURCES,
    AdditionStatus,
    ApprovalMethod,
    BayKind,
    DecisionMethod,
    DocumentReceived,
    FaultCategory,
    FuelLevel,
    JobType,
    LineKind,
    PartSource,
    PauseReason,
    Payer,
    PaymentMethod,
    PricingMode,
    RepairOrderStatus,
    WorkStatus,
    qc_check_label,
)
from repairs.money import line_amount

MONEY = {"max_digits": 12, "decimal_places": 2}


class LabourOperation(models.Model):
    """A dealer's labour catalogue entry (工时项目): operation code, name and standard hours."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="labour_operations", verbose_name=_("dealer")
    )
    code = models.CharField(_("operation code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    job_type = models.CharField(_("job type"), max_length=20, choices=JobType.choices, default=JobType.REPAIR)
    fault_category = models.CharField(
        _("fault category"),
        max_length=20,
        choices=FaultCategory.choices,
        blank=True,
        help_text=_(
            "The system this operation repairs; a later visit with a line of it is a comeback of a repair of that "
            "system (KPI B1). Leave empty for work not tied to one system."
        ),
    )
    standard_hours = models.DecimalField(
        _("standard hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour operation")
        verbose_name_plural = _("labour operations")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_labour_operation_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RepairOrder(VersionedModel):
    """One visit of one vehicle, from reception to delivery; every step stamped with time and person."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("dealer")
    )
    number = models.CharField(_("RO number"), max_length=30, editable=False)
    vehicle = models.ForeignKey(
        "customers.Vehicle", on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("vehicle")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="repair_orders", verbose_name=_("customer")
    )
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="repair_orders_advised",
        verbose_name=_("service advisor"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RepairOrderStatus.choices, default=RepairOrderStatus.OPEN, editable=False
    )
    job_type = models.CharField(_("job type"), max_length=20, choices=JobType.choices, default=JobType.MAINTENANCE)
    fault_category = models.CharField(
        _("fault category"), max_length=20, choices=FaultCategory.choices, default=FaultCategory.NONE
    )
    customer_complaint = models.TextField(_("customer's description"), help_text=_("In the customer's own words."))
    arrived_at = models.DateTimeField(_("customer arrived at"))
    promised_at = models.DateTimeField(_("promised delivery time"), null=True, blank=True)
    comeback_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comebacks",
        verbose_name=_("comeback of"),
    )

    # Check-in (接车): walk-around, fuel, odometer, belongings, documents, key.
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    odometer_override_reason = models.CharField(
        _("reason for a lower odometer"),
        max_length=200,
        blank=True,
        help_text=_(
            "Required when the odometer is below the last recorded mileage (e.g. instrument cluster replaced)."
        ),
    )
    fuel_level = models.PositiveSmallIntegerField(
        _("fuel / charge level"), choices=FuelLevel.choices, null=True, blank=True
    )
    walkaround_done = models.BooleanField(_("walk-around inspection done"), default=False)
    damage_notes = models.TextField(
        _("damage found at walk-around"), blank=True, help_text=_("One mark per line, e.g. 左前门 划痕 5cm.")
    )
    belongings = models.TextField(_("belongings in the car (随车物品)"), blank=True)
    belongings_signed_by = models.CharField(_("belongings list signed by"), max_length=50, blank=True)
    belongings_signed_at = models.DateTimeField(_("belongings list signed at"), null=True, blank=True)
    belongings_signature = models.FileField(
        _("customer's signature (belongings)"), upload_to="ro-signatures/%Y/%m/", blank=True, editable=False
    )
    documents_received = models.JSONField(_("documents received"), default=list, blank=True)
    key_tag = models.CharField(_("key tag"), max_length=20, blank=True)
    checkin_exception = models.CharField(
        _("why the check-in is incomplete"), max_length=200, blank=True, editable=False
    )

    # Diagnosis and estimate (诊断/报价).
    diagnosis = models.TextField(_("diagnosis (fault findings)"), blank=True)
    diagnosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diagnosed by"),
    )
    pricing_mode = models.CharField(
        _("pricing mode"), max_length=10, choices=PricingMode.choices, default=PricingMode.ITEM
    )
    risk_margin_pct = models.DecimalField(
        _("risk margin (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text=_("Symptom pricing only: added to the labour of the estimate."),
    )
    labour_rate = models.DecimalField(_("labour rate per hour"), **MONEY, default=Decimal("180.00"))
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.1300"))
    discount_pct = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discount approved by"),
    )

    # Customer approval (客户签字确认).
    approval_method = models.CharField(_("approved how"), max_length=10, choices=ApprovalMethod.choices, blank=True)
    approved_by_customer = models.CharField(_("approved by (customer side)"), max_length=50, blank=True)
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval recorded by"),
    )
    approved_total = models.DecimalField(_("approved estimate total"), **MONEY, null=True, blank=True)
    approval_signature = models.FileField(
        _("customer's signature (estimate)"), upload_to="ro-signatures/%Y/%m/", blank=True, editable=False
    )

    # Timestamps of the state machine (also in RepairOrderEvent): the raw material of A/B/D KPIs.
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True, editable=False)
    estimated_at = models.DateTimeField(_("estimate given at"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True, editable=False)
    repair_started_at = models.DateTimeField(_("repair started at"), null=True, blank=True, editable=False)
    qc_requested_at = models.DateTimeField(_("QC requested at"), null=True, blank=True, editable=False)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["version"])
    history_choices = {"documents_received": DocumentReceived}  # the change history shows the labels

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "number"], name="uniq_repair_order_number")]
        indexes = [
            models.Index(fields=["dealer", "status", "-opened_at"], name="ro_dealer_status_opened"),
            models.Index(fields=["dealer", "-opened_at"], name="ro_dealer_opened"),
            models.Index(fields=["dealer", "delivered_at"], name="ro_dealer_delivered"),
            models.Index(fields=["vehicle", "-opened_at"], name="ro_vehicle_opened"),
            models.Index(fields=["advisor", "status"], name="ro_advisor_status"),
        ]
        permissions = [
            ("advise_repairorder", _("Can run the service desk steps of a repair order")),
            ("dispatch_repairorder", _("Can dispatch repair order jobs")),
            ("work_repairorder", _("Can work on repair order jobs")),
            ("inspect_repairorder", _("Can do the QC inspection of a repair order")),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("repairs:repair_order_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def parts_readiness(self) -> str:
        """Whether the workshop has this order's catalogue parts: "ready" (every agreed catalogue part line reserved
        or issued), "waiting" (one is special-ordered or not asked for), "" (none). Reads ``part_lines`` where
        ``repairs.selectors.part_lines_prefetch`` put it (no query), else asks the database."""
        lines = getattr(self, "part_lines", None)
        if lines is None:
            lines = agreed_part_lines().filter(order=self)
        states = [line.parts_status for line in lines]
        if not states:
            return ""
        return "ready" if all(state in ("issued", "reserved") for state in states) else "waiting"


class RepairOrderLine(models.Model):
    """A line of the estimate and invoice: labour (hours × rate), a part, or sundry/outside work."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("repair order")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    operation = models.ForeignKey(
        LabourOperation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("labour operation"),
    )
    part = models.ForeignKey(
        "parts.Part",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_order_lines",
        verbose_name=_("catalogue part"),
    )
    code = models.CharField(_("code / part number"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("hours / quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices, default=Payer.CUSTOMER)
    part_source = models.CharField(
        _("part source"), max_length=10, choices=PartSource.choices, default=PartSource.OEM, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    addition = models.ForeignKey(
        "AdditionalItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="lines",
        verbose_name=_("additional item"),
        help_text=_("Set for work found in the workshop after approval (增项)."),
    )
    # Workshop (派工): who does the job, and where it is.
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_lines",
        verbose_name=_("technician"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    work_status = models.CharField(
        _("work status"), max_length=15, choices=WorkStatus.choices, default=WorkStatus.WAITING
    )
    pause_reason = models.CharField(_("pause reason"), max_length=20, choices=PauseReason.choices, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("work finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("repair order line")
        verbose_name_plural = _("repair order lines")
        ordering = ["order", "position", "id"]
        indexes = [models.Index(fields=["technician", "work_status"], name="ro_line_technician_status")]

    def __str__(self) -> str:
        return self.description

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)

    @property
    def parts_status(self) -> str:
        """Where the parts counter is with this line: "issued", "reserved", "special_order" or "" (nothing asked)."""
        states = {r.status for r in self.reservations.all()} | {
            f"special_{s.status}" for s in self.special_orders.all()
        }
        for state, label in (("issued", "issued"), ("active", "reserved"), ("special_ordered", "special_order")):
            if state in states:
                return label
        return ""

    @property
    def rework_check_label(self) -> str:
        """The failed checklist item of the line's rework (set where a selector annotates ``rework_check``)."""
        return qc_check_label(self.order.job_type, getattr(self, "rework_check", "") or "")

    @property
    def quality_not_guaranteed(self) -> bool:
        """Non-OEM or customer-supplied parts: the RO says the dealer does not guarantee them."""
        return self.kind == LineKind.PART and self.part_source in UNGUARANTEED_SOURCES


class RepairOrderEvent(models.Model):
    """One state-machine step of a repair order: who moved it from where to where, when, and why."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="events", verbose_name=_("repair order")
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=RepairOrderStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=RepairOrderStatus.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("repair order event")
        verbose_name_plural = _("repair order events")
        ordering = ["order", "at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="ro_event_order_at")]

    def __str__(self) -> str:
        return f"{self.order} {self.action}"


class LabourClock(models.Model):
    """A technician's clock-on/clock-off on a job: actual labour time against the standard hours."""

    tenant_lookup = "line__order__dealer"

    line = models.ForeignKey(RepairOrderLine, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("job"))
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="labour_clocks", verbose_name=_("technician")
    )
    started_at = models.DateTimeField(_("clocked on"))
    ended_at = models.DateTimeField(_("clocked off"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("labour clock")
        verbose_name_plural = _("labour clocks")
        ordering = ["line", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician"], condition=models.Q(ended_at__isnull=True), name="one_open_clock_per_technician"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.technician}"


class AdditionalItem(VersionedModel):
    """Work found in the workshop after the estimate was approved (增项); the customer must decide first."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="additions", verbose_name=_("repair order")
    )
    description = models.CharField(_("what is needed"), max_length=200)
    reason = models.TextField(_("why (finding)"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AdditionStatus.choices, default=AdditionStatus.RAISED, editable=False
    )
    contacted_at = models.DateTimeField(_("customer contacted at"), null=True, blank=True, editable=False)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contacted by"),
    )
    decision_at = models.DateTimeField(_("customer decided at"), null=True, blank=True)
    decision_method = models.CharField(_("decided how"), max_length=12, choices=DecisionMethod.choices, blank=True)
    decided_by_customer = models.CharField(_("decided by (customer side)"), max_length=50, blank=True)
    decision_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision recorded by"),
    )
    new_promised_at = models.DateTimeField(_("new promised delivery time"), null=True, blank=True)
    approved_amount = models.DecimalField(
        _("approved amount"),
        **MONEY,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Total of the item's lines (with VAT) when the customer approved it; KPI B4 adds it to the estimate."
        ),
    )
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("additional item")
        verbose_name_plural = _("additional items")
        ordering = ["order", "raised_at", "id"]
        indexes = [models.Index(fields=["order", "status"], name="addition_order_status")]

    def __str__(self) -> str:
        return self.description

    @property
    def decided(self) -> bool:
        return self.status in (AdditionStatus.APPROVED, AdditionStatus.DECLINED)


class QcInspection(models.Model):
    """One final inspection (质检); every one is kept, so the first-pass rate (D3) can be computed."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("repair order")
    )
    sequence = models.PositiveSmallIntegerField(_("inspection no."))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    passed = models.BooleanField(_("passed"))
    checklist = models.JSONField(_("checklist results"), default=dict)
    failure_reasons = models.TextField(_("what failed"), blank=True)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("QC inspection")
        verbose_name_plural = _("QC inspections")
        ordering = ["order", "sequence"]
        constraints = [models.UniqueConstraint(fields=["order", "sequence"], name="uniq_inspection_sequence")]

    def __str__(self) -> str:
        return f"{self.order} QC#{self.sequence}"


class QcFinding(models.Model):
    """A job the QC inspector sends back for rework (返工): which line, which checklist item, and why.

    Kept with its inspection (every inspection stays on record); only these lines are reopened.
    """

    tenant_lookup = "inspection__order__dealer"

    inspection = models.ForeignKey(
        QcInspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("QC inspection")
    )
    line = models.ForeignKey(
        RepairOrderLine, on_delete=models.CASCADE, related_name="qc_findings", verbose_name=_("job")
    )
    check_code = models.CharField(_("checklist item"), max_length=30, blank=True)
    reason = models.CharField(_("why it must be redone"), max_length=300)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("QC finding")
        verbose_name_plural = _("QC findings")
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "line"], name="uniq_qc_finding_line")]

    def __str__(self) -> str:
        return f"{self.inspection} {self.line}: {self.reason}"

    @property
    def check_label(self) -> str:
        """The checklist item's label for the order's job type ("" when the finding names none)."""
        return qc_check_label(self.inspection.order.job_type, self.check_code)


class Settlement(models.Model):
    """The final invoice at delivery (交车结算): amounts frozen, how it was paid, what comes next."""

    tenant_lookup = "order__dealer"

    order = models.OneToOneField(
        RepairOrder, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("repair order")
    )
    invoice_number = models.CharField(_("invoice / statement no."), max_length=30)
    settled_at = models.DateTimeField(_("settled at"))
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("settled by")
    )
    payment_method = models.CharField(_("payment method"), max_length=12, choices=PaymentMethod.choices)
    customer_total = models.DecimalField(_("customer pays"), **MONEY)
    warranty_total = models.DecimalField(_("warranty pays"), **MONEY, default=Decimal("0"))
    insurance_total = models.DecimalField(_("insurance pays"), **MONEY, default=Decimal("0"))
    internal_total = models.DecimalField(_("internal / goodwill"), **MONEY, default=Decimal("0"))
    grand_total = models.DecimalField(_("grand total"), **MONEY)
    totals = models.JSONField(_("totals by payer"), default=dict)
    work_explained = models.BooleanField(_("work explained to the customer"), default=False)
    next_service_due_date = models.DateField(_("next service due on"), null=True, blank=True)
    next_service_due_km = models.PositiveIntegerField(_("next service due at (km)"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [models.UniqueConstraint(fields=["invoice_number"], name="uniq_settlement_invoice")]

    def __str__(self) -> str:
        return self.invoice_number


def _photo_path(instance, filename: str) -> str:
    # Never trust the uploaded name: a random one, grouped by dealer and order.
    return f"ro-photos/{instance.order.dealer_id}/{instance.order_id}/{uuid.uuid4().hex}.{instance.extension}"


class RepairOrderPhoto(models.Model):
    """A photo taken at check-in (damage found at the walk-around) or during repair."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="photos", verbose_name=_("repair order")
    )
    image = models.FileField(_("photo"), upload_to=_photo_path)
    extension = models.CharField(max_length=5, editable=False)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("repair order photo")
        verbose_name_plural = _("repair order photos")
        ordering = ["order", "uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class ComebackDismissal(models.Model):
    """An advisor's "not a comeback" on a revisit the system detected (返修排除): the revisit stops counting (B1).

    Kept, with who and why; an undo stamps ``revoked_at`` instead of deleting, so both stay in history.
    """

    tenant_lookup = "original__dealer"

    original = models.ForeignKey(
        RepairOrder, on_delete=models.PROTECT, related_name="comeback_dismissals", verbose_name=_("original visit")
    )
    revisit = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="+", verbose_name=_("later visit"))
    reason = models.TextField(_("why it is not a comeback"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    dismissed_at = models.DateTimeField(_("marked at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    revoked_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("comeback dismissal")
        verbose_name_plural = _("comeback dismissals")
        ordering = ["-dismissed_at", "-id"]  # no relation in the ordering: rows are locked FOR UPDATE
        constraints = [
            models.UniqueConstraint(
                fields=["original", "revisit"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_standing_comeback_dismissal",
            )
        ]
        indexes = [models.Index(fields=["revisit", "original"], name="comeback_dismissal_revisit")]

    def __str__(self) -> str:
        return f"{self.original} / {self.revisit}"


class WorkshopBay(models.Model):
    """A named service bay (工位) of a dealer's workshop: a lift, the alignment rig, an EV bay, the wash."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.CASCADE, related_name="workshop_bays", verbose_name=_("dealer")
    )
    code = models.CharField(_("bay code"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("bay kind"), max_length=15, choices=BayKind.choices, default=BayKind.GENERAL)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service bay")
        verbose_name_plural = pgettext_lazy("workshop", "service bays")
        ordering = ["dealer", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_workshop_bay_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BayOccupancy(models.Model):
    """A repair order on a bay, from when the foreman put it there until it left (one order per bay at a time)."""

    tenant_lookup = "bay__dealer"

    bay = models.ForeignKey(WorkshopBay, on_delete=models.CASCADE, related_name="occupancies", verbose_name=_("bay"))
    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, related_name="bay_occupancies", verbose_name=_("repair order")
    )
    started_at = models.DateTimeField(_("on the bay since"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("put there by")
    )
    ended_at = models.DateTimeField(_("left the bay at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("freed by"),
    )

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bay occupancy")
        verbose_name_plural = _("bay occupancies")
        ordering = ["bay", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bay"], condition=models.Q(ended_at__isnull=True), name="one_order_per_bay"
            ),
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(ended_at__isnull=True), name="one_bay_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bay} {self.order}"


def agreed_part_lines():
    """Catalogue part lines the customer agreed to (the estimate's, and approved additions') with what the parts
    counter did for them: the lines ``RepairOrder.parts_readiness`` reads."""
    return (
        RepairOrderLine.objects.filter(kind=LineKind.PART, part__isnull=False)
        .filter(models.Q(addition__isnull=True) | models.Q(addition__status=AdditionStatus.APPROVED))
        .prefetch_related("reservations", "special_orders")
        .order_by("position", "id")
    )
