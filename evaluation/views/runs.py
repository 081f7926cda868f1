"""Pages of evaluation runs: the list with a form to start one, a run's ranking and weights, a dealer's result."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, View

from core.charts import download_response
from core.dates import Month
from core.forms import IsoMonthInput, apply_service_errors
from core.mixins import DealerScopedObjectMixin
from evaluation.models import DealerEvaluation, EvaluationRun, sees_drafts
from evaluation.selectors import alerts as alert_selectors
from evaluation.selectors import systems as system_selectors
from evaluation.services import runs
from evaluation.views import results as result_views
from organization.models import Dealer, Oem, Region


class RunForm(forms.Form):
    oem = forms.ModelChoiceField(label=gettext_lazy("OEM / dealer group"), queryset=Oem.objects.none())
    region = forms.ModelChoiceField(
        label=gettext_lazy("Region"), queryset=Region.objects.none(), required=False,
        help_text=gettext_lazy("Empty: every dealer of the OEM."),
    )  # fmt: skip
    month = forms.CharField(label=gettext_lazy("Month"), widget=IsoMonthInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        dealers = Dealer.objects.for_user(user)
        self.fields["oem"].queryset = Oem.objects.filter(regions__dealers__in=dealers).distinct().order_by("code")
        self.fields["region"].queryset = Region.objects.filter(dealers__in=dealers).distinct().order_by("code")
        self.fields["month"].initial = str(Month.current().previous())

    def clean_month(self):
        value = self.cleaned_data["month"]
        try:
            year, month = (int(part) for part in value.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise forms.ValidationError(_("Give the month as YYYY-MM.")) from None
        return year, month


def _run_queryset(user):
    """The runs the user may open (drafts only for the evaluating side: ``EvaluationRunQuerySet.for_user``)."""
    return EvaluationRun.objects.for_user(user).select_related(
        "oem", "region", "system_version__system", "published_by"
    )


class RunListView(DealerScopedObjectMixin, ListView):
    model = EvaluationRun
    permission_required = "evaluation.view_evaluationrun"
    template_name = "evaluation/run_list.html"
    paginate_by = 25

    def get_queryset(self):
        return _run_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm(runs.ADD):
            context["form"] = kwargs.get("form") or RunForm(user=self.request.user)
        context["sees_drafts"] = sees_drafts(self.request.user)
        return context

    def post(self, request):
        if not request.user.has_perm(runs.ADD):
            raise PermissionDenied
        form = RunForm(request.POST, user=request.user)
        if form.is_valid():
            year, month = form.cleaned_data["month"]
            try:
                with transaction.atomic():
                    run = runs.run_start(oem=form.cleaned_data["oem"], region=form.cleaned_data["region"], year=year,
                                         month=month, by=request.user)  # fmt: skip
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The evaluation is queued; this page follows its progress."))
                return redirect(run)
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class RunDetailView(DealerScopedObjectMixin, View):
    """A run: progress while it works, then the ranking of the dealers the user may see, the weights and notes."""

    model = EvaluationRun
    permission_required = "evaluation.view_evaluationrun"
    template_name = "evaluation/run_detail.html"

    def get(self, request, pk):
        run = get_object_or_404(_run_queryset(request.user), pk=pk)
        results = DealerEvaluation.objects.for_user(request.user).filter(run=run).select_related("dealer")
        weights = run.weights or {}
        rows = [
            {"code": code, "global": value, "ahp": (weights.get("ahp") or {}).get(code),
             "entropy": (weights.get("entropy") or {}).get(code)}
            for code, value in (weights.get("global") or {}).items()
        ]  # fmt: skip
        said = system_selectors.run_notes(run, request.user) if run.status == EvaluationRun.Status.DONE else []
        # Ranked dealers first, then those with a score but no rank (too little data), then those without a score.
        ordering = (F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "dealer__code")
        context = {
            "run": run, "results": results.order_by(*ordering), "weight_rows": rows,
            "dimension_weights": weights.get("dimensions") or {},
            "can_publish": runs.run_can_publish(run=run, user=request.user),
            # A draft whose month already has its published run: that one is the month's result.
            "published_run": None if run.published or run.status != "done" else runs.published_run_of_month(run),
            "polling": run.status in ("queued", "running"),
            "notes": [note for note in said if note["code"] != "provisional"],
            "provisional_note": next((note["text"] for note in said if note["code"] == "provisional"), ""),
        }  # fmt: skip
        template = "evaluation/_run_progress.html" if request.htmx and context["polling"] else self.template_name
        return render(request, template, context)

    def post(self, request, pk):
        run = get_object_or_404(_run_queryset(request.user), pk=pk)
        try:
            runs.run_publish(run=run, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The evaluation is published."))
        return redirect(run)


class ResultDetailView(DealerScopedObjectMixin, View):
    """One dealer's result in a run: every indicator's figure, count, score and weight, with the drill-down."""

    model = DealerEvaluation
    permission_required = "evaluation.view_dealerevaluation"
    template_name = "evaluation/result_detail.html"

    def get(self, request, pk):
        result = get_object_or_404(
            DealerEvaluation.objects.for_user(request.user).select_related(
                "dealer", "run__system_version", "run__oem", "run__published_by"
            ),
            pk=pk,
        )
        version = result.run.system_version
        names = {i.code: (i, d) for d in version.dimensions.prefetch_related("indicators") for i in d.indicators.all()}
        indicators = [
            {"code": code, "indicator": names.get(code, (None, None))[0], **figures}
            for code, figures in result.indicators.items()
        ]
        dimensions = [
            {"dimension": d, "score": result.dimension_scores.get(d.code)}
            for d in version.dimensions.order_by("position", "code")
        ]
        context = {"result": result, "indicators": indicators, "dimensions": dimensions,
                   "period_to": result.run.period_end}  # fmt: skip
        context.update(result_views.result_page_charts(result, request.user))
        downloaded = download_response(request, [context["radar_chart"], context["trend_chart"]])
        if downloaded is not None:
            return downloaded
        if request.user.has_perm("evaluation.view_qualityalert"):
            context["alerts"] = alert_selectors.run_alerts(run=result.run, dealer_id=result.dealer_id)
        return render(request, self.template_name, context)
