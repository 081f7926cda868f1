"""Audit pages (体系审核): checklist templates, the audits of a dealer, their scores, evidence and adjustments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import DealerScopedObjectMixin, RecordFormView, RecordPageView
from evaluation.api.views import AuditFilterSet
from evaluation.choices import AuditKind
from evaluation.forms.audits import AdjustmentForm, AuditCreateForm, AuditScoreForm, AuditVersionForm, EvidenceForm
from evaluation.models import (
    Audit,
    AuditAdjustment,
    AuditEvidence,
    AuditItem,
    AuditItemScore,
    AuditSection,
    AuditTemplate,
)
from evaluation.selectors import audits as audit_selectors
from evaluation.services import audits
from evaluation.views.systems import _form_error, _Logged404
from organization.models import Dealer


class TemplateListView(_Logged404, ListView):
    permission_required = "evaluation.view_audittemplate"
    template_name = "evaluation/template_list.html"
    context_object_name = "templates"

    def get_queryset(self):
        return AuditTemplate.objects.annotate(
            item_count=Count("sections__items", distinct=True), audit_count=Count("audits", distinct=True)
        ).order_by("code")


class TemplateDetailView(_Logged404, View):
    permission_required = "evaluation.view_audittemplate"

    def get(self, request, pk: int):
        template = get_object_or_404(AuditTemplate.objects.prefetch_related(
            Prefetch("sections", queryset=AuditSection.objects.order_by("position").prefetch_related(
                Prefetch("items", queryset=AuditItem.objects.order_by("position"))))), pk=pk)  # fmt: skip
        total = sum(item.points for section in template.sections.all() for item in section.items.all())
        return render(request, "evaluation/template_detail.html", {"template": template, "total": total})


class AuditListView(FilteredListView):
    model = Audit
    permission_required = "evaluation.view_audit"
    template_name = "evaluation/audit_list.html"
    filterset_class = AuditFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return audit_selectors.audit_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "can_create": user.has_perm(audits.ADD) or user.has_perm(audits.CONDUCT),
        }


class AuditCreateView(_Logged404, View):
    def has_permission(self):
        user = self.request.user
        return user.has_perm(audits.ADD) or user.has_perm(audits.CONDUCT)

    def dealers(self, user):
        if user.has_perm(audits.CONDUCT):
            return Dealer.objects.for_user(user).order_by("code")
        return Dealer.objects.for_user(user, write=True).order_by("code")

    def kinds(self, user):
        kinds = []
        if user.has_perm(audits.ADD):
            kinds.append(AuditKind.SELF)
        if user.has_perm(audits.CONDUCT):
            kinds.append(AuditKind.OFFICIAL)
        return kinds

    def get(self, request, form=None, status=200):
        user = request.user
        form = form or AuditCreateForm(dealers=self.dealers(user), kinds=self.kinds(user))
        return render(request, "evaluation/audit_create.html", {"form": form}, status=status)

    def post(self, request):
        user = request.user
        form = AuditCreateForm(request.POST, dealers=self.dealers(user), kinds=self.kinds(user))
        if form.is_valid():
            try:
                audit = audits.audit_create(by=user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Audit started: score every item, then submit."))
                return redirect(audit)
        return self.get(request, form=form, status=400)


class AuditPageMixin:
    model = Audit
    permission_required = "evaluation.view_audit"
    template_name = "evaluation/audit_detail.html"
    related = ("dealer", "template", "auditor", "confirmed_by")

    def page_context(self, audit, **bound) -> dict:
        user = self.request.user
        item_scores = list(
            AuditItemScore.objects.filter(audit=audit).select_related("item__section")
            .annotate(file_count=Count("evidence"))
            .prefetch_related(Prefetch("evidence", queryset=AuditEvidence.objects.order_by("uploaded_at", "id")))
            .order_by("item__section__position", "item__position")
        )  # fmt: skip
        adjustments = list(audit.adjustments.select_related("created_by"))
        editable = audits.can_edit(user, audit)
        result = audits.audit_score(
            [(s.item.points, s.score, s.excluded) for s in item_scores],
            deductions=sum(1 for a in adjustments if a.kind == "deduction"),
            bonus=any(a.kind == "bonus" for a in adjustments),
        )
        score_form = bound.get("score_form") or AuditScoreForm(item_scores=item_scores,
                                                               initial={"version": audit.version})  # fmt: skip
        sections = []
        for row, score, excluded, reason, note in score_form.bound_rows():
            if not sections or sections[-1][0] != row.item.section:
                sections.append((row.item.section, []))
            sections[-1][1].append((row, score, excluded, reason, note))
        return {
            "object": audit, "audit": audit, "sections": sections, "score_form": score_form,
            "result": result, "adjustments": adjustments, "editable": editable,
            "can_confirm": audits.can_confirm(user, audit),
            "adjustment_form": bound.get("adjustment_form") or AdjustmentForm(),
            "evidence_form": bound.get("evidence_form") or EvidenceForm(item_scores=item_scores),
            "action_form": bound.get("action_form") or AuditVersionForm(initial={"version": audit.version}),
            "submit_problems": audits.submit_problems(audit) if editable else [],
            "history": history_entries(audit),
        }  # fmt: skip


class AuditDetailView(AuditPageMixin, RecordPageView):
    pass


class _AuditFormView(AuditPageMixin, RecordFormView):
    """Audit forms use the read scope: who may change an audit is decided by services.audits (404 outside)."""

    write_scope = False


class AuditScoreView(_AuditFormView):
    form_name = "score_form"

    def build_form(self, audit, data):
        rows = AuditItemScore.objects.filter(audit=audit).select_related("item").order_by(
            "item__section__position", "item__position")  # fmt: skip
        return AuditScoreForm(data, item_scores=rows)

    def save(self, audit, form):
        audits.audit_score_items(audit=audit, rows=form.inputs(), by=self.request.user,
                                 version=form.cleaned_data["version"])  # fmt: skip
        return _("Scores saved.")


class AuditAdjustmentView(_AuditFormView):
    form_name = "adjustment_form"

    def build_form(self, audit, data):
        return AdjustmentForm(data)

    def save(self, audit, form):
        audits.audit_add_adjustment(audit=audit, by=self.request.user, **form.cleaned_data)
        return _("Adjustment recorded.")


class AuditEvidenceUploadView(_AuditFormView):
    form_name = "evidence_form"

    def build_form(self, audit, data):
        return EvidenceForm(data, self.request.FILES, item_scores=audit.item_scores.select_related("item"))

    def save(self, audit, form):
        item_score = get_object_or_404(AuditItemScore, pk=form.cleaned_data["item"], audit=audit)
        audits.audit_add_evidence(audit=audit, item_score=item_score, file=form.cleaned_data["file"],
                                  caption=form.cleaned_data["caption"], by=self.request.user)  # fmt: skip
        return _("Evidence added.")


class AuditSubmitView(_AuditFormView):
    form_name = "action_form"

    def build_form(self, audit, data):
        return AuditVersionForm(data)

    def save(self, audit, form):
        audits.audit_submit(audit=audit, by=self.request.user, version=form.cleaned_data["version"])
        return _("Audit submitted: score %(score)s.") % {"score": audit.score}


class AuditConfirmView(_AuditFormView):
    form_name = "action_form"

    def build_form(self, audit, data):
        return AuditVersionForm(data)

    def save(self, audit, form):
        audits.audit_confirm(audit=audit, by=self.request.user, version=form.cleaned_data["version"])
        return _("Audit confirmed.")


class AuditAdjustmentRemoveView(DealerScopedObjectMixin, View):
    model = AuditAdjustment
    permission_required = "evaluation.view_audit"

    def post(self, request, pk: int):
        adjustment = get_object_or_404(self.get_queryset().select_related("audit"), pk=pk)
        try:
            audits.audit_remove_adjustment(adjustment=adjustment, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc) if isinstance(exc, PermissionDenied) else exc.messages[0])
        else:
            messages.success(request, _("Adjustment removed."))
        return redirect(adjustment.audit)


class AuditEvidenceView(DealerScopedObjectMixin, View):
    """An evidence file, served only to users who may read the audit (never a public media URL)."""

    model = AuditEvidence
    permission_required = "evaluation.view_audit"

    def get(self, request, pk: int):
        evidence = get_object_or_404(self.get_queryset(), pk=pk)
        response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
        if evidence.extension == "pdf":
            response["Content-Disposition"] = f'inline; filename="evidence-{evidence.pk}.pdf"'
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def post(self, request, pk: int):
        """Remove the evidence file (draft audits only)."""
        evidence = get_object_or_404(self.get_queryset().select_related("audit"), pk=pk)
        try:
            audits.audit_remove_evidence(evidence=evidence, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc) if isinstance(exc, PermissionDenied) else exc.messages[0])
        else:
            messages.success(request, _("Evidence removed."))
        return redirect(reverse("evaluation:audit_detail", args=[evidence.audit_id]) + "#evidence")
