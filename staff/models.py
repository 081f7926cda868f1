"""Staff (员工): profiles, skills, certificates, training courses and records, requirements, assessments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import VersionedModel
from core.tenancy import DealerScopedQuerySet
from staff.choices import (
    CERTIFICATE_STATUS_COLOURS,
    AssessmentKind,
    CertificateKind,
    CertificateStatus,
    CourseCategory,
    CourseProvider,
    Position,
    SkillArea,
    SkillLevel,
    TrainingResult,
)
from staff.rules import EXPIRY_WARNING_DAYS

SCORE = [MinValueValidator(1), MaxValueValidator(5)]
HOURS = {"max_digits": 6, "decimal_places": 1}


class StaffProfile(VersionedModel):
    """A person's employment at one dealer (员工档案): position, hire date, employee number, supervisor.

    One per (user, dealer), like the dealer memberships: someone working for two dealers of a
    group has a profile at each; their certificates are personal and count wherever they work.
    """

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="staff_profiles", verbose_name=_("dealer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profiles", verbose_name=_("person")
    )
    employee_number = models.CharField(_("employee number"), max_length=20)
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    hire_date = models.DateField(_("hire date"))
    leave_date = models.DateField(
        _("leave date"), null=True, blank=True, help_text=_("Last working day; empty while employed.")
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_profiles",
        verbose_name=_("supervisor"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["dealer", "employee_number"]
        constraints = [
            models.UniqueConstraint(fields=["dealer", "user"], name="uniq_staff_profile_user"),
            models.UniqueConstraint(fields=["dealer", "employee_number"], name="uniq_staff_employee_number"),
        ]
        indexes = [models.Index(fields=["dealer", "position"], name="staff_dealer_position")]
        permissions = [("view_own_staffprofile", _("Can view their own staff profile and scorecard"))]

    def __str__(self) -> str:
        return f"{self.user} ({self.employee_number})"

    def get_absolute_url(self) -> str:
        return reverse("staff:profile_detail", args=[self.pk])

    def clean(self) -> None:
        if self.leave_date and self.hire_date and self.leave_date < self.hire_date:
            raise ValidationError({"leave_date": _("The leave date cannot be before the hire date.")})
        if self.supervisor_id and self.supervisor_id == self.user_id:
            raise ValidationError({"supervisor": _("A person cannot be their own supervisor.")})

    def is_active_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or self.leave_date >= day)


class StaffSkill(models.Model):
    """One skill of a person with its level (技能); one row per skill area."""

    tenant_lookup = "profile__dealer"

    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="skills", verbose_name=_("staff"))
    area = models.CharField(_("skill"), max_length=30, choices=SkillArea.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=SkillLevel.choices, default=SkillLevel.BASIC)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["profile", "area"]
        constraints = [models.UniqueConstraint(fields=["profile", "area"], name="uniq_staff_skill_area")]

    def __str__(self) -> str:
        return f"{self.get_area_display()} · {self.get_level_display()}"


class Certificate(VersionedModel):
    """A qualification certificate a person holds (资质证书): kind, number, issue and expiry dates.

    A renewal is a new certificate (the old one stays, so the history of who was certified when
    is kept for KPI C4).
    """

    tenant_lookup = "profile__dealer"

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("staff")
    )
    kind = models.CharField(_("certificate"), max_length=30, choices=CertificateKind.choices)
    level = models.CharField(_("level"), max_length=30, blank=True, help_text=_("e.g. 中级 / 高级 for OEM levels."))
    number = models.CharField(_("certificate number"), max_length=50)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True, help_text=_("Empty: does not expire."))
    expiry_task = models.OneToOneField(
        "todo.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificate",
        verbose_name=_("expiry to-do"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["profile", "kind", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "number"], name="uniq_staff_certificate_number"),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "expires_on"], name="staff_cert_kind_expires"),
            models.Index(fields=["profile", "kind", "issued_on"], name="staff_cert_profile_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def clean(self) -> None:
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("The expiry date cannot be before the issue date.")})

    def status_on(self, day: date) -> str:
        """Valid, expiring (within 30 days), expired or not yet valid on ``day``."""
        if self.issued_on > day:
            return CertificateStatus.NOT_YET_VALID
        if self.expires_on is None:
            return CertificateStatus.VALID
        if self.expires_on < day:
            return CertificateStatus.EXPIRED
        if (self.expires_on - day).days <= EXPIRY_WARNING_DAYS:
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID

    def status_colour_on(self, day: date) -> str:
        return CERTIFICATE_STATUS_COLOURS[self.status_on(day)]


class TrainingCourse(models.Model):
    """A course a dealer's staff attend (培训课程): maker's, in-house or external, with its usual hours."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="training_courses", verbose_name=_("dealer")
    )
    code = models.CharField(_("course code"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=CourseCategory.choices)
    provider = models.CharField(_("provider"), max_length=20, choices=CourseProvider.choices)
    hours = models.DecimalField(_("hours"), **HOURS, validators=[MinValueValidator(Decimal("0.5"))])
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["dealer", "code"]
        constraints = [models.UniqueConstraint(fields=["dealer", "code"], name="uniq_training_course_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class TrainingRecord(VersionedModel):
    """One person's attendance of one course (培训记录): date, hours, result and score."""

    tenant_lookup = "profile__dealer"

    profile = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="training_records", verbose_name=_("staff")
    )
    course = models.ForeignKey(
        TrainingCourse, on_delete=models.PROTECT, related_name="records", verbose_name=_("course")
    )
    attended_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), **HOURS, validators=[MinValueValidator(Decimal("0.5"))])
    result = models.CharField(_("result"), max_length=10, choices=TrainingResult.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)], help_text=_("Exam score 0–100.")
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-attended_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "course", "attended_on"], name="uniq_training_attendance")
        ]
        indexes = [models.Index(fields=["profile", "attended_on"], name="staff_training_profile_date")]

    def __str__(self) -> str:
        return f"{self.course} {self.attended_on}"


class TrainingRequirement(models.Model):
    """A dealer's yearly training hours for a position (KPI C3); without one, staff.rules' default applies."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="training_requirements", verbose_name=_("dealer")
    )
    position = models.CharField(_("position"), max_length=30, choices=Position.choices)
    yearly_hours = models.DecimalField(_("training hours per year"), **HOURS, validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        ordering = ["dealer", "position"]
        constraints = [models.UniqueConstraint(fields=["dealer", "position"], name="uniq_training_requirement")]

    def __str__(self) -> str:
        return f"{self.get_position_display()}: {self.yearly_hours}"


class Assessment(VersionedModel):
    """A supervisor's or a colleague's assessment of a person for a quarter, on the five-criteria rubric (1–5)."""

    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="staff_assessments", verbose_name=_("dealer")
    )
    subject = models.ForeignKey(
        StaffProfile, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("assessed person")
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_given", verbose_name=_("assessor")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AssessmentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    score_competence = models.PositiveSmallIntegerField(_("professional competence"), validators=SCORE)
    score_attitude = models.PositiveSmallIntegerField(_("service attitude"), validators=SCORE)
    score_process = models.PositiveSmallIntegerField(_("process compliance"), validators=SCORE)
    score_teamwork = models.PositiveSmallIntegerField(_("teamwork"), validators=SCORE)
    score_responsibility = models.PositiveSmallIntegerField(_("responsibility and discipline"), validators=SCORE)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = DealerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "-quarter", "subject", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "assessor", "kind", "year", "quarter"], name="uniq_assessment_per_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(score_competence__range=(1, 5))
                & models.Q(score_attitude__range=(1, 5))
                & models.Q(score_process__range=(1, 5))
                & models.Q(score_teamwork__range=(1, 5))
                & models.Q(score_responsibility__range=(1, 5)),
                name="assessment_scores_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["dealer", "year", "quarter"], name="staff_assessment_period")]

    def __str__(self) -> str:
        return f"{self.subject} {self.year}Q{self.quarter} {self.get_kind_display()}"

    @property
    def average(self) -> Decimal:
        scores = [
            self.score_competence,
            self.score_attitude,
            self.score_process,
            self.score_teamwork,
            self.score_responsibility,
        ]
        return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
