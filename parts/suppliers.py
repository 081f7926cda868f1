"""Suppliers (供应商): create and edit (optimistic lock), and their delivery performance.

Performance of a supplier, from its goods receipts:

- on-time delivery share: deliveries (goods receipts) that arrived on or before the PO's expected date
  (local date, Asia/Shanghai) / deliveries of POs that had an expected date;
- measured lead time: average days from sending a PO to its first delivery;
- 开箱合格率 (inspection pass rate): receipt lines with nothing damaged and nothing short / receipt lines;
- open purchase orders: draft, sent or partly received.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.indicators import Rate
from core.permissions import require
from core.services import lock_version, save_next_version
from organization.models import Dealer
from parts.choices import PurchaseOrderStatus
from parts.models import GoodsReceipt, GoodsReceiptLine, Supplier

ADD_SUPPLIER = "parts.add_supplier"
CHANGE_SUPPLIER = "parts.change_supplier"
OPEN_PO_STATUSES = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)
EDITABLE_FIELDS = ("code", "name", "contact", "phone", "lead_time_days")
SHARE = "0.0001"  # a share to 4 places (0.9375), as the API gives it


def _clean(values: dict) -> dict:
    values = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    for name in ("code", "name", "contact", "phone"):
        if name in values:
            values[name] = (values[name] or "").strip()
    errors = {}
    if "code" in values and not values["code"]:
        errors["code"] = [_("Give the supplier a code.")]
    if "name" in values and not values["name"]:
        errors["name"] = [_("Give the supplier a name.")]
    lead = values.get("lead_time_days")
    if lead is not None and (int(lead) < 0 or int(lead) > 365):
        errors["lead_time_days"] = [_("The lead time is between 0 and 365 days.")]
    if errors:
        raise ValidationError(errors)
    return values


def _duplicate_code(dealer_id: int, code: str, exclude_pk: int | None = None) -> bool:
    return Supplier.objects.filter(dealer_id=dealer_id, code=code).exclude(pk=exclude_pk).exists()


def _duplicate_error(code: str) -> ValidationError:
    return ValidationError({"code": [_("The dealer already has a supplier with code %(code)s.") % {"code": code}]})


@transaction.atomic
def supplier_create(*, dealer: Dealer, by: User, **values) -> Supplier:
    """Add a supplier to a dealer (code unique per dealer)."""
    require(by, ADD_SUPPLIER, dealer=dealer, message=_("Your role may not change suppliers."))
    values = _clean({"lead_time_days": 7, "contact": "", "phone": "", **values})
    if _duplicate_code(dealer.pk, values["code"]):
        raise _duplicate_error(values["code"])
    supplier = Supplier(dealer=dealer, **values)
    supplier._history_user = by
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:  # a concurrent create of the same code
        raise _duplicate_error(values["code"]) from exc
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, by: User, version: int | None, **values) -> Supplier:
    """Change a supplier's code, name, contact or lead time; refused (409) if someone saved it since ``version``."""
    require(by, CHANGE_SUPPLIER, dealer=supplier.dealer_id, message=_("Your role may not change suppliers."))
    lock_version(supplier, expected_version=version)
    supplier = Supplier.objects.get(pk=supplier.pk)
    values = _clean(values)
    if "code" in values and _duplicate_code(supplier.dealer_id, values["code"], exclude_pk=supplier.pk):
        raise _duplicate_error(values["code"])
    for name, value in values.items():
        setattr(supplier, name, value)
    return save_next_version(supplier, by=by, clean=False)


# --- reads ----------------------------------------------------------------------------------------------------


@dataclass
class SupplierPerformance:
    """How a supplier delivered: deliveries, on time, measured lead time, inspection pass rate."""

    deliveries: int = 0
    deliveries_with_due_date: int = 0
    on_time: int = 0
    lead_time_days_total: float = 0.0
    lead_time_orders: int = 0
    receipt_lines: int = 0
    passed_lines: int = 0

    @property
    def on_time_share(self) -> Decimal | None:
        return Rate(self.on_time, self.deliveries_with_due_date).fraction_decimal(SHARE)

    @property
    def pass_rate(self) -> Decimal | None:
        return Rate(self.passed_lines, self.receipt_lines).fraction_decimal(SHARE)

    @property
    def measured_lead_time_days(self) -> Decimal | None:
        if not self.lead_time_orders:
            return None
        return Decimal(self.lead_time_days_total / self.lead_time_orders).quantize(Decimal("0.1"))


def supplier_performance(supplier_ids) -> dict[int, SupplierPerformance]:
    """The performance of each supplier id given (two queries, whatever the number of suppliers)."""
    ids = list(supplier_ids)
    performance: dict[int, SupplierPerformance] = defaultdict(SupplierPerformance)
    if not ids:
        return {}
    receipts = (
        GoodsReceipt.objects.filter(po__supplier_id__in=ids)
        .values_list("po__supplier_id", "po_id", "po__sent_at", "po__expected_at", "received_at")
        .order_by("received_at", "id")
    )
    first_delivery_seen: set[int] = set()
    for supplier_id, po_id, sent_at, expected_at, received_at in receipts:
        row = performance[supplier_id]
        row.deliveries += 1
        if expected_at is not None:
            row.deliveries_with_due_date += 1
            row.on_time += timezone.localdate(received_at) <= expected_at
        if po_id not in first_delivery_seen and sent_at is not None:
            first_delivery_seen.add(po_id)
            row.lead_time_days_total += max((received_at - sent_at).total_seconds(), 0) / 86400
            row.lead_time_orders += 1
    lines = (
        GoodsReceiptLine.objects.filter(receipt__po__supplier_id__in=ids)
        .values("receipt__po__supplier_id")
        .annotate(total=Count("id"), passed=Count("id", filter=Q(quantity_damaged=0, short=0)))
        .order_by()
    )
    for row in lines:
        entry = performance[row["receipt__po__supplier_id"]]
        entry.receipt_lines, entry.passed_lines = row["total"], row["passed"]
    return {supplier_id: performance[supplier_id] for supplier_id in ids}


def open_orders_count() -> Count:
    """Annotation: the supplier's draft, sent or partly received purchase orders."""
    return Count("purchase_orders", filter=Q(purchase_orders__status__in=OPEN_PO_STATUSES))


def supplier_list(*, user: User) -> QuerySet[Supplier]:
    """The suppliers of the user's dealers with their number of open purchase orders (parts.filtersets'
    SupplierFilterSet filters them)."""
    return (
        Supplier.objects.for_user(user)
        .select_related("dealer")
        .annotate(open_orders=open_orders_count())
        .order_by("dealer__code", "code")
    )
