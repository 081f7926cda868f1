"""Upload checking for every domain: the file's real kind read from its content (never its name), a size limit."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

IMAGE_KINDS = ("jpg", "png", "webp")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Text and zip files do not say what they hold: a CSV and an .xlsx are also told by their name.
_NAMED_KINDS = {"csv": (".csv", ".txt"), "xlsx": (".xlsx",)}
_TEXT_SNIFF_BYTES = 8192


def sniff_kind(upload, *, images: bool = True) -> str | None:
    """The kind of an uploaded file from its content: a key of CONTENT_TYPES, ``"image"`` for another picture
    format (GIF, BMP...), or None when it is none of these. ``images=False`` does not try to read pictures."""
    upload.seek(0)
    head = upload.read(_TEXT_SNIFF_BYTES)
    upload.seek(0)
    name = (getattr(upload, "name", "") or "").lower()
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if name.endswith(_NAMED_KINDS["xlsx"]) else None
    if images:
        try:
            with Image.open(upload) as image:
                image.verify()
                kind = _IMAGE_FORMATS.get(image.format, "image")
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            kind = None
        finally:
            upload.seek(0)
        if kind is not None:
            return kind
    if head and b"\x00" not in head and name.endswith(_NAMED_KINDS["csv"]):
        return "csv"
    return None


@dataclass
class UploadRule:
    """Which kinds of file one upload accepts and how large, with the messages that say so.

    ``check(upload)`` returns the kind (the stored file's extension); the rule itself is a validator for form and
    serializer fields. ``too_large`` may use ``%(mb)s``; ``unreadable`` (default ``wrong_kind``) is said of a file
    that is no picture at all when ``wrong_kind`` names picture formats.
    """

    kinds: tuple[str, ...]
    max_bytes: int
    too_large: str
    wrong_kind: str
    unreadable: str | None = None

    def check(self, upload, *, field: str | None = None) -> str:
        """The upload's kind; a ValidationError (on ``field`` if given) when it is too large or of another kind."""
        if upload.size > self.max_bytes:
            self._refuse(self.too_large % {"mb": self.max_bytes // 1024 // 1024}, field)
        kind = sniff_kind(upload, images=any(k in IMAGE_KINDS for k in self.kinds))
        if kind not in self.kinds:
            recognised_picture = kind in IMAGE_KINDS or kind == "image"
            self._refuse(self.wrong_kind if recognised_picture else self.unreadable or self.wrong_kind, field)
        return kind

    def __call__(self, upload) -> None:
        self.check(upload)

    def content_type(self, name: str) -> str | None:
        """The content type of a stored file of this rule from its (server-chosen) extension; None otherwise."""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return CONTENT_TYPES[extension] if extension in self.kinds else None

    @staticmethod
    def _refuse(message, field: str | None):
        raise ValidationError({field: message} if field else message)
