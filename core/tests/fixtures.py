"""Fixtures shared by every app's tests: dealers, users per role, a frozen clock, browser and API clients."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from core.tests.factories import CustomerFactory, DealerFactory, UserFactory, VehicleFactory, make_vin
from core.tests.helpers import login


@pytest.fixture
def dealer_a(db):
    return DealerFactory(code="A001", name="甲店")


@pytest.fixture
def dealer_b(db):
    return DealerFactory(code="B001", name="乙店")


@pytest.fixture
def advisor_a(dealer_a):
    return UserFactory(username="advisor_a", roles=[Role.SERVICE_ADVISOR], dealers=[dealer_a])


@pytest.fixture
def advisor_b(dealer_b):
    return UserFactory(username="advisor_b", roles=[Role.SERVICE_ADVISOR], dealers=[dealer_b])


@pytest.fixture
def region_manager(dealer_a):
    """The region manager of dealer A's region (dealer B is in another): reads its dealers, changes nothing there."""
    return UserFactory(username="region_mgr", roles=[Role.REGION_MANAGER], regions=[dealer_a.region])


@pytest.fixture
def region_manager_b(dealer_a, dealer_b):
    """The region manager of dealer B's region (not dealer A's)."""
    assert dealer_a.region_id != dealer_b.region_id
    return UserFactory(username="region_mgr_b", roles=[Role.REGION_MANAGER], regions=[dealer_b.region])


@pytest.fixture
def region_manager_ab(dealer_a, dealer_b):
    """A region manager of both dealers' regions: reads dealers A and B, changes neither."""
    return UserFactory(username="region_ab", roles=[Role.REGION_MANAGER], regions=[dealer_a.region, dealer_b.region])


@pytest.fixture
def clock(monkeypatch):
    """Set the time the services, forms and auto_now fields see: ``clock(datetime)`` (returns the moment)."""

    def set_now(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


@pytest.fixture
def web(advisor_a):
    """advisor_a's browser with the English UI, so messages can be compared exactly."""
    return login(advisor_a)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """An API client logged in (token auth) as the given user."""

    def make(user) -> APIClient:
        from rest_framework.authtoken.models import Token

        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def api_en(api_as):
    """An API client with token auth as the given user, with English messages (the language switch's cookie)."""

    def make(user) -> APIClient:
        client = api_as(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def customer_a(dealer_a):
    return CustomerFactory(dealer=dealer_a, name="张三", mobile="13800000001")


@pytest.fixture
def vehicle_a(customer_a):
    return VehicleFactory(owner=customer_a, vin=make_vin(101), plate="粤A10001")
