"""Enumerations of the parts catalogue and the stock ledger."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartCategory(models.TextChoices):
    FILTERS = "filters", _("Filters")
    BRAKES = "brakes", _("Brakes")
    IGNITION = "ignition", _("Ignition")
    BELTS = "belts", _("Belts and chains")
    LIGHTING = "lighting", _("Bulbs and lighting")
    TYRES = "tyres", _("Tyres")
    BATTERIES = "batteries", _("Batteries")
    FLUIDS = "fluids", _("Oils and fluids")
    SUSPENSION = "suspension", _("Suspension")
    ELECTRICAL = "electrical", _("Electrical")
    BODY = "body", _("Body")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    PIECE = "pcs", _("piece")
    SET = "set", _("set")
    LITRE = "l", _("litre")
    KG = "kg", _("kg")
    METRE = "m", _("metre")


class MovementKind(models.TextChoices):
    """Every change of on-hand stock is one of these rows; on-hand is always their sum."""

    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue to repair order")
    RETURN = "return", _("Return from repair order")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE = "stocktake", _("Stock-take difference")


# Movements that add to / take from on-hand stock.
INBOUND = {MovementKind.RECEIPT, MovementKind.RETURN, MovementKind.TRANSFER_IN}
OUTBOUND = {MovementKind.ISSUE, MovementKind.TRANSFER_OUT}
SIGNED = {MovementKind.ADJUSTMENT, MovementKind.STOCKTAKE}  # either sign, with a reason


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Reserved")
    ISSUED = "issued", _("Issued")
    RELEASED = "released", _("Released")


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to supplier")
    PARTLY_RECEIVED = "partly_received", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class StockTakeStatus(models.TextChoices):
    OPEN = "open", _("Counting")
    COUNTED = "counted", _("Counted")
    APPROVED = "approved", pgettext_lazy("stock-take", "Approved")
