"""The claims list page and API list run the same number of queries however many claims there are."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from repairs import services as ro
from warranty.choices import ClaimStatus
from warranty.models import WarrantyClaim
from warranty.tests.factories import CLAIM_FIELDS, manager, vehicle_in_warranty

pytestmark = pytest.mark.django_db


def add_claims(dealer, advisor, count: int) -> None:
    """``count`` claims, each of its own order and vehicle, in every status (hand-built: only reads are measured)."""
    decider = manager(dealer)
    start = WarrantyClaim.objects.count()
    for i in range(count):
        order = ro.repair_order_open(
            vehicle=vehicle_in_warranty(dealer), by=advisor, customer_complaint="x", job_type="warranty"
        )
        status = ClaimStatus.values[(start + i) % len(ClaimStatus.values)]
        WarrantyClaim.objects.create(
            dealer=dealer, repair_order=order, vehicle=order.vehicle, number=f"WC-Q-{start + i:04d}", status=status,
            repair_date=order.arrived_at.date(), created_by=advisor, submitted_by=advisor, decided_by=decider,
            paid_by=decider, total_amount=Decimal("100"), **CLAIM_FIELDS,
        )  # fmt: skip


def count_queries(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = request()
    assert response.status_code == 200
    return len(queries)


def test_list_page_queries_do_not_grow_with_claims(dealer_a, advisor_a):
    client = Client()
    client.force_login(advisor_a)
    add_claims(dealer_a, advisor_a, 1)
    few = count_queries(lambda: client.get("/warranty/claims/"))
    add_claims(dealer_a, advisor_a, 9)
    assert count_queries(lambda: client.get("/warranty/claims/")) == few
    assert count_queries(lambda: client.get("/warranty/claims/report/")) <= 12


def test_api_list_queries_do_not_grow_with_claims(api_en, dealer_a, advisor_a):
    api = api_en(advisor_a)
    add_claims(dealer_a, advisor_a, 1)
    few = count_queries(lambda: api.get("/api/v1/warranty-claims/"))
    add_claims(dealer_a, advisor_a, 9)
    assert count_queries(lambda: api.get("/api/v1/warranty-claims/")) == few
    assert few <= 8
