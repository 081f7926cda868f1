"""Customer archive (客户档案): customers, their vehicles and who owned which vehicle when."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Right
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel, VersionedModel
from core.tenancy import DealerScopedQuerySet
from customers.choices import Consent, ContactChannel, CustomerKind, CustomerSource, FuelType
from customers.validators import (
    normalize_mobile,
    normalize_plate,
    normalize_vin,
    validate_mobile,
    validate_plate,
    validate_vin,
)


class Customer(TimeStampedModel, VersionedModel):
    """A customer of one dealer: a person or a company, with how and whether to contact them."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="customers", verbose_name=_("dealer")
    )
    kind = models.CharField(_("type"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    contact_person = models.CharField(
        _("contact person"), max_length=50, blank=True, help_text=_("For companies: who to talk to.")
    )
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    other_contacts = models.CharField(
        _("other contacts"), max_length=200, blank=True, help_text=_("Landline, second mobile, WeChat ID…")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    preferred_channel = models.CharField(
        _("preferred contact channel"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    consent = models.CharField(
        _("consent to be contacted"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN
    )
    consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True, editable=False)
    source = models.CharField(
        pgettext_lazy("customer", "source"),
        max_length=10,
        choices=CustomerSource.choices,
        default=CustomerSource.WALK_IN,
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Comma-separated, e.g. VIP, fleet."))
    notes = models.TextField(_("notes"), blank=True)
    archive_complete = models.BooleanField(_("archive complete"), default=False, editable=False)
    archive_completed_at = models.DateTimeField(_("archive first complete at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["dealer", "mobile"], name="customer_dealer_mobile"),
            models.Index(fields=["dealer", "name"], name="customer_dealer_name"),
            models.Index(fields=["mobile"], name="customer_mobile"),
            models.Index(fields=["name"], name="customer_name"),
            models.Index(fields=["dealer", "-created_at"], name="customer_dealer_created"),
            models.Index(fields=["-created_at", "-id"], name="customer_created"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:customer_detail", args=[self.pk])

    def clean(self) -> None:
        # Stored normalised, whichever way the record is edited (services, admin, API).
        self.mobile = normalize_mobile(self.mobile)

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.tags.split(",")) if tag]


class Vehicle(TimeStampedModel, VersionedModel):
    """A vehicle in a dealer's archive; it keeps its service history when its owner changes."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("dealer")
    )
    owner = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="vehicles", verbose_name=_("current owner")
    )
    vin = models.CharField(_("VIN"), max_length=17, validators=[validate_vin])
    vin_tail = models.GeneratedField(
        expression=Right("vin", 6),
        output_field=models.CharField(max_length=6),
        db_persist=True,
        verbose_name=_("last six of VIN"),
    )
    plate = models.CharField(
        _("licence plate"),
        max_length=10,
        blank=True,
        validators=[validate_plate],
        help_text=_("Leave empty for a new car not registered yet."),
    )
    brand = models.CharField(_("brand"), max_length=50)
    series = models.CharField(_("series"), max_length=50, blank=True)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    model_year = models.PositiveSmallIntegerField(
        _("model year"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    fuel_type = models.CharField(_("fuel type"), max_length=10, choices=FuelType.choices, default=FuelType.PETROL)
    colour = models.CharField(_("colour"), max_length=30, blank=True)
    engine_no = models.CharField(_("engine / motor no."), max_length=30, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("current mileage (km)"), null=True, blank=True)
    mileage_recorded_at = models.DateTimeField(_("mileage recorded at"), null=True, blank=True, editable=False)
    insurance_expiry = models.DateField(_("insurance expiry"), null=True, blank=True)
    warranty_expiry = models.DateField(_("warranty expiry"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "vin"], name="uniq_vehicle_dealer_vin"),
            models.UniqueConstraint(
                fields=["dealer", "plate"], condition=~models.Q(plate=""), name="uniq_vehicle_dealer_plate"
            ),
        ]
        indexes = [
            models.Index(fields=["vin"], name="vehicle_vin"),
            models.Index(fields=["vin_tail"], name="vehicle_vin_tail"),
            models.Index(fields=["plate"], name="vehicle_plate"),
            models.Index(fields=["dealer", "-created_at"], name="vehicle_dealer_created"),
            models.Index(fields=["-created_at", "-id"], name="vehicle_created"),
        ]

    def __str__(self) -> str:
        return self.plate or self.vin

    def get_absolute_url(self) -> str:
        return reverse("customers:vehicle_detail", args=[self.pk])

    def clean(self) -> None:
        # Stored normalised, whichever way the record is edited, so uniqueness compares like with like.
        self.vin = normalize_vin(self.vin)
        self.plate = normalize_plate(self.plate)
        if self.owner_id and self.dealer_id and self.owner.dealer_id != self.dealer_id:
            raise ValidationError({"owner": _("The owner must be a customer of the vehicle's dealer.")})

    @property
    def description(self) -> str:
        return " ".join(part for part in (self.brand, self.series, self.model_name) if part)


class VehicleOwnership(models.Model):
    """Who owned a vehicle from when to when (the last row with no end is the current owner)."""

    tenant_lookup = "vehicle__dealer"

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("vehicle"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("owner"))
    started_on = models.DateField(_("owner since"))
    ended_on = models.DateField(_("owner until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("vehicle ownership")
        verbose_name_plural = _("vehicle ownerships")
        ordering = ["vehicle", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=models.Q(ended_on__isnull=True), name="uniq_vehicle_current_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} – {self.customer}"
