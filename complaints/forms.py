"""Forms of complaints; they validate input, the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from complaints.choices import AgreementMethod, Category, Channel, ContactChannel, Severity
from complaints.services import LETTER_UPLOAD
from core.forms import IsoDateInput, IsoDateTimeInput, VersionedFormMixin
from repairs.choices import FaultCategory

DATE = IsoDateInput()
WHEN = IsoDateTimeInput()
FAULTS = [("", "—"), *[(v, label) for v, label in FaultCategory.choices if v != FaultCategory.NONE]]


def staff_choices(users) -> list[tuple[str, str]]:
    return [("", "—"), *[(str(u.pk), str(u)) for u in users]]


class ComplaintIntakeForm(forms.Form):
    """A new complaint: who, how it came in, what about, and who owns it."""

    dealer = forms.TypedChoiceField(label=_("dealer"), coerce=int)
    channel = forms.ChoiceField(label=pgettext_lazy("complaint", "channel"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    description = forms.CharField(label=_("what the customer says"), widget=forms.Textarea(attrs={"rows": 4}))
    contact_name = forms.CharField(label=_("complainant"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("complainant's phone"), max_length=30, required=False)
    plate = forms.CharField(
        label=_("plate or VIN"), max_length=17, required=False, help_text=_("Links the vehicle and its owner.")
    )
    repair_order_number = forms.CharField(label=_("RO number"), max_length=30, required=False)
    fault_category = forms.ChoiceField(label=_("fault"), choices=FAULTS, required=False)
    staff = forms.TypedChoiceField(
        label=_("staff member complained about"), coerce=int, required=False, empty_value=None
    )
    owner = forms.TypedChoiceField(
        label=pgettext_lazy("person responsible", "owner"), coerce=int, required=False, empty_value=None
    )
    received_at = forms.DateTimeField(
        label=pgettext_lazy("complaint", "received at"),
        required=False,
        widget=WHEN,
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args, dealers, users, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].choices = [(d.pk, f"{d.code} {d.name}") for d in dealers]
        if len(self.fields["dealer"].choices) == 1:
            self.fields["dealer"].initial = self.fields["dealer"].choices[0][0]
            self.fields["dealer"].widget = forms.HiddenInput()
        self.fields["staff"].choices = staff_choices(users)
        self.fields["owner"].choices = staff_choices(owners)


class ContactForm(VersionedFormMixin):
    contacted_at = forms.DateTimeField(
        label=_("contacted at"), required=False, widget=WHEN, help_text=_("Leave empty for now.")
    )
    channel = forms.ChoiceField(label=_("how"), choices=ContactChannel.choices)
    summary = forms.CharField(label=_("what was said"), widget=forms.Textarea(attrs={"rows": 3}))
    is_feedback = forms.BooleanField(
        label=_("feedback on progress or result"),
        required=False,
        help_text=_("The customer was told how the complaint is being handled or what the result is."),
    )
    letter = forms.FileField(
        label=_("letter / reply (答复函)"),
        required=False,
        validators=[LETTER_UPLOAD],
        help_text=_("A PDF or a photo of the letter (JPEG, PNG or WebP), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
    )


class ResolveForm(VersionedFormMixin):
    root_cause = forms.CharField(label=_("root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    corrective_action = forms.CharField(label=_("corrective action"), widget=forms.Textarea(attrs={"rows": 2}))
    customer_agreed = forms.TypedChoiceField(
        label=_("customer agrees"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    agreement_method = forms.ChoiceField(
        label=_("agreement given how"), choices=[("", "—"), *AgreementMethod.choices], required=False
    )
    agreement_note = forms.CharField(label=_("customer's words"), max_length=500, required=False)


class ReopenForm(VersionedFormMixin):
    reason = forms.CharField(label=_("why reopen"), max_length=400)


class ReassignForm(VersionedFormMixin):
    owner = forms.TypedChoiceField(label=_("new owner"), coerce=int)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(u.pk, str(u)) for u in owners]


class ComplaintUpdateForm(VersionedFormMixin):
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    fault_category = forms.ChoiceField(label=_("fault"), choices=FAULTS, required=False)
    staff = forms.TypedChoiceField(
        label=_("staff member complained about"), coerce=int, required=False, empty_value=None
    )
    description = forms.CharField(label=_("what the customer says"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = staff_choices(users)

    def clean_staff(self) -> User | None:
        pk = self.cleaned_data.get("staff")
        return User.objects.filter(pk=pk).first() if pk else None


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("response plan"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
