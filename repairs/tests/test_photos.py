"""Photos of a repair order: real images only, limited size, shown only to those who may see the order."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.tests.factories import CustomerFactory, VehicleFactory
from repairs import services
from repairs.models import RepairOrderPhoto

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def order(vehicle_a, advisor_a):
    return services.repair_order_open(vehicle=vehicle_a, by=advisor_a, customer_complaint="划痕", job_type="accident")


def upload(web, order, name, content, caption="左前门划痕"):
    return web.post(
        reverse("repairs:repair_order_photo_add", args=[order.pk]),
        {"image": SimpleUploadedFile(name, content), "caption": caption},
    )


def test_a_real_photo_is_stored_under_a_random_name_and_served_to_the_dealer(web, order):
    response = upload(web, order, "../../etc/passwd.png", png_bytes())
    assert response.status_code == 302
    photo = RepairOrderPhoto.objects.get()
    assert photo.extension == "png" and "passwd" not in photo.image.name
    assert photo.image.name.startswith(f"ro-photos/{order.dealer_id}/{order.pk}/")
    served = web.get(reverse("repairs:repair_order_photo", args=[photo.pk]))
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert "左前门划痕" in web.get(order.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"<script>alert(1)</script>", "This file is not a photo (JPEG, PNG or WebP)."),
        (
            "photo.gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
            b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
            "Use a JPEG, PNG or WebP photo.",
        ),
    ],
)
def test_anything_but_a_photo_is_refused(web, order, name, content, message):
    response = upload(web, order, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RepairOrderPhoto.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(web, order, monkeypatch):
    monkeypatch.setattr(services.PHOTO_UPLOAD, "max_bytes", 100)
    response = upload(web, order, "big.png", png_bytes((200, 200)))
    assert response.status_code == 400 and "at most" in response.content.decode()
    assert RepairOrderPhoto.objects.count() == 0


def test_another_dealers_photo_is_404(web, dealer_b, advisor_b):
    vehicle_b = VehicleFactory(owner=CustomerFactory(dealer=dealer_b))
    order_b = services.repair_order_open(vehicle=vehicle_b, by=advisor_b, customer_complaint="x", job_type="repair")
    photo = services.repair_order_add_photo(
        order=order_b, by=advisor_b, image=SimpleUploadedFile("a.png", png_bytes()), caption=""
    )
    assert web.get(reverse("repairs:repair_order_photo", args=[photo.pk])).status_code == 404
    assert upload(web, order_b, "b.png", png_bytes()).status_code == 404
    assert RepairOrderPhoto.objects.count() == 1
