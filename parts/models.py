"""Parts catalogue (配件编码/价格) and stock (仓储): warehouses, stock items and the movement ledger."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet
from parts.choices import (
    MovementKind,
    PartCategory,
    PurchaseOrderStatus,
    ReservationStatus,
    StockTakeStatus,
    Unit,
)

QTY = {"max_digits": 12, "decimal_places": 3}
MONEY = {"max_digits": 12, "decimal_places": 2}
_NUMBER_NOISE = re.compile(r"[\s\-./_]")


def normalize_part_number(value: str) -> str:
    """The search key of a part number: upper case, no spaces, dashes, dots or slashes (06A 115 561-B → 06A115561B)."""
    return _NUMBER_NOISE.sub("", value or "").upper()


class PartQuerySet(models.QuerySet):
    def resolve_number(self, number: str, *, brand: str = "") -> Part | None:
        """The active catalogue part a typed part number stands for (one rule for the part picker, the repair-order
        line form and the API): the part with the same number once normalised (06A 115 561-B = 06A115561B), or the
        part that replaces an old number (its whole chain). Brands sharing the number: the vehicle's ``brand``
        first, then universal parts; still more than one is refused (pick it in the catalogue search)."""
        key = normalize_part_number(number)
        if not key:
            return None
        found: dict[int, Part] = {}
        for part in self.filter(number_key=key).select_related("superseded_by").order_by("brand", "pk"):
            current = part.current()
            if current.is_active:
                found.setdefault(current.pk, current)
        candidates = list(found.values())
        preferred = [p for p in candidates if brand and p.brand == brand] or [p for p in candidates if not p.brand]
        candidates = preferred or candidates
        if len(candidates) > 1:
            raise ValidationError(
                _("Several catalogue parts have the number %(number)s (%(parts)s): pick one in the catalogue search.")
                % {"number": number.strip(), "parts": ", ".join(f"{p.brand or '-'} {p.number}" for p in candidates)},
                code="ambiguous_part_number",
            )
        return candidates[0] if candidates else None


class Part(models.Model):
    """A catalogue part, shared by the dealers of the group; prices are per dealer (PartPrice)."""

    brand = models.CharField(_("brand"), max_length=50, blank=True, help_text=_("Empty for universal parts."))
    number = models.CharField(_("part number"), max_length=40)
    number_key = models.CharField(_("part number (search key)"), max_length=40, editable=False)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=PartCategory.choices, default=PartCategory.OTHER)
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.PIECE)
    tax_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.1300"))
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
        help_text=_("Orders and searches of this number go to the new one."),
    )
    fitment = models.CharField(
        _("fits"), max_length=200, blank=True, help_text=_("Brand / series / model years, e.g. 大众 朗逸 2018-2024.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = PartQuerySet.as_manager()

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ["number_key"]
        constraints = [models.UniqueConstraint(fields=["brand", "number_key"], name="uniq_part_brand_number")]
        indexes = [
            models.Index(fields=["number_key"], name="part_number_key"),
            models.Index(fields=["name"], name="part_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.number_key = normalize_part_number(self.number)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "superseded_by" in update_fields:
            self.check_supersession()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.check_supersession()

    def check_supersession(self) -> None:
        """Refuse a replacement that is the part itself or leads back to it (A → B → A): a chain must end."""
        if self.superseded_by_id is None:
            return
        if self.pk is not None and self.superseded_by_id == self.pk:
            raise ValidationError({"superseded_by": _("A part cannot be superseded by itself.")})
        if self.pk is None:
            return  # a new part: nothing can point to it yet
        path, next_id = [self.number], self.superseded_by_id
        seen: set[int] = set()
        while next_id is not None and next_id not in seen:
            seen.add(next_id)
            number, next_id = Part.objects.filter(pk=next_id).values_list("number", "superseded_by_id").get()
            path.append(number)
            if next_id == self.pk:
                raise ValidationError(
                    {
                        "superseded_by": _(
                            "This replacement would make a loop (%(chain)s): a supersession chain must end in a "
                            "current part."
                        )
                        % {"chain": " → ".join([*path, self.number])}
                    }
                )

    def current(self) -> Part:
        """The part that replaces this one today: the end of the whole supersession chain (A → B → C gives C).

        Saving refuses loops; the walk still stops at a part it has seen, so bad old data cannot hang it.
        """
        part, seen = self, {self.pk}
        while part.superseded_by_id and part.superseded_by_id not in seen:
            seen.add(part.superseded_by_id)
            part = part.superseded_by
        return part


class PartPrice(models.Model):
    """A dealer's cost and retail price of a part; history keeps every earlier price."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.CASCADE, related_name="part_prices")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="prices", verbose_name=_("part"))
    cost_price = models.DecimalField(_("cost price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    retail_price = models.DecimalField(_("retail price"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("part price")
        verbose_name_plural = _("part prices")
        constraints = [models.UniqueConstraint(fields=["dealer", "part"], name="uniq_part_price")]

    def __str__(self) -> str:
        return f"{self.part} @ {self.dealer}"


class Warehouse(models.Model):
    """A dealer's store room (仓库)."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="warehouses")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["dealer", "code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_warehouse_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockItem(models.Model):
    """A part in a warehouse: on-hand (the sum of its movements), reserved, on order, moving-average cost."""

    tenant_lookup = "warehouse__dealer"

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="items", verbose_name=_("warehouse")
    )
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="stock_items", verbose_name=_("part"))
    bin = models.CharField(_("bin location"), max_length=20, blank=True)
    on_hand = models.DecimalField(_("on hand"), **QTY, default=Decimal("0"), editable=False)
    reserved = models.DecimalField(_("reserved"), **QTY, default=Decimal("0"), editable=False)
    on_order = models.DecimalField(_("on order"), **QTY, default=Decimal("0"), editable=False)
    average_cost = models.DecimalField(
        _("moving-average cost"), max_digits=14, decimal_places=4, default=Decimal("0"), editable=False
    )
    reorder_point = models.DecimalField(_("reorder point"), **QTY, default=Decimal("0"))
    max_quantity = models.DecimalField(_("maximum stock"), **QTY, default=Decimal("0"))
    last_movement_at = models.DateTimeField(_("last movement"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["warehouse", "part__number_key"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="uniq_stock_item"),
            # The database itself refuses negative stock, whatever code runs.
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(reserved__lte=models.F("on_hand")),
                name="stock_reserved_within_on_hand",
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "last_movement_at"], name="stock_item_last_movement")]

    def __str__(self) -> str:
        return f"{self.part} @ {self.warehouse}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One line of the stock ledger; never changed or deleted (a correction is another movement)."""

    tenant_lookup = "item__warehouse__dealer"

    item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock item")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity (+ in, − out)"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=4)
    on_hand_after = models.DecimalField(_("on hand after"), **QTY)
    repair_order_line = models.ForeignKey(
        "repairs.RepairOrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("repair order line"),
    )
    reason = models.CharField(_("reason / reference"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["item", "at", "id"]
        indexes = [
            models.Index(fields=["item", "at"], name="movement_item_at"),
            models.Index(fields=["kind", "at"], name="movement_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} {self.item}"


class StockReservation(VersionedModel):
    """Stock set aside for a repair-order line until it is issued to the workshop (or released)."""

    tenant_lookup = "item__warehouse__dealer"

    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="reservations")
    repair_order_line = models.ForeignKey(
        "repairs.RepairOrderLine", on_delete=models.CASCADE, related_name="reservations"
    )
    quantity = models.DecimalField(_("quantity"), **QTY, validators=[MinValueValidator(Decimal("0.001"))])
    status = models.CharField(
        _("status"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    requested_at = models.DateTimeField(_("requested at"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock reservation")
        verbose_name_plural = _("stock reservations")
        indexes = [models.Index(fields=["item", "status"], name="reservation_item_status")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item}"


class SpecialOrder(VersionedModel):
    """A part not in stock, ordered for one repair-order line; the order waits for parts until it is received."""

    tenant_lookup = "warehouse__dealer"

    class Status(models.TextChoices):
        ORDERED = "ordered", _("Ordered")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    repair_order_line = models.ForeignKey(
        "repairs.RepairOrderLine",
        on_delete=models.PROTECT,
        related_name="special_orders",
        verbose_name=_("repair order line"),
    )
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="special_orders")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="special_orders", verbose_name=_("part"))
    quantity = models.DecimalField(_("quantity"), **QTY, validators=[MinValueValidator(Decimal("0.001"))])
    deposit = models.DecimalField(_("customer deposit"), **MONEY, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ORDERED)
    requested_at = models.DateTimeField(_("requested at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special order")
        verbose_name_plural = _("special orders")
        indexes = [models.Index(fields=["warehouse", "status"], name="special_order_status")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part}"


# --- purchasing (采购) and stock-take (盘点) ---------------------------------------------------------------------


class Supplier(VersionedModel):
    """A dealer's parts supplier (供应商) and its usual delivery days; changed by parts.services.suppliers."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="suppliers")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=7)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["dealer", "code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_supplier_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("parts:supplier_detail", args=[self.pk])


class PurchaseOrder(VersionedModel):
    """A purchase order (采购订单) from a supplier into a warehouse; changed only by parts.services.purchasing."""

    tenant_lookup = "dealer"

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="purchase_orders")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("warehouse")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    number = models.CharField(_("PO number"), max_length=40, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expected_at = models.DateField(_("expected on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "number"], name="uniq_purchase_order_number")]
        indexes = [
            models.Index(fields=["dealer", "status", "created_at"], name="po_dealer_status_created"),
            models.Index(fields=["warehouse", "status"], name="po_warehouse_status"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("parts:po_detail", args=[self.pk])


class PurchaseOrderLine(models.Model):
    """A part ordered on a purchase order: received counts good parts put into stock, damaged those refused."""

    tenant_lookup = "po__dealer"

    po = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    part = models.ForeignKey(
        Part, on_delete=models.PROTECT, related_name="purchase_order_lines", verbose_name=_("part")
    )
    quantity = models.DecimalField(_("quantity ordered"), **QTY, validators=[MinValueValidator(Decimal("0.001"))])
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=4)
    received_quantity = models.DecimalField(_("received (good)"), **QTY, default=Decimal("0"), editable=False)
    damaged_quantity = models.DecimalField(_("damaged"), **QTY, default=Decimal("0"), editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["po", "id"]
        constraints = [models.UniqueConstraint(fields=["po", "part"], name="uniq_purchase_order_part")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part}"

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal("0"))

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))


class GoodsReceipt(models.Model):
    """One delivery against a purchase order (到货验收)."""

    tenant_lookup = "po__dealer"

    po = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    received_at = models.DateTimeField(_("received at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        ordering = ["po", "received_at", "id"]

    def __str__(self) -> str:
        return f"{self.po} @ {self.received_at:%Y-%m-%d %H:%M}"


class GoodsReceiptLine(models.Model):
    """What arrived of one PO line in one delivery; passed (开箱合格) when nothing was damaged or short."""

    tenant_lookup = "receipt__po__dealer"

    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    po_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity_received = models.DecimalField(_("quantity arrived"), **QTY)
    quantity_damaged = models.DecimalField(_("of which damaged"), **QTY, default=Decimal("0"))
    short = models.DecimalField(
        _("short"), **QTY, default=Decimal("0"), help_text=_("Ordered minus good parts received so far.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")
        ordering = ["receipt", "id"]

    def __str__(self) -> str:
        return f"{self.quantity_received} × {self.po_line.part}"

    @property
    def passed(self) -> bool:
        return self.quantity_damaged == 0 and self.short == 0


class StockTake(models.Model):
    """A stock-take (盘点) of one warehouse: each line is counted against the book quantity at count time;
    approval posts the differences."""

    tenant_lookup = "warehouse__dealer"

    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("warehouse")
    )
    status = models.CharField(_("status"), max_length=10, choices=StockTakeStatus.choices, default=StockTakeStatus.OPEN)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["warehouse", "status"], name="stocktake_warehouse_status")]

    def __str__(self) -> str:
        return f"{_('Stock-take')} {self.pk} {self.warehouse}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("parts:stocktake_detail", args=[self.pk])


class StockTakeLine(models.Model):
    """One stock item on the count sheet: counted against the book quantity at the moment it was counted.

    The warehouse is not frozen while it is counted: ``expected`` is on hand when the sheet was opened,
    ``book_quantity`` is on hand when the count was entered (expected + the movements since), and the
    difference is counted − book_quantity, so parts issued or received during the stock-take are no variance.
    """

    tenant_lookup = "stocktake__warehouse__dealer"

    stocktake = models.ForeignKey(StockTake, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(StockItem, on_delete=models.PROTECT, related_name="stocktake_lines")
    expected = models.DecimalField(_("expected"), **QTY)
    counted = models.DecimalField(_("counted"), **QTY, null=True, blank=True)
    book_quantity = models.DecimalField(
        _("book quantity when counted"), **QTY, null=True, blank=True,
        help_text=_("On hand when the count was entered: expected plus the movements since the sheet was opened."),
    )  # fmt: skip
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)
    difference = models.DecimalField(_("difference"), **QTY, null=True, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock-take line")
        verbose_name_plural = _("stock-take lines")
        ordering = ["stocktake", "item__part__number_key"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "item"], name="uniq_stocktake_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.expected} → {self.counted}"

    @property
    def moved_since_start(self):
        """Movements between opening the sheet and the count (None until counted)."""
        return None if self.book_quantity is None else self.book_quantity - self.expected
