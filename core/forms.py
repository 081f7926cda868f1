"""Form building blocks shared by every domain."""

import base64
import binascii
from io import BytesIO

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from core.uploads import sniff_kind


class IsoDateInput(forms.DateInput):
    """An ``<input type="date">``: the browser takes only an ISO value (2027-06-03), never the locale's 2027/06/03
    (a Chinese page would show the field blank), so the value is ISO in every language. Every date field and date
    filter of the project uses it."""

    input_type = "date"
    iso_format = "%Y-%m-%d"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=self.iso_format)


class IsoDateTimeInput(forms.DateTimeInput):
    """An ``<input type="datetime-local">`` with its ISO value (2027-06-03T09:30) in every language."""

    input_type = "datetime-local"
    iso_format = "%Y-%m-%dT%H:%M"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=self.iso_format)


class IsoMonthInput(forms.DateInput):
    """An ``<input type="month">`` with its ISO value (2027-06) in every language."""

    input_type = "month"
    iso_format = "%Y-%m"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=self.iso_format)


class VersionedFormMixin(forms.Form):
    """Carries the record version the editor started from (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def apply_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where it names a field)."""
    if hasattr(exc, "error_dict"):
        for field_name, errors in exc.error_dict.items():
            target = field_name if field_name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class SignaturePadWidget(forms.Widget):
    """A canvas the customer signs on (tablet, pen or mouse); the drawing is posted as a PNG data URL.

    Not a hidden widget: forms show it with its label. static/js/signature.js (loaded by base.html) draws.
    """

    template_name = "widgets/signature_pad.html"
    prefix = "data:image/png;base64,"

    def format_value(self, value):
        # A form shown again with errors keeps the drawing (the pad redraws it): only a PNG data URL, never a file.
        return value if isinstance(value, str) and value.startswith(self.prefix) else ""


class SignatureField(forms.CharField):
    """A signature drawn on the pad, checked to be a real, small PNG; cleans to a ContentFile (or None)."""

    widget = SignaturePadWidget
    max_bytes = 300 * 1024
    prefix = SignaturePadWidget.prefix

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if not value.startswith(self.prefix):
            raise ValidationError(_("The signature could not be read: please sign again."))
        try:
            data = base64.b64decode(value[len(self.prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(_("The signature could not be read: please sign again.")) from exc
        if len(data) > self.max_bytes:
            raise ValidationError(_("The signature image is too large."))
        if sniff_kind(BytesIO(data)) != "png":
            raise ValidationError(_("The signature could not be read: please sign again."))
        return ContentFile(data, name="signature.png")
