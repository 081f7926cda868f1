"""Staff services: certificate expiry to-dos (idempotent), assessments' rules, profiles and training records."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.choices import Role
from core.services import ConflictError
from core.tests.factories import UserFactory
from core.tests.helpers import raises_because
from staff import services
from staff.choices import AssessmentKind, CertificateKind, Position, TrainingResult
from staff.models import Assessment, Certificate, StaffProfile, TrainingRecord
from staff.tests.factories import certificate, course, person
from todo.choices import TaskKind
from todo.models import Task

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 10)
SCORES = {"score_competence": 4, "score_attitude": 5, "score_process": 3, "score_teamwork": 4,
          "score_responsibility": 4}  # fmt: skip


def test_certificate_expiry_tasks_once_per_certificate(dealer_a, dealer_b, tech_a, tech_b):
    soon = certificate(tech_a, expires_on=TODAY + timedelta(days=10))
    expired = certificate(tech_a, kind=CertificateKind.HV_ELECTRICIAN, expires_on=TODAY - timedelta(days=3))
    certificate(tech_a, kind=CertificateKind.QC_INSPECTOR, expires_on=TODAY + timedelta(days=31))  # not yet
    renewed = certificate(tech_b, expires_on=TODAY + timedelta(days=5))
    certificate(tech_b, expires_on=TODAY + timedelta(days=730))  # the renewal replaces it
    leaver = person(dealer_a, leave_date=TODAY - timedelta(days=1))
    certificate(leaver, expires_on=TODAY + timedelta(days=2))

    created = services.certificate_expiry_tasks(today=TODAY)

    assert len(created) == 2
    soon.refresh_from_db()
    expired.refresh_from_db()
    task = soon.expiry_task
    assert (task.kind, task.role, task.dealer, task.status) == (
        TaskKind.CERTIFICATE_EXPIRY, Role.SERVICE_MANAGER, dealer_a, "open")  # fmt: skip
    assert timezone.localdate(task.due_at) == TODAY + timedelta(days=3)  # a week before expiry
    assert timezone.localdate(expired.expiry_task.due_at) == TODAY
    assert Certificate.objects.get(pk=renewed.pk).expiry_task is None
    # Idempotent: again, nothing new; the next day only the QC certificate enters the 30-day window.
    assert services.certificate_expiry_tasks(today=TODAY) == []
    assert Task.objects.filter(kind=TaskKind.CERTIFICATE_EXPIRY).count() == 2
    later = services.certificate_expiry_tasks(today=TODAY + timedelta(days=1))
    assert [t.certificate.kind for t in later] == [CertificateKind.QC_INSPECTOR]
    assert services.certificate_expiry_tasks(today=TODAY + timedelta(days=40)) == []
    assert Task.objects.filter(kind=TaskKind.CERTIFICATE_EXPIRY).count() == 3


def test_the_command(tech_a):
    certificate(tech_a, expires_on=timezone.localdate() + timedelta(days=1))
    out = StringIO()
    call_command("certificate_expiry_tasks", stdout=out)
    call_command("certificate_expiry_tasks", stdout=out)
    assert out.getvalue().splitlines() == ["1 certificate expiry to-do(s) created.",
                                           "0 certificate expiry to-do(s) created."]  # fmt: skip
    with pytest.raises(CommandError, match="--today must be a date like"):
        call_command("certificate_expiry_tasks", "--today", "tomorrow")


def test_nobody_assesses_themselves(dealer_a, manager_a):
    own = StaffProfile.objects.create(dealer=dealer_a, user=manager_a, employee_number="M1",
                                      position=Position.SERVICE_MANAGER, hire_date=date(2020, 1, 1))  # fmt: skip
    for kind in AssessmentKind.values:
        with pytest.raises(ValidationError) as error:
            services.assessment_create(subject=own, by=manager_a, kind=kind, year=2026, quarter=1, **SCORES)
        assert "subject" in error.value.message_dict
    assert not Assessment.objects.exists()


def test_peer_and_supervisor_rules(dealer_a, dealer_b, manager_a, tech_a, tech_b):
    colleague = person(dealer_a, Position.SERVICE_ADVISOR)
    peer = services.assessment_create(
        subject=tech_a, by=colleague.user, kind=AssessmentKind.PEER, year=2026, quarter=1, comment=" 好 ", **SCORES
    )
    assert (peer.dealer, peer.average, peer.comment) == (dealer_a, Decimal("4.00"), "好")
    with raises_because(ValidationError, "You have already assessed this person for this quarter."):  # once per quarter
        services.assessment_create(subject=tech_a, by=colleague.user, kind=AssessmentKind.PEER, year=2026, quarter=1,
                                   **SCORES)  # fmt: skip
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):  # a peer of another dealer
        services.assessment_create(subject=tech_a, by=tech_b.user, kind=AssessmentKind.PEER, year=2026, quarter=1,
                                   **SCORES)  # fmt: skip
    with pytest.raises(ValidationError) as error:  # a colleague is not the supervisor
        services.assessment_create(subject=tech_a, by=colleague.user, kind=AssessmentKind.SUPERVISOR, year=2026,
                                   quarter=1, **SCORES)  # fmt: skip
    assert "kind" in error.value.message_dict
    boss = services.assessment_create(subject=tech_a, by=manager_a, kind=AssessmentKind.SUPERVISOR, year=2026,
                                      quarter=1, **SCORES)  # fmt: skip
    assert boss.kind == AssessmentKind.SUPERVISOR
    with raises_because(ValidationError, "This quarter has not started yet."):
        services.assessment_create(subject=tech_a, by=manager_a, kind=AssessmentKind.SUPERVISOR,
                                   year=timezone.localdate().year + 1, quarter=1, **SCORES)  # fmt: skip
    with raises_because(ValidationError, "Ensure this value is less than or equal to 5."):  # a score outside 1–5
        services.assessment_create(subject=tech_a, by=manager_a, kind=AssessmentKind.SUPERVISOR, year=2026,
                                   quarter=2, **{**SCORES, "score_teamwork": 6})  # fmt: skip
    assert Assessment.objects.count() == 2
    # The named supervisor (a foreman) may write the supervisor assessment.
    foreman = UserFactory(roles=[Role.FOREMAN], dealers=[dealer_a])
    tech_a.supervisor = foreman
    tech_a.save()
    services.assessment_create(subject=tech_a, by=foreman, kind=AssessmentKind.SUPERVISOR, year=2026, quarter=1,
                               **SCORES)  # fmt: skip
    assert Assessment.objects.count() == 3


def test_profile_and_training_services(dealer_a, dealer_b, manager_a, manager_b, advisor_a):
    profile = services.profile_create(dealer=dealer_a, user=advisor_a, by=manager_a, employee_number="A-01",
                                      position=Position.SERVICE_ADVISOR, hire_date=date(2024, 3, 1))  # fmt: skip
    with raises_because(ValidationError, "This person already has a staff profile at this dealer."):
        services.profile_create(dealer=dealer_a, user=advisor_a, by=manager_a, employee_number="A-02",
                                position=Position.SERVICE_ADVISOR, hire_date=date(2024, 3, 1))  # fmt: skip
    with raises_because(ValidationError, "This person is not assigned to this dealer."):  # not assigned to dealer B
        services.profile_create(dealer=dealer_b, user=advisor_a, by=manager_b, employee_number="B-01",
                                position=Position.SERVICE_ADVISOR, hire_date=date(2024, 3, 1))  # fmt: skip
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):
        services.profile_update(profile=profile, by=manager_b, version=profile.version, notes="x")
    with raises_because(ValidationError, "A person cannot be their own supervisor."):
        services.profile_update(profile=profile, by=manager_a, version=profile.version, supervisor=advisor_a)
    profile = services.profile_update(profile=profile, by=manager_a, version=profile.version, supervisor=manager_a)
    assert (profile.supervisor, profile.version) == (manager_a, 2)
    with raises_because(ConflictError, "your version 1, now 2"):  # stale version
        services.profile_update(profile=profile, by=manager_a, version=1, notes="x")

    lesson = course(dealer_a, "P01", hours="6")
    record = services.training_record_add(profile=profile, course=lesson, by=manager_a, attended_on=date(2025, 5, 1),
                                          result=TrainingResult.PASSED, score=92)  # fmt: skip
    assert record.hours == Decimal("6")
    with raises_because(ValidationError, "Choose a course of this person's dealer."):
        services.training_record_add(profile=profile, course=course(dealer_b, "P01"), by=manager_a,
                                     attended_on=date(2025, 5, 1), result=TrainingResult.PASSED)  # fmt: skip
    with raises_because(ValidationError, "This date is in the future."):
        services.training_record_add(profile=profile, course=lesson, by=manager_a,
                                     attended_on=timezone.localdate() + timedelta(days=1),
                                     result=TrainingResult.PASSED)  # fmt: skip
    assert TrainingRecord.objects.count() == 1
    with raises_because(ValidationError, "The expiry date cannot be before the issue date."):
        services.certificate_add(profile=profile, by=manager_a, kind=CertificateKind.SERVICE_ADVISOR, number="N1",
                                 issued_on=date(2025, 1, 1), expires_on=date(2024, 1, 1))  # fmt: skip
    assert not Certificate.objects.exists()
