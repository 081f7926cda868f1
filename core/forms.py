"""Form building blocks shared by every domain."""

from django import forms
from django.core.exceptions import ValidationError


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
