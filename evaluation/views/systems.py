"""Pages of the evaluation: index, indicator systems (versions, AHP matrix editor, indicators, settings)."""

from __future__ import annotations

from fractions import Fraction

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.forms import apply_service_errors
from core.history import history_entries
from evaluation.choices import SystemVersionStatus
from evaluation.forms.systems import AdoptForm, IndicatorForm, MatrixForm, SettingsForm
from evaluation.models import (
    Indicator,
    IndicatorSystem,
    PairwiseMatrix,
    SystemVersion,
)
from evaluation.selectors import audits as audit_selectors
from evaluation.selectors import systems as system_selectors
from evaluation.services import systems as system_services
from organization.models import Dealer, Oem

VIEW_SYSTEM = "evaluation.view_indicatorsystem"


class _Logged404(LoginRequiredMixin, PermissionRequiredMixin):
    """Logged-in users without the permission get a 404 (nothing is confirmed to exist)."""

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()


class EvaluationIndexView(LoginRequiredMixin, View):
    """The evaluation home: what applies to the user's dealers, and links to systems, audits and templates."""

    def get(self, request):
        user = request.user
        if not (user.has_perm(VIEW_SYSTEM) or user.has_perm("evaluation.view_audit")):
            raise Http404
        oem_ids = sorted(
            {oem for oem in Dealer.objects.for_user(user).values_list("region__oem_id", flat=True).distinct()}
        )
        applying = []
        if user.has_perm(VIEW_SYSTEM):
            for oem in Oem.objects.filter(pk__in=oem_ids).order_by("code"):
                applying.append((oem, system_selectors.current_version(oem.pk)))
        recent = audit_selectors.audit_list(user=user)[:5] if user.has_perm("evaluation.view_audit") else []
        return render(request, "evaluation/index.html", {"applying": applying, "recent_audits": recent})


# --------------------------------------------------------------------------------------------------------------------
# Indicator systems
# --------------------------------------------------------------------------------------------------------------------


class SystemListView(_Logged404, View):
    permission_required = VIEW_SYSTEM

    def get(self, request, adopt_form=None, status=200):
        user = request.user
        adoptable = Oem.objects.none()
        if user.has_perm(system_services.CHANGE):
            scope = (
                Oem.objects.all()
                if user.is_superuser
                else Oem.objects.filter(regions__dealers__in=Dealer.objects.for_user(user)).distinct()
            )
            adoptable = scope.filter(indicator_system__isnull=True).order_by("code")
        context = {
            "systems": system_selectors.system_list(user=user),
            "adopt_form": adopt_form or (AdoptForm(oems=adoptable) if adoptable.exists() else None),
        }
        return render(request, "evaluation/system_list.html", context, status=status)

    def post(self, request):
        """Adopt the default system for an OEM."""
        if not request.user.has_perm(system_services.CHANGE):
            raise Http404
        oems = Oem.objects.filter(indicator_system__isnull=True)
        form = AdoptForm(request.POST, oems=oems)
        if form.is_valid():
            try:
                system = system_services.indicator_system_adopt(oem=form.cleaned_data["oem"], by=request.user,
                                                         name=form.cleaned_data["name"])  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, _("Created a draft copied from the default system: edit and publish it."))
                return redirect(system)
        return self.get(request, adopt_form=form, status=400)


class SystemDetailView(_Logged404, View):
    permission_required = VIEW_SYSTEM

    def get(self, request, pk: int):
        system = get_object_or_404(IndicatorSystem.objects.for_user(request.user).select_related("oem"), pk=pk)
        versions = system.versions.select_related("created_by", "published_by").order_by("-number")
        can_edit = system_services.can_edit_system(request.user, system)
        return render(request, "evaluation/system_detail.html", {
            "system": system, "versions": versions, "can_edit": can_edit,
            "can_publish": can_edit and request.user.has_perm(system_services.PUBLISH),
            "has_draft": any(v.status == SystemVersionStatus.DRAFT for v in versions),
            "history": history_entries(system),
        })  # fmt: skip


def _version(request, pk: int, *, write: bool = False) -> SystemVersion:
    queryset = system_selectors.with_structure(system_selectors.version_queryset(user=request.user, write=write))
    return get_object_or_404(queryset, pk=pk)


class VersionDetailView(_Logged404, View):
    permission_required = VIEW_SYSTEM

    def get(self, request, pk: int):
        return render(request, "evaluation/version_detail.html", version_context(request, _version(request, pk)))


def version_context(request, version: SystemVersion, **bound) -> dict:
    can_edit = version.is_draft and system_services.can_edit_system(request.user, version.system)
    weights = system_selectors.ahp_weights(version)
    matrices = {m.dimension_id: m for m in version.matrices.all()}
    dimensions = []
    for dimension in version.dimensions.all():
        indicators = [(i, weights.local.get(i.code), weights.global_.get(i.code)) for i in dimension.indicators.all()]
        dimensions.append((dimension, weights.dimension.get(dimension.code), matrices.get(dimension.pk), indicators))
    return {
        "version": version,
        "system": version.system,
        "dimensions": dimensions,
        "top_matrix": matrices.get(None),
        "weights": weights,
        "global_sum": sum(weights.global_.values()),
        "can_edit": can_edit,
        "can_publish": can_edit and request.user.has_perm(system_services.PUBLISH),
        "publish_problems": system_services.publish_problems(version) if version.is_draft else [],
        "settings_form": bound.get("settings_form") or (SettingsForm(instance=version, initial={
            "version": version.version}) if can_edit else None),
        "history": history_entries(version),
    }  # fmt: skip


class VersionSettingsView(_Logged404, View):
    permission_required = system_services.CHANGE

    def post(self, request, pk: int):
        version = _version(request, pk, write=True)
        form = SettingsForm(request.POST, instance=SystemVersion.objects.get(pk=version.pk))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in system_services.SETTINGS_FIELDS}
            try:
                system_services.system_version_update_settings(system_version=version, by=request.user,
                                                        version=form.cleaned_data["version"], **fields)  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect(version)
        version = _version(request, pk)
        return render(request, "evaluation/version_detail.html",
                      version_context(request, version, settings_form=form), status=400)  # fmt: skip


def _form_error(form, exc) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
    else:
        apply_service_errors(form, exc)


class VersionActionView(_Logged404, View):
    """copy / publish / discard a version (buttons on the system page)."""

    permission_required = system_services.CHANGE
    action = ""

    def post(self, request, pk: int):
        version = get_object_or_404(system_selectors.version_queryset(user=request.user, write=True).select_related(
            "system"), pk=pk)  # fmt: skip
        expected = request.POST.get("version")
        expected = int(expected) if expected and expected.isdigit() else None
        try:
            if self.action == "copy":
                draft = system_services.system_version_copy(system_version=version, by=request.user)
                messages.success(request, _("Draft version %(n)s created.") % {"n": draft.number})
                return redirect(draft)
            if self.action == "publish":
                system_services.system_version_publish(system_version=version, by=request.user, version=expected)
                messages.success(request, _("Version %(n)s is now the current version.") % {"n": version.number})
                return redirect(version)
            system_services.system_version_discard(system_version=version, by=request.user, version=expected)
            messages.success(request, _("Draft discarded."))
            return redirect(version.system)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(version.system)


class MatrixEditView(_Logged404, View):
    """The pairwise matrix as a form: weights and CR recomputed as you type (htmx preview), refused if CR ≥ 0.10."""

    permission_required = VIEW_SYSTEM

    def get_matrix(self, request, pk: int, *, write: bool = False) -> PairwiseMatrix:
        versions = system_selectors.version_queryset(user=request.user, write=write)
        return get_object_or_404(
            PairwiseMatrix.objects.filter(system_version__in=versions).select_related(
                "system_version__system", "dimension"), pk=pk)  # fmt: skip

    def names(self, matrix: PairwiseMatrix) -> dict[str, str]:
        return system_services.element_names(matrix.system_version, matrix)

    def render_page(self, request, matrix, form, preview, status=200):
        names = self.names(matrix)
        can_edit = matrix.system_version.is_draft and system_services.can_edit_system(
            request.user, matrix.system_version.system
        )
        n = len(matrix.elements)
        mirrors = {(r, c): label for r, c, label in preview.get("mirrors", [])}
        rows = []
        for i, code in enumerate(matrix.elements):
            cells = []
            for j in range(n):
                if j > i:
                    cells.append(("input", form[f"m_{i}_{j}"], ""))
                elif j == i:
                    cells.append(("diag", None, "1"))
                else:
                    cells.append(("mirror", f"mirror-{i}-{j}", mirrors.get((i, j), "?")))
            rows.append((code, names.get(code, ""), cells))
        return render(request, "evaluation/matrix_edit.html", {
            "matrix": matrix, "form": form, "rows": rows, "preview": preview, "names": names,
            "can_edit": can_edit, "version": matrix.system_version,
        }, status=status)  # fmt: skip

    def get(self, request, pk: int):
        matrix = self.get_matrix(request, pk)
        form = MatrixForm(matrix=matrix, names=self.names(matrix))
        return self.render_page(request, matrix, form, preview_of(matrix, matrix.upper, self.names(matrix)))

    def post(self, request, pk: int):
        if not request.user.has_perm(system_services.CHANGE):
            raise Http404
        matrix = self.get_matrix(request, pk, write=True)
        names = self.names(matrix)
        form = MatrixForm(request.POST, matrix=matrix, names=names)
        if request.POST.get("preview"):  # "Recompute" without JavaScript: show the weights, save nothing
            return self.render_page(request, matrix, form, preview_of(matrix, form.raw_upper(), names))
        if form.is_valid():
            try:
                system_services.pairwise_matrix_save(matrix=matrix, upper=form.upper(), by=request.user,
                                              version=form.cleaned_data["version"])  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Matrix saved: CR = %(cr).3f.") % {"cr": matrix.cr})
                return redirect(matrix.system_version)
        matrix.refresh_from_db()
        return self.render_page(request, matrix, form, preview_of(matrix, form.raw_upper(), names), status=400)


def preview_of(matrix: PairwiseMatrix, upper, names: dict[str, str]) -> dict:
    """Weights, λmax, CI, CR and the most inconsistent pair of the judgements (for the page and the htmx preview)."""
    try:
        check = system_services.matrix_check(list(matrix.elements), upper, matrix.system_version.ahp_method)
    except ValidationError as exc:
        return {"error": exc.messages[0]}
    result = check.result
    pair_codes = check.pair_codes()
    n = len(check.elements)
    mirrors = [
        (j, i, str(Fraction(check.matrix[j][i]).limit_denominator(9))) for i in range(n) for j in range(i + 1, n)
    ]
    return {
        "weights": [(code, names.get(code, ""), w) for code, w in zip(check.elements, result.weights, strict=True)],
        "lambda_max": result.lambda_max, "ci": result.ci, "cr": result.cr, "consistent": result.consistent,
        "n": result.n, "pair": check.pair, "pair_codes": pair_codes,
        "message": None if result.consistent else system_services.inconsistency_message(check, names),
        "mirrors": mirrors,
    }  # fmt: skip


class MatrixPreviewView(MatrixEditView):
    """htmx: the weights and CR of the judgements as typed (nothing is saved)."""

    def get(self, request, pk: int):
        raise Http404

    def post(self, request, pk: int):
        matrix = self.get_matrix(request, pk)
        names = self.names(matrix)
        form = MatrixForm(request.POST, matrix=matrix, names=names)
        return render(request, "evaluation/_matrix_preview.html",
                      {"preview": preview_of(matrix, form.raw_upper(), names), "matrix": matrix})  # fmt: skip


class IndicatorEditView(_Logged404, View):
    permission_required = system_services.CHANGE

    def get_indicator(self, request, pk: int) -> Indicator:
        versions = system_selectors.version_queryset(user=request.user, write=True)
        return get_object_or_404(Indicator.objects.filter(dimension__system_version__in=versions).select_related(
            "dimension__system_version__system"), pk=pk)  # fmt: skip

    def get(self, request, pk: int):
        indicator = self.get_indicator(request, pk)
        form = IndicatorForm(instance=indicator, initial={"version": indicator.version})
        return render(
            request,
            "evaluation/indicator_edit.html",
            {"indicator": indicator, "form": form, "history": history_entries(indicator)},
        )

    def post(self, request, pk: int):
        indicator = self.get_indicator(request, pk)
        form = IndicatorForm(request.POST, instance=Indicator.objects.get(pk=indicator.pk))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in system_services.INDICATOR_FIELDS}
            try:
                system_services.indicator_update(indicator=indicator, by=request.user,
                                                 version=form.cleaned_data["version"], **fields)  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Indicator %(code)s saved.") % {"code": indicator.code})
                return redirect(indicator.dimension.system_version)
        indicator.refresh_from_db()
        return render(
            request,
            "evaluation/indicator_edit.html",
            {"indicator": indicator, "form": form, "history": history_entries(indicator)},
            status=400,
        )


# --------------------------------------------------------------------------------------------------------------------
# Audit templates and audits
# --------------------------------------------------------------------------------------------------------------------
