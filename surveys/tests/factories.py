"""Helpers for survey tests: delivered visits (hand-built: the repair path has its own tests), links, answers."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.utils import timezone

from accounts.choices import Role
from core.tests.factories import CustomerFactory, UserFactory, VehicleFactory
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder
from surveys import services
from surveys.models import Questionnaire

_numbers = count(1)

# A full set of answers to the shipped CSI questionnaire: every rating 4 of 5 (75), overall 8 of 10, NPS 9.
GOOD_CSI = {
    **{code: 4 for code in ("SI1", "SI2", "SI3", "SA1", "SA2", "SA3", "SA4", "SF1", "SF2", "SF3", "VP1", "VP2",
                            "VP3", "VP4", "SQ1", "SQ2")},
    "SQ3": "yes", "OV1": 8, "NPS": 9,
}  # fmt: skip


def csi() -> Questionnaire:
    services.default_questionnaire()  # installs the shipped ones again after a flush (transactional tests)
    return Questionnaire.objects.get(dealer__isnull=True, code="CSI", version=1)


def servqual() -> Questionnaire:
    services.default_questionnaire()
    return Questionnaire.objects.get(dealer__isnull=True, code="SERVQUAL", version=1)


def delivered_order(dealer, advisor=None, *, days_ago: float = 1, plate: str | None = None) -> RepairOrder:
    """A repair order of a new customer's car, delivered ``days_ago`` days ago."""
    advisor = advisor or UserFactory(roles=[Role.SERVICE_ADVISOR], dealers=[dealer])
    customer = CustomerFactory(dealer=dealer)
    vehicle = VehicleFactory(owner=customer, **({"plate": plate} if plate else {}))
    delivered = timezone.now() - timedelta(days=days_ago)
    return RepairOrder.objects.create(
        dealer=dealer, number=f"RO-T-{next(_numbers):05d}", vehicle=vehicle, customer=customer, advisor=advisor,
        customer_complaint="保养", arrived_at=delivered - timedelta(hours=3), status=RepairOrderStatus.DELIVERED,
        delivered_at=delivered,
    )  # fmt: skip


def invite(order, by=None) -> services.IssuedInvitation:
    return services.survey_invite_after_delivery(order=order, by=by)


def followup(dealer, username=None):
    return UserFactory(
        **({"username": username} if username else {}), roles=[Role.FOLLOWUP_SPECIALIST], dealers=[dealer]
    )


def manager(dealer, username=None):
    return UserFactory(**({"username": username} if username else {}), roles=[Role.SERVICE_MANAGER], dealers=[dealer])
