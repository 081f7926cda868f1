"""Forms of quality alerts and improvement actions; they validate input, evaluation.services.alerts writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import IsoDateInput, VersionedFormMixin
from evaluation.choices import ActionStatus
from evaluation.services.alerts import ACTION_STATES, owner_choices

DATE = IsoDateInput()


class ActionForm(VersionedFormMixin):
    """Plan (or change) an improvement action: owner, cause analysis, measures, due date."""

    owner = forms.ModelChoiceField(label=pgettext_lazy("person responsible", "owner"), queryset=None)
    cause_analysis = forms.CharField(label=_("cause analysis (plan)"), widget=forms.Textarea(attrs={"rows": 3}))
    plan = forms.CharField(label=_("measures (do)"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(
        label=_("due date"),
        widget=DATE,
        help_text=_("The first evaluation run of this month or later checks the action."),
    )

    def __init__(self, *args, dealer_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(dealer_id)


class DismissForm(VersionedFormMixin):
    reason = forms.CharField(label=_("reason for dismissing"), max_length=300)


class MoveForm(VersionedFormMixin):
    status = forms.ChoiceField(label=_("status"), choices=[])
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ActionStatus.choices)
        self.fields["status"].choices = [(t.target, labels[t.target]) for t in ACTION_STATES.offered_from(current)]
