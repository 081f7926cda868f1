"""Upload checking (core.uploads): the kind read from the content, the size limit, the messages, the validator."""

import io
from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from rest_framework import serializers

from core.uploads import IMAGE_KINDS, UploadRule, sniff_kind

PHOTO = UploadRule(
    kinds=IMAGE_KINDS, max_bytes=1024 * 1024, too_large="A photo may be at most %(mb)s MB.",
    wrong_kind="Use a JPEG, PNG or WebP photo.", unreadable="This file is not a photo (JPEG, PNG or WebP).",
)  # fmt: skip
DOCUMENT = UploadRule(
    kinds=("pdf", *IMAGE_KINDS), max_bytes=2 * 1024 * 1024, too_large="A letter may be at most %(mb)s MB.",
    wrong_kind="Use a PDF or a photo of the letter (JPEG, PNG or WebP).",
)  # fmt: skip
SHEET = UploadRule(
    kinds=("xlsx", "csv"), max_bytes=1024 * 1024, too_large="The file is larger than 1 MB.",
    wrong_kind="Upload an Excel workbook (.xlsx) or a CSV file.",
)  # fmt: skip
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def picture(image_format: str) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (20, 10), (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.png", picture("PNG"), "png"),
        ("photo.png", picture("JPEG"), "jpg"),  # the content decides, not the name
        ("a.webp", picture("WEBP"), "webp"),
        ("scan.jpg", PDF, "pdf"),
        ("a.gif", GIF, "image"),
        ("parts.xlsx", workbook(), "xlsx"),
        ("parts.zip", workbook(), None),  # a zip says nothing of what it holds: its name must say .xlsx
        ("parts.csv", "配件号,名称\n06A,滤清器\n".encode("gb18030"), "csv"),
        ("parts.txt", b"part_number,name\n", "csv"),
        ("page.html", b"<html>not an image</html>", None),  # text, but not named as a CSV
        ("parts.csv", b"PK\x05\x06" + b"\x00" * 18, None),  # binary named .csv
        ("empty.csv", b"", None),
    ],
)
def test_the_kind_is_read_from_the_content(name, content, kind):
    file = upload(name, content)
    assert sniff_kind(file) == kind
    assert file.read() == content  # the upload is rewound for whoever stores it


def test_a_rule_returns_the_kind_of_an_accepted_file():
    assert PHOTO.check(upload("x.bin", picture("JPEG"))) == "jpg"
    assert DOCUMENT.check(upload("reply.html", PDF)) == "pdf"
    assert SHEET.check(upload("parts.xlsx", workbook())) == "xlsx"
    assert SHEET.check(upload("parts.csv", b"a,b\n1,2\n")) == "csv"


@pytest.mark.parametrize(
    ("rule", "name", "content", "message"),
    [
        (PHOTO, "a.gif", GIF, "Use a JPEG, PNG or WebP photo."),  # a picture, of another format
        (PHOTO, "a.png", b"<html>not an image</html>", "This file is not a photo (JPEG, PNG or WebP)."),
        (PHOTO, "a.pdf", PDF, "This file is not a photo (JPEG, PNG or WebP)."),
        (DOCUMENT, "reply.pdf", b"<html></html>", "Use a PDF or a photo of the letter (JPEG, PNG or WebP)."),
        (DOCUMENT, "reply.gif", GIF, "Use a PDF or a photo of the letter (JPEG, PNG or WebP)."),
        (SHEET, "parts.pdf", PDF, "Upload an Excel workbook (.xlsx) or a CSV file."),
        (SHEET, "parts.png", picture("PNG"), "Upload an Excel workbook (.xlsx) or a CSV file."),
        (SHEET, "notes.html", b"<html></html>", "Upload an Excel workbook (.xlsx) or a CSV file."),
    ],
)
def test_another_kind_is_refused_with_the_rules_message(rule, name, content, message):
    with pytest.raises(ValidationError) as refused:
        rule.check(upload(name, content))
    assert refused.value.messages == [message]


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    big = upload("big.pdf", PDF + b"0" * (2 * 1024 * 1024 + 1 - len(PDF)))
    with pytest.raises(ValidationError) as refused:
        DOCUMENT.check(big)
    assert refused.value.messages == ["A letter may be at most 2 MB."]
    assert DOCUMENT.check(upload("exact.pdf", PDF + b"0" * (2 * 1024 * 1024 - len(PDF)))) == "pdf"
    with pytest.raises(ValidationError) as refused:
        SHEET.check(upload("big.csv", b"a" * (1024 * 1024 + 1)))
    assert refused.value.messages == ["The file is larger than 1 MB."]


def test_a_service_names_the_field_it_refuses():
    with pytest.raises(ValidationError) as refused:
        PHOTO.check(upload("a.gif", GIF), field="image")
    assert refused.value.message_dict == {"image": ["Use a JPEG, PNG or WebP photo."]}


def test_the_rule_is_the_validator_of_form_and_serializer_fields():
    class LetterForm(forms.Form):
        letter = forms.FileField(validators=[DOCUMENT])

    class LetterSerializer(serializers.Serializer):
        letter = serializers.FileField(validators=[DOCUMENT])

    refused = LetterForm(files={"letter": upload("reply.pdf", b"<html></html>")})
    assert refused.errors == {"letter": ["Use a PDF or a photo of the letter (JPEG, PNG or WebP)."]}
    assert LetterForm(files={"letter": upload("reply.pdf", PDF)}).is_valid()
    serializer = LetterSerializer(data={"letter": upload("reply.pdf", b"<html></html>")})
    assert not serializer.is_valid()
    assert serializer.errors == {"letter": ["Use a PDF or a photo of the letter (JPEG, PNG or WebP)."]}
    assert LetterSerializer(data={"letter": upload("reply.pdf", PDF)}).is_valid()


def test_a_stored_file_is_served_with_the_content_type_of_its_kind():
    assert DOCUMENT.content_type("complaints/letters/2025/06/ab12.pdf") == "application/pdf"
    assert DOCUMENT.content_type("x.JPG") == "image/jpeg"
    assert PHOTO.content_type("old.pdf") is None  # not a kind of this rule: never shown inline
    assert DOCUMENT.content_type("no-extension") is None
