"""Warranty (三包) claims to the car maker for repair-order lines paid by warranty, and the brands' terms."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet
from warranty.choices import CLAIM_STATUS_COLOURS, ClaimStatus, Coverage
from warranty.rules import (
    DEFAULT_TERMS,
    LEGAL_MINIMUM_EV_BATTERY,
    LEGAL_MINIMUM_REPAIR_WARRANTY,
    Terms,
    WarrantyTerms,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
POSITIVE = [MinValueValidator(1)]


class WarrantyPolicy(models.Model):
    """A brand's warranty terms (保修政策); a brand without one gets ``warranty.rules.DEFAULT_TERMS``."""

    brand = models.CharField(
        _("brand"), max_length=50, unique=True, help_text=_("As written on the vehicles, e.g. 大众.")
    )
    basic_months = models.PositiveSmallIntegerField(
        _("basic warranty (months)"), default=DEFAULT_TERMS.basic.months, validators=POSITIVE
    )
    basic_km = models.PositiveIntegerField(
        _("basic warranty (km)"), default=DEFAULT_TERMS.basic.km, validators=POSITIVE
    )
    powertrain_months = models.PositiveSmallIntegerField(
        _("powertrain warranty (months)"), default=DEFAULT_TERMS.powertrain.months, validators=POSITIVE
    )
    powertrain_km = models.PositiveIntegerField(
        _("powertrain warranty (km)"), default=DEFAULT_TERMS.powertrain.km, validators=POSITIVE
    )
    ev_battery_months = models.PositiveSmallIntegerField(
        _("EV battery warranty (months)"), default=DEFAULT_TERMS.ev_battery.months, validators=POSITIVE
    )
    ev_battery_km = models.PositiveIntegerField(
        _("EV battery warranty (km)"), default=DEFAULT_TERMS.ev_battery.km, validators=POSITIVE
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("warranty policy")
        verbose_name_plural = _("warranty policies")
        ordering = ["brand"]

    def __str__(self) -> str:
        return self.brand

    def clean(self) -> None:
        self.brand = (self.brand or "").strip()
        errors = {}
        minimum = LEGAL_MINIMUM_REPAIR_WARRANTY
        if self.basic_months < minimum.months or self.basic_km < minimum.km:
            errors["basic_months"] = _(
                "The 三包 rules require a basic warranty of at least %(months)s months and %(km)s km."
            ) % {"months": minimum.months, "km": minimum.km}
        if self.powertrain_months < self.basic_months or self.powertrain_km < self.basic_km:
            errors["powertrain_months"] = _("The powertrain warranty cannot be shorter than the basic warranty.")
        battery = LEGAL_MINIMUM_EV_BATTERY
        if self.ev_battery_months < battery.months or self.ev_battery_km < battery.km:
            errors["ev_battery_months"] = _(
                "The EV battery warranty must be at least %(months)s months and %(km)s km."
            ) % {"months": battery.months, "km": battery.km}
        if errors:
            raise ValidationError(errors)

    @property
    def terms(self) -> WarrantyTerms:
        return WarrantyTerms(
            basic=Terms(self.basic_months, self.basic_km),
            powertrain=Terms(self.powertrain_months, self.powertrain_km),
            ev_battery=Terms(self.ev_battery_months, self.ev_battery_km),
        )


class WarrantyClaim(VersionedModel):
    """A warranty claim (三包索赔) to the car maker for the warranty-paid lines of one repair order."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="warranty_claims", verbose_name=_("dealer")
    )
    number = models.CharField(_("claim number"), max_length=30, editable=False)
    repair_order = models.ForeignKey(
        "repairs.RepairOrder",
        on_delete=models.PROTECT,
        related_name="warranty_claims",
        verbose_name=_("repair order"),
        editable=False,
    )
    vehicle = models.ForeignKey(
        "customers.Vehicle",
        on_delete=models.PROTECT,
        related_name="warranty_claims",
        verbose_name=_("vehicle"),
        editable=False,
    )
    lines = models.ManyToManyField(
        "repairs.RepairOrderLine", related_name="warranty_claims", verbose_name=_("claimed lines")
    )
    failure_code = models.CharField(_("failure code"), max_length=30, help_text=_("The maker's fault code."))
    failure_description = models.TextField(_("failure description"))
    causal_part_number = models.CharField(
        _("causal part number"), max_length=40, help_text=_("The part that caused the failure (主因件).")
    )
    causal_part_name = models.CharField(_("causal part name"), max_length=100)
    coverage = models.CharField(_("coverage"), max_length=12, choices=Coverage.choices, default=Coverage.BASIC)
    goodwill_note = models.TextField(
        _("goodwill note"), blank=True, help_text=_("Required for goodwill: why the maker should pay.")
    )
    # The fields below stay "editable" so that the change history shows them (simple-history diffs
    # editable fields only); no form or admin edits them: the services are their only writers.
    # The money claimed, net of VAT, from the claimed lines (recomputed at submission).
    labour_amount = models.DecimalField(_("labour"), **MONEY, default=Decimal("0.00"))
    parts_amount = models.DecimalField(_("parts"), **MONEY, default=Decimal("0.00"))
    sundry_amount = models.DecimalField(_("sundry"), **MONEY, default=Decimal("0.00"))
    total_amount = models.DecimalField(_("claimed total"), **MONEY, default=Decimal("0.00"))
    # What the in-warranty rule was applied to: the day the car came in and its odometer then.
    repair_date = models.DateField(_("repair date"))
    mileage_at_repair = models.PositiveIntegerField(_("mileage at repair (km)"), null=True, blank=True)
    in_warranty = models.BooleanField(_("in warranty"), null=True)
    warranty_check = models.CharField(_("warranty check"), max_length=300, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("warranty claim", "decision recorded by"),
    )
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    approved_amount = models.DecimalField(
        pgettext_lazy("warranty claim", "approved amount"), **MONEY, null=True, blank=True
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment recorded by"),
    )
    paid_amount = models.DecimalField(_("paid amount"), **MONEY, null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warranty claim")
        verbose_name_plural = _("warranty claims")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["dealer", "number"], name="uniq_warranty_claim_number")]
        indexes = [
            models.Index(fields=["dealer", "status", "submitted_at"], name="claim_dealer_status_submitted"),
            models.Index(fields=["dealer", "-created_at"], name="claim_dealer_created"),
            models.Index(fields=["status", "submitted_at"], name="claim_status_submitted"),
            models.Index(fields=["dealer", "failure_code"], name="claim_dealer_failure_code"),
        ]
        permissions = [("decide_warrantyclaim", _("Can record the maker's decision and payment of a warranty claim"))]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("warranty:claim_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return CLAIM_STATUS_COLOURS.get(self.status, "grey")
