"""Forms of satisfaction surveys: the answer form built from a questionnaire, filters, settings, new version."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from care.choices import MessageChannel
from core.forms import VersionedFormMixin
from surveys.choices import CsiFactor, QuestionKind
from surveys.models import Question, Questionnaire
from surveys.scoring import SCALES


class ScaleWidget(forms.RadioSelect):
    """A row of big number buttons (radio inputs styled as tiles): works without JavaScript, on a phone."""

    template_name = "surveys/widgets/scale.html"


class ChoiceTiles(forms.RadioSelect):
    template_name = "surveys/widgets/tiles.html"


class MultiTiles(forms.CheckboxSelectMultiple):
    template_name = "surveys/widgets/tiles.html"


def _field_for(question: Question) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    if question.kind in SCALES:
        low, high = SCALES[question.kind]
        return forms.TypedChoiceField(
            choices=[(str(n), str(n)) for n in range(low, high + 1)], coerce=int, widget=ScaleWidget, **common
        )
    if question.kind == QuestionKind.SINGLE:
        return forms.ChoiceField(choices=question.localized_options(), widget=ChoiceTiles, **common)
    if question.kind == QuestionKind.MULTI:
        return forms.MultipleChoiceField(choices=question.localized_options(), widget=MultiTiles, **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)


class SurveyAnswerForm(forms.Form):
    """One field per question (named by its code); the service checks the answers again and scores them."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            field = _field_for(question)
            field.question = question
            field.low_label, field.high_label = self._scale_labels(question)
            self.fields[question.code] = field

    @staticmethod
    def _scale_labels(question: Question):
        if question.kind == QuestionKind.NPS:
            return _("not at all likely"), _("extremely likely")
        if question.kind in SCALES:
            return _("very dissatisfied"), _("very satisfied")
        return "", ""

    def answers(self) -> dict:
        return {code: value for code, value in self.cleaned_data.items() if value not in (None, "", [])}

    def sections(self):
        """The fields grouped by the questions' sections, in order."""
        groups: list[tuple[str, list]] = []
        for question in self.questions:
            if not groups or groups[-1][0] != question.section:
                groups.append((question.section, []))
            groups[-1][1].append(self[question.code])
        return groups


class PeriodFilterForm(forms.Form):
    """The form of the results pages' filters: the period defaults to the last 30 days (a reversed one is turned;
    a refused day is the default too, for the figures shown beside the form's message)."""

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or timezone.localdate()
        start = cleaned.get("start") or end - timedelta(days=29)
        if start > end:
            start, end = end, start
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class DealerSurveySettingsForm(VersionedFormMixin):
    questionnaire = forms.ModelChoiceField(
        queryset=Questionnaire.objects.none(),
        required=False,
        label=_("questionnaire"),
        empty_label=_("Default: the latest shared CSI questionnaire"),
    )
    invite_after_delivery = forms.BooleanField(label=_("send a survey link at delivery"), required=False)
    validity_days = forms.IntegerField(label=_("link valid for (days)"), min_value=1, max_value=90)
    channel = forms.ChoiceField(label=_("send the link by"), choices=MessageChannel.choices)

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(is_active=True).filter(
            dealer__isnull=True
        ) | Questionnaire.objects.filter(is_active=True, dealer=dealer)


class QuestionnaireVersionForm(forms.Form):
    """A new version: names, factor weights, and each question's texts, weight and whether it is required."""

    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    use_now = forms.BooleanField(label=_("use this version for our survey links from now on"), required=False)

    def __init__(self, *args, source: Questionnaire, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.source, self.questions = source, questions
        factors = dict(CsiFactor.choices)
        used = sorted({q.csi_factor for q in questions if q.csi_factor} | set(source.factor_weights))
        self.factor_names = []
        for factor in used:
            name = f"factor_{factor}"
            self.fields[name] = forms.DecimalField(
                label=factors.get(factor, factor), min_value=0, max_value=100, decimal_places=2,
                initial=source.factor_weights.get(factor, 0),
            )  # fmt: skip
            self.factor_names.append((factor, name))
        self.question_rows = []
        for q in questions:
            prefix = f"q_{q.code}_"
            self.fields[prefix + "text_zh"] = forms.CharField(max_length=300, initial=q.text_zh, label=q.code)
            self.fields[prefix + "text_en"] = forms.CharField(max_length=300, initial=q.text_en, required=False)
            self.fields[prefix + "weight"] = forms.DecimalField(
                min_value=0, max_value=100, decimal_places=2, initial=q.weight, label=_("weight")
            )
            self.fields[prefix + "required"] = forms.BooleanField(initial=q.required, required=False)
            self.question_rows.append((q, [self[prefix + n] for n in ("text_zh", "text_en", "weight", "required")]))
        if not self.is_bound:
            self.initial.update({"name_zh": source.name_zh, "name_en": source.name_en})

    def factor_fields(self):
        return [self[name] for _factor, name in self.factor_names]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "use_now": data["use_now"],
            "factor_weights": {factor: float(data[name]) for factor, name in self.factor_names},
            "questions": {
                q.code: {n: data[f"q_{q.code}_{n}"] for n in ("text_zh", "text_en", "weight", "required")}
                for q in self.questions
            },
        }


class OrderLookupForm(forms.Form):
    ro = forms.CharField(label=_("RO number"), max_length=30)
