"""The public survey's language switch keeps the answers already given (they travel with the switch)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from surveys.models import SurveyResponse
from surveys.tests.factories import delivered_order, invite

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttle_history():
    cache.clear()
    yield
    cache.clear()


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]*checked', html) + re.findall(
        rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]+)"', html
    )


def test_switching_the_language_keeps_the_answers_and_saves_nothing(dealer_a, advisor_a):
    link = invite(delivered_order(dealer_a, advisor_a))
    client = Client()
    page = client.get(f"/s/{link.token}/")
    assert 'name="switch_language" value="en"' in page.content.decode()

    switched = client.post(f"/s/{link.token}/", {"SA1": "4", "NPS": "9", "switch_language": "en"})

    assert switched.status_code == 200
    html = switched.content.decode()
    assert '<html lang="en">' in html
    assert checked(html, "SA1") == ["4"] and checked(html, "NPS") == ["9"]
    assert "errorlist" not in html  # not a failed submission: the rest is simply still to answer
    assert not SurveyResponse.objects.exists()
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    back = client.post(f"/s/{link.token}/", {"SA1": "4", "switch_language": "zh-hans"})
    assert '<html lang="zh-hans">' in back.content.decode() and checked(back.content.decode(), "SA1") == ["4"]
