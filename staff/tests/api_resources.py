"""The staff API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from datetime import date

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from staff import services
from staff.choices import AssessmentKind, Position
from staff.tests.factories import course, person, trained

SCORES = {"score_competence": 4, "score_attitude": 5, "score_process": 3, "score_teamwork": 4,
          "score_responsibility": 4}  # fmt: skip


def assessment_payload(dealer) -> dict:
    return {"subject": person(dealer).pk, "kind": AssessmentKind.PEER, "year": 2026, "quarter": 1, **SCORES}


def peer_assessment(dealer):
    colleague = person(dealer, Position.SERVICE_ADVISOR)
    return services.assessment_create(
        subject=person(dealer), by=colleague.user, kind=AssessmentKind.PEER, year=2026, quarter=1, **SCORES
    )


def colleague(dealer):
    """A colleague with a staff profile at the dealer (staff record assessments; service managers read them)."""
    return person(dealer, Position.SERVICE_ADVISOR).user


RESOURCES = [
    ApiResource(basename="staff-profile", make=person),
    ApiResource(
        basename="training-record",
        make=lambda dealer: trained(person(dealer), 4, date(2025, 1, 1)),
        writer=role(Role.SERVICE_MANAGER),
        create=lambda dealer: {
            "profile": person(dealer).pk,
            "course": course(dealer, "A1", hours="6").pk,
            "attended_on": "2025-03-01",
            "result": "passed",
            "score": 88,
        },
        dealer_field="profile",
        in_dealer=lambda record, dealer: record.profile.dealer_id == dealer.pk,
    ),
    ApiResource(
        basename="assessment",
        make=peer_assessment,
        writer=colleague,
        create=assessment_payload,
        dealer_field="subject",
    ),
]
