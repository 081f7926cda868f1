"""The warranty claims' API endpoint for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from core.tests.factories import staff_user
from warranty.tests.factories import CLAIM_FIELDS, draft_claim, vehicle_in_warranty, warranty_line_ids, warranty_order


def repaired(dealer):
    """A warranty repair of a car of the dealer, through QC (its warranty lines can be claimed)."""
    return warranty_order(vehicle_in_warranty(dealer), staff_user(dealer, Role.SERVICE_ADVISOR))


def claim_payload(dealer) -> dict:
    order = repaired(dealer)
    return {"repair_order": order.pk, "lines": warranty_line_ids(order), **CLAIM_FIELDS}


RESOURCES = [
    # The steps (submit, decide, mark-paid) and discarding a draft: warranty/tests/test_api.py.
    ApiResource(
        basename="warranty-claim",
        make=lambda dealer: draft_claim(repaired(dealer), staff_user(dealer, Role.SERVICE_ADVISOR)),
        writer=role(Role.SERVICE_ADVISOR),
        create=claim_payload,
        dealer_field="repair_order",
        patch=lambda claim: {"failure_code": "P0301"},
    ),
]
