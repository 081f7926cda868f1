"""Service packages and labour menus (保养套餐): labour operations, parts and sundries per brand/model and
mileage interval, added to an estimate in one click."""

from __future__ import annotations

import re
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
from packages.choices import PackagePricing
from repairs.choices import JobType, LineKind

MONEY = {"max_digits": 12, "decimal_places": 2}
_SERIES_SEPARATORS = re.compile(r"[,，、;；]")


def split_series(value: str) -> list[str]:
    """The vehicle series (车系) of a package's text, e.g. "朗逸, 速腾" → ["朗逸", "速腾"] (empty: every series)."""
    return [s.strip() for s in _SERIES_SEPARATORS.split(value or "") if s.strip()]


class ServicePackage(VersionedModel):
    """A dealer's service package (保养套餐): what a service at a mileage/time interval of a brand's cars includes."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="service_packages", verbose_name=_("dealer")
    )
    code = models.CharField(_("package code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    brand = models.ForeignKey(
        "organization.Brand", on_delete=models.PROTECT, related_name="service_packages", verbose_name=_("brand")
    )
    series = models.CharField(
        _("vehicle series"),
        max_length=300,
        blank=True,
        help_text=_("The series (车系) as the vehicle archive writes them, comma-separated; empty: every series."),
    )
    job_type = models.CharField(_("job type"), max_length=20, choices=JobType.choices, default=JobType.MAINTENANCE)
    first_due_km = models.PositiveIntegerField(
        _("first due at (km)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    every_km = models.PositiveIntegerField(
        _("then every (km)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: once only. A/B services alternate: A first at 10,000 then every 20,000; B at 20,000."),
    )
    first_due_months = models.PositiveSmallIntegerField(
        _("first due after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Counted from the vehicle's purchase date; whichever comes first, the kilometres or the months."),
    )
    every_months = models.PositiveSmallIntegerField(
        _("then every (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    pricing = models.CharField(
        _("pricing"), max_length=10, choices=PackagePricing.choices, default=PackagePricing.COMPUTED
    )
    fixed_price = models.DecimalField(
        _("fixed package price (net of VAT)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    description = models.TextField(_("what the advisor tells the customer"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["dealer", "brand", "first_due_km", "code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_service_package_code")]
        indexes = [models.Index(fields=["dealer", "brand", "is_active"], name="package_dealer_brand")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("packages:package_detail", args=[self.pk])

    @property
    def series_list(self) -> list[str]:
        return split_series(self.series)

    def fits(self, vehicle) -> bool:
        """Whether the package is for the vehicle's brand and series (the archive's texts)."""
        if vehicle.brand.strip() not in (self.brand.name, self.brand.code):
            return False
        series = self.series_list
        return not series or vehicle.series.strip() in series


class ServicePackageItem(models.Model):
    """One item of a package: a labour operation (its hours, or others), a catalogue part × quantity, or a sundry."""

    tenant_lookup = "package__dealer"

    package = models.ForeignKey(
        ServicePackage, on_delete=models.CASCADE, related_name="items", verbose_name=_("service package")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    operation = models.ForeignKey(
        "repairs.LabourOperation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("labour operation"),
    )
    hours = models.DecimalField(
        pgettext_lazy("labour", "hours"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("Empty: the operation's standard hours."),
    )
    part = models.ForeignKey(
        "parts.Part", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("part")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount (net of VAT)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("package item")
        verbose_name_plural = _("package items")
        ordering = ["package", "position", "id"]

    def __str__(self) -> str:
        if self.kind == LineKind.LABOUR and self.operation_id:
            return str(self.operation)
        if self.kind == LineKind.PART and self.part_id:
            return str(self.part)
        return self.description


class PackageApplication(models.Model):
    """A package added to a repair order's estimate (which package, when, by whom, at what odometer and price)."""

    tenant_lookup = "order__dealer"

    order = models.ForeignKey(
        "repairs.RepairOrder", on_delete=models.CASCADE, related_name="+", verbose_name=_("repair order")
    )
    package = models.ForeignKey(
        ServicePackage, on_delete=models.PROTECT, related_name="applications", verbose_name=_("service package")
    )
    applied_at = models.DateTimeField(_("applied at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    odometer_km = models.PositiveIntegerField(_("odometer (km)"), null=True, blank=True)
    net_amount = models.DecimalField(_("package price (net of VAT)"), **MONEY)
    lines = models.ManyToManyField("repairs.RepairOrderLine", related_name="+", verbose_name=_("lines added"))

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("package application")
        verbose_name_plural = _("package applications")
        ordering = ["-applied_at", "-id"]
        indexes = [
            models.Index(fields=["order", "package"], name="package_application_order"),
            models.Index(fields=["package", "-applied_at"], name="package_application_package"),
        ]

    def __str__(self) -> str:
        return f"{self.package} → {self.order}"
