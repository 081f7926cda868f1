"""Organisation: car makers (OEM) and their brands, regions, and dealers (服务店)."""

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.tenancy import DealerScopedQuerySet


class Oem(models.Model):
    """A car maker or dealer group that owns brands and regions (厂家/集团)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("OEM / dealer group")
        verbose_name_plural = _("OEMs / dealer groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    """A vehicle brand (品牌), e.g. 大众, 丰田."""

    oem = models.ForeignKey(Oem, on_delete=models.PROTECT, related_name="brands", verbose_name=_("OEM"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A sales/service region of an OEM or group (大区); region managers read all its dealers."""

    oem = models.ForeignKey(Oem, on_delete=models.PROTECT, related_name="regions", verbose_name=_("OEM"))
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Dealer(models.Model):
    """A dealership service outlet (服务店 / 4S店); every operational record belongs to one."""

    tenant_lookup = "pk"

    code = models.CharField(_("dealer code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("region"))
    brands = models.ManyToManyField(Brand, related_name="dealers", verbose_name=_("brands"), blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service hotline"), max_length=30, blank=True)
    service_bays = models.PositiveSmallIntegerField(
        _("service bays"), default=6, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    opens_at = models.TimeField(_("opens at"), default="08:30")
    closes_at = models.TimeField(_("closes at"), default="18:00")
    working_days = models.CharField(
        _("working days"),
        max_length=7,
        default="1234567",
        help_text=_("ISO weekdays the service desk is open, 1 = Monday … 7 = Sunday, e.g. 123456."),
    )
    labour_rate = models.DecimalField(
        _("labour rate per hour"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("180.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Customer-pay rate; copied to each new repair order."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1300"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=50,
        default="Asia/Shanghai",
        help_text=_("IANA name of the dealer's local time zone; SLA clocks count the opening hours in it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(m2m_fields=[brands])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("Closing time must be after opening time.")})
        days = self.working_days or ""
        if not days or any(ch not in "1234567" for ch in days) or len(set(days)) != len(days):
            raise ValidationError({"working_days": _("Use the digits 1–7 (Monday–Sunday), each at most once.")})
        try:
            ZoneInfo(self.time_zone or "")
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                {"time_zone": _("Unknown time zone (use an IANA name, e.g. Asia/Shanghai).")}
            ) from exc

    @property
    def working_weekdays(self) -> list[int]:
        """ISO weekday numbers the dealer is open."""
        return sorted(int(ch) for ch in self.working_days)


class CalendarDayKind(models.TextChoices):
    """How a special date differs from the weekly opening days."""

    CLOSED = "closed", _("Closed (public holiday)")
    WORKING = "working", _("Make-up working day (调休)")


class CalendarDaySource(models.TextChoices):
    """Where a special date came from: the holiday library (``manage.py load_holidays``) or a person."""

    LIBRARY = "library", _("Holiday library")
    MANUAL = "manual", _("Entered by hand")


class DealerCalendarDay(models.Model):
    """A date on which a dealer (or, without a dealer, every dealer) is closed or works although it normally does not.

    National holidays and their make-up working days (调休) are entered once without a dealer; a
    dealer's own entry for the same date wins. SLA clocks (organization.calendar) read these.
    """

    dealer = models.ForeignKey(
        Dealer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        verbose_name=_("dealer"),
        help_text=_("Leave empty for a national date that applies to every dealer."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("e.g. 春节, 国庆节调休"))
    # The loader updates and removes only its own rows; a national date entered or edited by hand stays.
    source = models.CharField(
        _("source"), max_length=10, choices=CalendarDaySource.choices, default=CalendarDaySource.MANUAL
    )
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("holiday / make-up working day")
        verbose_name_plural = _("holidays and make-up working days")
        ordering = ["date", "dealer_id"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "date"], name="uniq_dealer_calendar_day"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(dealer__isnull=True), name="uniq_national_calendar_day"
            ),
        ]
        indexes = [models.Index(fields=["date", "dealer"], name="calendar_day_date_dealer")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.note}".strip()
