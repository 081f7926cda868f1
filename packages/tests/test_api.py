"""The service packages API beyond the generic checks: prices in the list, the apply action, bad input."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from core.tests.factories import staff_user
from packages.models import PackageApplication
from packages.tests.factories import manager, oil_service, operation
from repairs.choices import RepairOrderStatus as S
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db


def test_the_list_carries_items_and_price_in_a_fixed_number_of_queries(api_en, dealer_a, django_assert_max_num_queries):
    for n in range(2):
        oil_service(dealer_a, code=f"VW-{n}")
    api = api_en(staff_user(dealer_a, Role.SERVICE_ADVISOR))
    url = reverse("service-package-list")
    api.get(url)
    with django_assert_max_num_queries(9):
        body = api.get(url).json()
    for n in range(2, 10):
        oil_service(dealer_a, code=f"VW-{n}")
    with django_assert_max_num_queries(9):
        body = api.get(url).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert len(rows) == 10
    assert rows[0]["price"]["total"] == "598.90" and len(rows[0]["items"]) == 4


def test_apply_adds_the_lines_to_the_order(api_en, vehicle_a, advisor_a, dealer_a):
    package = oil_service(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    url = reverse("service-package-apply", args=[package.pk])
    response = api_en(advisor_a).post(url, {"repair_order": order.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["net_amount"] == "530.00" and len(response.json()["lines"]) == 4
    assert order.lines.count() == 4
    again = api_en(advisor_a).post(url, {"repair_order": order.pk}, format="json")
    assert again.status_code == 400 and "package" in again.json()


def test_apply_refusals(api_en, vehicle_a, advisor_a, dealer_a, dealer_b):
    package = oil_service(dealer_a)
    order = make_order(vehicle_a, advisor_a, S.CHECKED_IN)
    url = reverse("service-package-apply", args=[package.pk])
    other = staff_user(dealer_b, Role.SERVICE_ADVISOR)
    assert api_en(other).post(url, {"repair_order": order.pk}, format="json").status_code == 404
    technician = staff_user(dealer_a, Role.TECHNICIAN)
    assert api_en(technician).post(url, {"repair_order": order.pk}, format="json").status_code == 403
    theirs = oil_service(dealer_b, code="B-A")
    response = api_en(advisor_a).post(reverse("service-package-apply", args=[theirs.pk]), {"repair_order": order.pk})
    assert response.status_code == 404
    response = api_en(advisor_a).post(url, {"repair_order": 999999}, format="json")
    assert response.status_code == 400 and "repair_order" in response.json()
    assert not PackageApplication.objects.exists() and order.lines.count() == 0


def test_bad_input_is_a_400_with_field_errors(api_en, dealer_a, dealer_b):
    api = api_en(manager(dealer_a))
    url = reverse("service-package-list")
    body = {"dealer": dealer_a.pk, "code": "X", "name": "x", "brand": oil_service(dealer_a).brand_id}
    response = api.post(url, {**body, "pricing": "fixed"}, format="json")
    assert response.status_code == 400 and "fixed_price" in response.json()
    theirs = operation(dealer_b, code="X01")
    response = api.post(url, {**body, "items": [{"kind": "labour", "operation": theirs.pk}]}, format="json")
    assert response.status_code == 400  # another dealer's operation reads as one that does not exist
    assert response.json() == {"items": {"0": {"operation": [f'Invalid pk "{theirs.pk}" - object does not exist.']}}}
    response = api.post(url, {**body, "fixed_price": "-1"}, format="json")
    assert response.status_code == 400
    assert Decimal(api.get(url).json()["results"][0]["price"]["net"]) == Decimal("530.00")
