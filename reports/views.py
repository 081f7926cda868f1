"""The quality reports page: the reports in the user's scope, a form to ask for one, its progress, its download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import ListView, View

from core.forms import apply_service_errors
from core.mixins import DealerScopedObjectMixin
from reports import selectors, services
from reports.forms import ReportForm
from reports.models import ADD, VIEW, QualityReport


class ReportListView(DealerScopedObjectMixin, ListView):
    """The reports of the user's dealers and regions, newest first, with the form to ask for one."""

    model = QualityReport
    permission_required = VIEW
    template_name = "reports/report_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.report_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm(ADD):
            context["form"] = kwargs.get("form") or ReportForm(user=self.request.user)
        return context

    def post(self, request):
        if not request.user.has_perm(ADD):
            raise PermissionDenied
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    report = services.report_request(
                        by=request.user, period=data["period"], first=data["first"], fmt=data["format"], **data["scope"]
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The report is queued; this page follows its progress."))
                return redirect(report)
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class ReportDetailView(DealerScopedObjectMixin, View):
    """One report: its progress while it is made (htmx polling), then its download and the runs it names."""

    model = QualityReport
    permission_required = VIEW
    template_name = "reports/report_detail.html"

    def get(self, request, pk):
        report = get_object_or_404(selectors.report_list(user=request.user), pk=pk)
        context = {"report": report, "polling": report.is_working}
        template = "reports/_report_progress.html" if request.htmx and report.is_working else self.template_name
        return render(request, template, context)


class ReportDownloadView(DealerScopedObjectMixin, View):
    """The report's file, for those who may see the report (others: 404, as for a wrong id)."""

    model = QualityReport
    permission_required = VIEW

    def get(self, request, pk):
        return services.file_response(get_object_or_404(selectors.report_list(user=request.user), pk=pk))
