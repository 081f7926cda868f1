"""Reply letters (答复函) of complaint contacts: type read from the content, size limit, random stored name,
served only to users of the complaint's dealer (never a public /media/ URL)."""

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from complaints import services
from complaints.models import ComplaintContact
from complaints.tests.factories import open_complaint
from core.tests.helpers import login, sh

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_page_refuses_an_html_letter_on_the_field_and_stores_nothing(dealer_a, advisor_a, manager_a, media_root):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    response = login(manager_a).post(
        reverse("complaints:complaint_contact", args=[complaint.pk]),
        {"channel": "letter", "summary": "答复函已寄出", "contacted_at": "2025-06-16T11:00",
         "version": complaint.version, "letter": SimpleUploadedFile("reply.pdf", HTML, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 400
    assert list(response.context["contact_form"].errors) == ["letter"]
    assert not ComplaintContact.objects.exists()
    assert stored_files(media_root) == []
    complaint.refresh_from_db()
    assert complaint.first_contact_at is None


def test_the_api_refuses_an_html_letter_and_an_oversize_one(api_en, dealer_a, advisor_a, manager_a, media_root):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    client = api_en(manager_a)
    html = client.post(
        f"{URL}{complaint.pk}/contact/",
        {"channel": "letter", "summary": "x", "letter": SimpleUploadedFile("reply.html", HTML, "text/html")},
        format="multipart",
    )
    assert html.status_code == 400 and list(html.data) == ["letter"]
    big = PDF + b"0" * (services.LETTER_UPLOAD.max_bytes + 1 - len(PDF))
    oversize = client.post(
        f"{URL}{complaint.pk}/contact/",
        {"channel": "letter", "summary": "x", "letter": SimpleUploadedFile("reply.pdf", big, "application/pdf")},
        format="multipart",
    )
    assert oversize.status_code == 400 and list(oversize.data) == ["letter"]
    assert not ComplaintContact.objects.exists()
    assert stored_files(media_root) == []


def test_a_letter_is_stored_under_a_random_name_and_served_only_to_the_dealer(
    api_en, dealer_a, dealer_b, advisor_a, advisor_b, manager_a, media_root
):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    response = api_en(manager_a).post(
        f"{URL}{complaint.pk}/contact/",
        {"channel": "letter", "summary": "答复函", "letter": SimpleUploadedFile("张三 答复.pdf", PDF, "text/html")},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    contact = ComplaintContact.objects.get()
    download = reverse("complaints:contact_letter", args=[contact.pk])
    assert response.data["contacts"][0]["letter"].endswith(download)
    [name] = stored_files(media_root)
    assert name.endswith(".pdf") and "答复" not in name and len(name) == 32 + 4
    assert contact.letter.name.startswith("complaints/letters/")

    assert login(advisor_b).get(download).status_code == 404
    own = login(advisor_a).get(download)
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf" and own["X-Content-Type-Options"] == "nosniff"
    assert not own["Content-Disposition"].startswith("attachment")

    page = login(advisor_a).get(complaint.get_absolute_url())
    assert download in page.content.decode() and "/media/" not in page.content.decode()


def test_a_photo_letter_through_the_page_is_served_as_an_image(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    response = login(manager_a).post(
        reverse("complaints:complaint_contact", args=[complaint.pk]),
        {"channel": "letter", "summary": "答复函照片", "contacted_at": "2025-06-16T11:00",
         "version": complaint.version, "letter": SimpleUploadedFile("scan.pdf", png(), content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    contact = ComplaintContact.objects.get()
    assert contact.letter.name.endswith(".png")
    served = login(manager_a).get(reverse("complaints:contact_letter", args=[contact.pk]))
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"


def test_a_letter_stored_before_the_check_is_only_downloaded(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    contact = services.complaint_log_contact(
        complaint=complaint, by=manager_a, channel="letter", summary="旧答复函", contacted_at=sh(2025, 6, 16, 11, 0)
    )
    contact.letter.save("old.html", ContentFile(HTML), save=True)
    served = login(manager_a).get(reverse("complaints:contact_letter", args=[contact.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream" and served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("attachment")


def test_a_contact_without_a_letter_has_no_download(dealer_a, advisor_a, manager_a):
    complaint = open_complaint(dealer_a, advisor_a, owner=manager_a)
    contact = services.complaint_log_contact(
        complaint=complaint, by=manager_a, channel="phone", summary="已致歉", contacted_at=sh(2025, 6, 16, 11, 0)
    )
    assert login(manager_a).get(reverse("complaints:contact_letter", args=[contact.pk])).status_code == 404
