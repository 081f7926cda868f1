"""Audits (体系审核, dimension G): checklist templates, the audits of a dealer, scores, evidence, adjustments.

Audits belong to a dealer (tenant scoped like every operational record); their checklist templates are shared
data and are immutable once an audit uses them.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.tenancy import DealerScopedQuerySet
from core.uploads import CONTENT_TYPES
from evaluation.choices import (
    AdjustmentKind,
    AuditKind,
    AuditStatus,
)

# --------------------------------------------------------------------------------------------------------------------
# Audits (体系审核, dimension G)
# --------------------------------------------------------------------------------------------------------------------


class AuditTemplate(models.Model):
    """A checklist template (审核表): sections of items with points; immutable once an audit uses it."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered for new audits"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit checklist template")
        verbose_name_plural = _("audit checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evaluation:template_detail", args=[self.pk])


class AuditSection(models.Model):
    """A section of a checklist template, e.g. 服务文化与承诺."""

    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="sections",
                                 verbose_name=_("template"))  # fmt: skip
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit section")
        verbose_name_plural = _("audit sections")
        ordering = ["template", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="uniq_audit_section_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class AuditItem(models.Model):
    """A checklist item: what the auditor checks, how many points it is worth, whether evidence is required."""

    section = models.ForeignKey(AuditSection, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("section"))  # fmt: skip
    code = models.CharField(_("code"), max_length=10)
    text = models.CharField(_("requirement"), max_length=300)
    guidance = models.TextField(_("guidance for the auditor"), blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=1,
                                 validators=[MinValueValidator(Decimal("0.5"))])  # fmt: skip
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("audit item")
        verbose_name_plural = _("audit items")
        ordering = ["section__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["section", "code"], name="uniq_audit_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Audit(models.Model):
    """An audit of a dealer's service system (体系审核) against a checklist template; its score is indicator G."""

    dealer = models.ForeignKey("organization.Dealer", on_delete=models.PROTECT, related_name="audits",
                               verbose_name=_("dealer"))  # fmt: skip
    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits",
                                 verbose_name=_("checklist template"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=AuditKind.choices)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audits",
                                verbose_name=_("auditor"))  # fmt: skip
    audit_date = models.DateField(_("audit date"))
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    earned = models.DecimalField(_("points earned"), max_digits=7, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(_("points possible"), max_digits=7, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("audit score"), max_digits=5, decimal_places=2, null=True, blank=True,
                                help_text=_("Fixed when the audit is submitted."))  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-audit_date", "-id"]
        permissions = [
            ("conduct_audit", "Can conduct official audits of the dealers of their regions"),
            ("confirm_audit", "Can confirm a submitted audit"),
        ]
        indexes = [models.Index(fields=["dealer", "status", "audit_date"], name="audit_dealer_status_date")]

    def __str__(self) -> str:
        return f"{self.dealer.code} {self.audit_date:%Y-%m-%d} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:audit_detail", args=[self.pk])

    @property
    def status_colour(self) -> str:
        return AuditStatus.colour(self.status)


class AuditItemScore(models.Model):
    """The auditor's score of one checklist item (0..points), or its exclusion with a reason (不适用)."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="item_scores", verbose_name=_("audit"))
    item = models.ForeignKey(AuditItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0"))])  # fmt: skip
    excluded = models.BooleanField(_("excluded (not applicable)"), default=False)
    exclusion_reason = models.CharField(_("reason for the exclusion"), max_length=200, blank=True)
    note = models.CharField(_("finding"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit item score")
        verbose_name_plural = _("audit item scores")
        ordering = ["audit", "item__section__position", "item__position"]
        constraints = [models.UniqueConstraint(fields=["audit", "item"], name="uniq_audit_item_score")]

    def __str__(self) -> str:
        return f"{self.audit} · {self.item.code}"


def _evidence_path(instance, filename: str) -> str:
    # Never trust the uploaded name: a random one, grouped by dealer and audit.
    return f"audit-evidence/{instance.audit.dealer_id}/{instance.audit_id}/{uuid.uuid4().hex}.{instance.extension}"


class AuditEvidence(models.Model):
    """A file (photo or PDF) proving an item's score; served only to users who may read the audit."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("audit"))
    item_score = models.ForeignKey(AuditItemScore, on_delete=models.CASCADE, related_name="evidence",
                                   verbose_name=_("item"))  # fmt: skip
    file = models.FileField(_("file"), upload_to=_evidence_path)
    extension = models.CharField(max_length=5, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit evidence")
        verbose_name_plural = _("audit evidence files")
        ordering = ["audit", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.original_name

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


class AuditAdjustment(models.Model):
    """A special deduction (−1 each) or the one special bonus (+1), in points of the 0–100 audit score."""

    tenant_lookup = "audit__dealer"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("audit"))
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("recorded by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("special audit adjustment")
        verbose_name_plural = _("special audit adjustments")
        ordering = ["audit", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit"], condition=Q(kind="bonus"), name="uniq_audit_special_bonus")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"
