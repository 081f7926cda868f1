"""Forms of quality alerts and improvement actions; they validate input, evaluation.alerts writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedFormMixin
from evaluation.alerts import ACTION_MOVES, owner_choices
from evaluation.choices import ActionStatus, AlertActionFilter, AlertKind, AlertReasonKind, AlertStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Filters(forms.Form):
    def filters(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


class AlertFilterForm(_Filters):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("Any status")), *AlertStatus.choices],
                               required=False)  # fmt: skip
    kind = forms.ChoiceField(label=_("kind"), choices=[("", _("Any kind")), *AlertKind.choices], required=False)
    reason = forms.ChoiceField(label=_("reason"), choices=[("", _("Any reason")), *AlertReasonKind.choices],
                               required=False)  # fmt: skip
    action = forms.ChoiceField(label=_("improvement action"), required=False,
                               choices=[("", _("With or without an action")), *AlertActionFilter.choices])  # fmt: skip
    escalated = forms.ChoiceField(label=_("escalated"), required=False, choices=[
        ("", _("Escalated or not")), ("any", _("Escalated")), ("1", _("To the service manager")),
        ("2", _("To the region"))])  # fmt: skip
    dealer = forms.IntegerField(label=_("dealer"), required=False, min_value=1)
    indicator_code = forms.CharField(label=_("indicator code"), required=False, max_length=10)


class ActionFilterForm(_Filters):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("Any status")), *ActionStatus.choices],
                               required=False)  # fmt: skip
    dealer = forms.IntegerField(label=_("dealer"), required=False, min_value=1)
    owner = forms.IntegerField(label=_("owner"), required=False, min_value=1)
    indicator_code = forms.CharField(label=_("indicator code"), required=False, max_length=10)


class ActionForm(VersionedFormMixin):
    """Plan (or change) an improvement action: owner, cause analysis, measures, due date."""

    owner = forms.ModelChoiceField(label=_("owner"), queryset=None)
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
        self.fields["status"].choices = [(s, labels[s]) for s in ACTION_MOVES.get(current, ())]
