"""Writes of the staff domain: profiles, skills, certificates (and their expiry to-dos), training, assessments."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import DealerMembership, User
from core.dates import local_moment
from core.permissions import require
from core.services import save_versioned
from organization.models import Dealer
from staff.choices import AssessmentKind
from staff.models import (
    Assessment,
    Certificate,
    StaffProfile,
    StaffSkill,
    TrainingCourse,
    TrainingRecord,
    TrainingRequirement,
)
from staff.selectors import open_expiring_certificates
from todo.choices import TaskKind
from todo.services import task_create

PROFILE_FIELDS = ("employee_number", "position", "hire_date", "leave_date", "supervisor", "notes")
CERTIFICATE_FIELDS = ("kind", "level", "number", "issuer", "issued_on", "expires_on")
COURSE_FIELDS = ("code", "title", "category", "provider", "hours", "is_active")
RECORD_FIELDS = ("attended_on", "hours", "result", "score", "notes")
SCORE_FIELDS = ("score_competence", "score_attitude", "score_process", "score_teamwork", "score_responsibility")


def _save_new(instance, *, by: User, unique_message: str | None = None):
    """Validate and insert a new record, with ``by`` in its history."""
    instance.full_clean()
    instance._history_user = by
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent insert of the same unique key
        raise ValidationError(unique_message or _("This record already exists.")) from exc
    return instance


def _check_supervisor(dealer: Dealer, supervisor: User | None, user: User | None = None) -> None:
    if supervisor is None:
        return
    if user is not None and supervisor.pk == user.pk:
        raise ValidationError({"supervisor": _("A person cannot be their own supervisor.")})
    if not DealerMembership.objects.filter(user=supervisor, dealer=dealer).exists():
        raise ValidationError({"supervisor": _("Choose a supervisor who works for this dealer.")})


def _not_in_future(field: str, value: date | None) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


@transaction.atomic
def profile_create(*, dealer: Dealer, user: User, by: User, **fields: Any) -> StaffProfile:
    """Open the staff profile of a person who works for the dealer (a dealer assignment is required)."""
    require(by, "staff.add_staffprofile", dealer=dealer)
    if not DealerMembership.objects.filter(user=user, dealer=dealer).exists():
        raise ValidationError({"user": _("This person is not assigned to this dealer.")})
    if StaffProfile.objects.filter(dealer=dealer, user=user).exists():
        raise ValidationError({"user": _("This person already has a staff profile at this dealer.")})
    _check_supervisor(dealer, fields.get("supervisor"), user)
    _not_in_future("hire_date", fields.get("hire_date"))
    profile = StaffProfile(dealer=dealer, user=user, **{k: v for k, v in fields.items() if k in PROFILE_FIELDS})
    return _save_new(profile, by=by, unique_message=_("This employee number is already used at this dealer."))


@transaction.atomic
def profile_update(*, profile: StaffProfile, by: User, version: int | None, **fields: Any) -> StaffProfile:
    """Change a profile's position, dates, supervisor or notes (optimistic version check)."""
    require(by, "staff.change_staffprofile", dealer=profile.dealer_id)
    profile = StaffProfile.objects.get(pk=profile.pk)
    if "supervisor" in fields:
        _check_supervisor(profile.dealer, fields["supervisor"], profile.user)
    if "hire_date" in fields:
        _not_in_future("hire_date", fields["hire_date"])
    for name, value in fields.items():
        if name in PROFILE_FIELDS:
            setattr(profile, name, value)
    if (
        StaffProfile.objects.filter(dealer_id=profile.dealer_id, employee_number=profile.employee_number)
        .exclude(pk=profile.pk)
        .exists()
    ):
        raise ValidationError({"employee_number": _("This employee number is already used at this dealer.")})
    profile._history_user = by
    return save_versioned(profile, expected_version=version)


@transaction.atomic
def skill_set(*, profile: StaffProfile, area: str, level: int, by: User) -> StaffSkill:
    """Record a skill at a level (or change the level of a skill already recorded)."""
    require(by, "staff.change_staffprofile", dealer=profile.dealer_id)
    skill = StaffSkill.objects.select_for_update().filter(profile=profile, area=area).first()
    if skill is None:
        return _save_new(StaffSkill(profile=profile, area=area, level=level), by=by)
    skill.level = level
    skill.full_clean()
    skill._history_user = by
    skill.save()
    return skill


@transaction.atomic
def skill_remove(*, skill: StaffSkill, by: User) -> None:
    require(by, "staff.change_staffprofile", dealer=skill.profile.dealer_id)
    skill._history_user = by
    skill.delete()


def _check_certificate(fields: dict) -> None:
    _not_in_future("issued_on", fields.get("issued_on"))
    issued, expires = fields.get("issued_on"), fields.get("expires_on")
    if issued and expires and expires < issued:
        raise ValidationError({"expires_on": _("The expiry date cannot be before the issue date.")})


@transaction.atomic
def certificate_add(*, profile: StaffProfile, by: User, **fields: Any) -> Certificate:
    """Record a certificate (or the renewal of one: a renewal is a new certificate with its own number)."""
    require(by, "staff.add_certificate", dealer=profile.dealer_id)
    _check_certificate(fields)
    certificate = Certificate(profile=profile, **{k: v for k, v in fields.items() if k in CERTIFICATE_FIELDS})
    return _save_new(certificate, by=by, unique_message=_("This certificate is already recorded."))


@transaction.atomic
def certificate_update(*, certificate: Certificate, by: User, version: int | None, **fields: Any) -> Certificate:
    """Correct a certificate's data (a renewal is recorded as a new certificate instead)."""
    require(by, "staff.change_certificate", dealer=certificate.profile.dealer_id)
    certificate = Certificate.objects.get(pk=certificate.pk)
    merged = {name: fields.get(name, getattr(certificate, name)) for name in CERTIFICATE_FIELDS}
    _check_certificate(merged)
    for name, value in merged.items():
        setattr(certificate, name, value)
    certificate._history_user = by
    return save_versioned(certificate, expected_version=version)


def certificate_expiry_tasks(*, today: date | None = None, dealer_ids=None, by: User | None = None) -> list:
    """Put a to-do on the service manager's list for every certificate of an active person that expired or
    expires within 30 days and is not replaced by a later one; a certificate gets one such to-do, ever.

    Safe to run any number of times (daily from the ``certificate_expiry_tasks`` command): the task is
    linked to the certificate, and the certificate row is locked while its task is created.
    """
    today = today or timezone.localdate()
    candidates = open_expiring_certificates(today=today).filter(expiry_task__isnull=True, profile__hire_date__lte=today)
    candidates = candidates.exclude(profile__leave_date__lt=today)
    if dealer_ids is not None:
        candidates = candidates.filter(profile__dealer_id__in=list(dealer_ids))
    created = []
    for certificate_id in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("profile__user", "profile__dealer")
                .get(pk=certificate_id)
            )
            if certificate.expiry_task_id is not None:
                continue  # another run got there first
            expires = certificate.expires_on
            due_day = max(today, expires - timedelta(days=7))
            title = (
                _("Certificate of %(person)s expired on %(date)s: %(certificate)s")
                if expires < today
                else _("Certificate of %(person)s expires on %(date)s: %(certificate)s")
            ) % {"person": certificate.profile.user, "date": expires.isoformat(), "certificate": certificate}
            task = task_create(
                dealer=certificate.profile.dealer,
                kind=TaskKind.CERTIFICATE_EXPIRY,
                title=title[:200],
                due_at=local_moment(due_day, time(10)),
                role=Role.SERVICE_MANAGER,
                by=by,
            )
            Certificate.objects.filter(pk=certificate.pk).update(expiry_task=task)
            created.append(task)
    return created


@transaction.atomic
def course_create(*, dealer: Dealer, by: User, **fields: Any) -> TrainingCourse:
    """Add a course to the dealer's training catalogue."""
    require(by, "staff.add_trainingcourse", dealer=dealer)
    course = TrainingCourse(dealer=dealer, **{k: v for k, v in fields.items() if k in COURSE_FIELDS})
    if TrainingCourse.objects.filter(dealer=dealer, code=course.code).exists():
        raise ValidationError({"code": _("This course code is already used at this dealer.")})
    return _save_new(course, by=by, unique_message=_("This course code is already used at this dealer."))


@transaction.atomic
def training_record_add(*, profile: StaffProfile, course: TrainingCourse, by: User, **fields: Any) -> TrainingRecord:
    """Record that a person attended a course: date (not in the future), hours (the course's unless given), result."""
    require(by, "staff.add_trainingrecord", dealer=profile.dealer_id)
    if course.dealer_id != profile.dealer_id:
        raise ValidationError({"course": _("Choose a course of this person's dealer.")})
    fields = {k: v for k, v in fields.items() if k in RECORD_FIELDS}
    if fields.get("hours") in (None, ""):
        fields["hours"] = course.hours
    _not_in_future("attended_on", fields.get("attended_on"))
    if fields.get("attended_on") and fields["attended_on"] < profile.hire_date - timedelta(days=366):
        raise ValidationError({"attended_on": _("This date is long before the person was hired.")})
    if TrainingRecord.objects.filter(profile=profile, course=course, attended_on=fields.get("attended_on")).exists():
        raise ValidationError({"attended_on": _("This attendance is already recorded.")})
    record = TrainingRecord(profile=profile, course=course, created_by=by, **fields)
    return _save_new(record, by=by, unique_message=_("This attendance is already recorded."))


@transaction.atomic
def training_record_update(*, record: TrainingRecord, by: User, version: int | None, **fields: Any) -> TrainingRecord:
    """Correct a training record's date, hours, result, score or notes (optimistic version check)."""
    require(by, "staff.change_trainingrecord", dealer=record.profile.dealer_id)
    record = TrainingRecord.objects.get(pk=record.pk)
    if "attended_on" in fields:
        _not_in_future("attended_on", fields["attended_on"])
    for name, value in fields.items():
        if name in RECORD_FIELDS:
            setattr(record, name, value)
    record._history_user = by
    return save_versioned(record, expected_version=version)


@transaction.atomic
def requirement_set(*, dealer: Dealer, position: str, yearly_hours: Decimal, by: User) -> TrainingRequirement:
    """Set the dealer's yearly training hours for a position (KPI C3)."""
    require(by, "staff.change_trainingrequirement", dealer=dealer)
    requirement = TrainingRequirement.objects.select_for_update().filter(dealer=dealer, position=position).first()
    if requirement is None:
        return _save_new(TrainingRequirement(dealer=dealer, position=position, yearly_hours=yearly_hours), by=by)
    requirement.yearly_hours = yearly_hours
    requirement.full_clean()
    requirement._history_user = by
    requirement.save()
    return requirement


def _quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * (quarter - 1) + 1, 1)


def can_assess_as_supervisor(*, subject: StaffProfile, user: User) -> bool:
    """The person's supervisor, or a service manager of the dealer, writes the supervisor assessment."""
    if subject.supervisor_id == user.pk:
        return True
    return (
        user.has_role(Role.SERVICE_MANAGER)
        and DealerMembership.objects.filter(user=user, dealer_id=subject.dealer_id).exists()
    )


@transaction.atomic
def assessment_create(
    *, subject: StaffProfile, by: User, kind: str, year: int, quarter: int, comment: str = "", **scores: int
) -> Assessment:
    """Record a supervisor's or a colleague's assessment of a person for a quarter on the 1–5 rubric.

    Nobody assesses themselves; peers work for the same dealer; one assessment per assessor, kind and quarter.
    """
    require(by, "staff.add_assessment", dealer=subject.dealer_id)
    if subject.user_id == by.pk:
        raise ValidationError({"subject": _("Nobody assesses themselves.")})
    if kind == AssessmentKind.SUPERVISOR:
        if not can_assess_as_supervisor(subject=subject, user=by):
            raise ValidationError({"kind": _("Only the person's supervisor or a service manager of the dealer does.")})
    elif kind == AssessmentKind.PEER:
        if not DealerMembership.objects.filter(user=by, dealer_id=subject.dealer_id).exists():
            raise ValidationError({"subject": _("Peers assess colleagues of their own dealer only.")})
    else:
        raise ValidationError({"kind": _("Choose supervisor or peer assessment.")})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose a quarter from 1 to 4.")})
    if _quarter_start(year, quarter) > timezone.localdate():
        raise ValidationError({"quarter": _("This quarter has not started yet.")})
    duplicate = Assessment.objects.filter(subject=subject, assessor=by, kind=kind, year=year, quarter=quarter)
    if duplicate.exists():
        raise ValidationError(_("You have already assessed this person for this quarter."))
    assessment = Assessment(
        dealer_id=subject.dealer_id,
        subject=subject,
        assessor=by,
        kind=kind,
        year=year,
        quarter=quarter,
        comment=comment.strip(),
        **{name: scores.get(name) for name in SCORE_FIELDS},
    )
    return _save_new(assessment, by=by, unique_message=_("You have already assessed this person for this quarter."))
