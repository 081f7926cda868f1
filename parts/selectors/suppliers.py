"""Suppliers' reads (供应商): the list of my dealers' suppliers and their delivery performance.

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

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.indicators import Rate
from parts.choices import PurchaseOrderStatus
from parts.models import GoodsReceipt, GoodsReceiptLine, Supplier

OPEN_PO_STATUSES = (PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.SENT, PurchaseOrderStatus.PARTLY_RECEIVED)
SHARE = "0.0001"  # a share to 4 places (0.9375), as the API gives it


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
