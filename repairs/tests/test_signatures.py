"""Customer signatures on the tablet: belongings list at check-in and the estimate approval."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.forms import SignatureField
from core.tests.factories import signature_data_url, signature_file, signature_png
from repairs import services
from repairs.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value",
    [
        "not a data url",
        "data:image/png;base64,!!!not-base64!!!",
        "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode(),
        "data:image/jpeg;base64," + base64.b64encode(signature_png()).decode(),
    ],
)
def test_anything_but_a_drawn_png_is_refused(value):
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            SignatureField().clean(value)
        assert excinfo.value.messages == ["The signature could not be read: please sign again."]


def test_a_drawn_png_becomes_a_file_and_an_empty_pad_is_no_signature(monkeypatch):
    assert SignatureField().clean(signature_data_url()).read() == signature_png()
    assert SignatureField().clean("") is None
    monkeypatch.setattr(SignatureField, "max_bytes", 10)
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            SignatureField().clean(signature_data_url())
        assert excinfo.value.messages == ["The signature image is too large."]


def test_approval_by_signature_needs_the_signature_and_keeps_it(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status="estimated")
    with pytest.raises(ValidationError) as error:
        services.repair_order_record_approval(
            order=order, by=advisor_a, version=order.version, approval_method="signature", approved_by_customer="张三"
        )
    assert "approval_signature" in error.value.error_dict
    order.refresh_from_db()
    assert order.status == "estimated" and not order.approval_signature
    order = services.repair_order_record_approval(
        order=order, by=advisor_a, version=order.version, approval_method="signature", approved_by_customer="张三",
        approval_signature=signature_file(),
    )  # fmt: skip
    assert order.status == "approved" and order.approval_signature.name.endswith(".png")
    client = Client()
    client.force_login(advisor_a)
    response = client.get(reverse("repairs:repair_order_signature", args=[order.pk, "approval"]))
    assert response["Content-Type"] == "image/png" and b"".join(response.streaming_content) == signature_png()
    assert client.get(reverse("repairs:repair_order_signature", args=[order.pk, "belongings"])).status_code == 404


def test_belongings_signature_through_the_api_and_not_visible_to_another_dealer(
    api_en, vehicle_a, advisor_a, advisor_b
):
    order = services.repair_order_open(
        vehicle=vehicle_a, by=advisor_a, customer_complaint="保养", job_type="maintenance"
    )
    response = api_en(advisor_a).post(
        f"/api/v1/repair-orders/{order.pk}/check-in/",
        {"version": order.version, "belongings_signed_by": "张三", "belongings_signature": signature_data_url()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert order.belongings_signature and order.belongings_signed_at is not None
    bad = api_en(advisor_a).post(
        f"/api/v1/repair-orders/{order.pk}/check-in/",
        {"version": order.version, "belongings_signature": "data:image/png;base64,AAAA"},
        format="json",
    )
    assert bad.status_code == 400 and "belongings_signature" in bad.json()
    other = Client()
    other.force_login(advisor_b)
    assert other.get(reverse("repairs:repair_order_signature", args=[order.pk, "belongings"])).status_code == 404


# --- a form shown again with errors keeps the drawing (issue 13) --------------------------------------------------


def pad_value(page: str, name: str) -> str:
    """The value of the signature pad's hidden input ``name`` on the page."""
    marker = f'name="{name}" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_checkin_error_keeps_the_signature_on_the_pad(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status="open")
    client = Client()
    client.force_login(advisor_a)
    drawing = signature_data_url()
    response = client.post(
        reverse("repairs:repair_order_checkin", args=[order.pk]),
        {"version": order.version, "belongings_signed_by": "张三", "belongings_signature": drawing,
         "odometer_km": "-5"},
    )  # fmt: skip
    assert response.status_code == 400
    assert pad_value(response.content.decode(), "belongings_signature") == drawing
    order.refresh_from_db()
    assert not order.belongings_signature


def test_an_approval_error_keeps_the_signature_and_an_unreadable_one_is_not_shown_again(vehicle_a, advisor_a):
    order = make_order(vehicle_a, advisor_a, status="estimated")
    client = Client()
    client.force_login(advisor_a)
    url = reverse("repairs:repair_order_approval", args=[order.pk])
    drawing = signature_data_url()
    data = {"version": order.version, "approval_method": "signature"}
    response = client.post(url, {**data, "approval_signature": drawing})
    assert response.status_code == 400  # who approved is missing
    assert pad_value(response.content.decode(), "approval_signature") == drawing
    response = client.post(url, {**data, "approval_signature": '"><script>x</script>'})
    assert response.status_code == 400
    assert pad_value(response.content.decode(), "approval_signature") == ""
    assert "<script>x</script>" not in response.content.decode()
    order.refresh_from_db()
    assert order.status == "estimated" and not order.approval_signature
