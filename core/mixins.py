"""Class-based view mixins."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core.forms import apply_service_errors
from organization.models import Dealer


class DealerScopedObjectMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Class-based view mixin: the queryset is the user's dealers' rows; others are 404.

    ``write_scope`` views (create/edit) use only the dealers the user may change.
    Django model permissions (from the role groups) decide *what* a user may do;
    this mixin decides *where*.
    """

    model: type[models.Model]
    write_scope = False

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user, write=self.write_scope)

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise Http404
        return super().handle_no_permission()


class ScopedRecordMixin(DealerScopedObjectMixin):
    """A form page about one record of the user's dealers, looked up from the URL (others are 404).

    Sets ``self.object`` before the view runs and puts it in the template context
    under ``record_context_name``.
    """

    record_kwarg = "pk"
    record_related: tuple[str, ...] = ()
    record_context_name = "object"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission():
            queryset = self.get_queryset().select_related(*self.record_related)
            self.object = get_object_or_404(queryset, pk=kwargs[self.record_kwarg])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), self.record_context_name: self.object}


class ScopedListFiltersMixin:
    """Reads the list filters from the query string and offers the user's dealers as a filter."""

    def get_filters(self) -> dict:
        params = self.request.GET
        dealer = params.get("dealer", "")
        return {
            "q": params.get("q", ""),
            "dealer": dealer if dealer.isdigit() else "",
            "archive": params.get("archive"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.get_filters()
        context["dealers"] = Dealer.objects.for_user(self.request.user).only("id", "code", "name")
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context


class RecordPageView(DealerScopedObjectMixin, View):
    """A record's page (an order, a claim…) whose forms post to RecordFormView subclasses.

    ``page_context(record, **bound_forms)`` builds everything the page shows; a bound form
    passed in replaces the blank one, so a refused post re-shows the page with its errors.
    """

    template_name = ""
    related: tuple[str, ...] = ()

    def get_record(self, pk: int):
        return get_object_or_404(self.get_queryset().select_related(*self.related), pk=pk)

    def page_context(self, record, **bound_forms) -> dict:
        raise NotImplementedError

    def get(self, request, pk: int):
        return render(request, self.template_name, self.page_context(self.get_record(pk)))


class RecordFormView(RecordPageView):
    """One form of a record's page: validate, call the service, then back to the page (or ``next``)."""

    write_scope = True
    form_name = ""

    def build_form(self, record, data):
        raise NotImplementedError

    def save(self, record, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def success_url(self, record) -> str:
        return record.get_absolute_url()

    def get(self, request, pk: int):
        return redirect(self.get_record(pk))

    def post(self, request, pk: int):
        record = self.get_record(pk)
        form = self.build_form(record, request.POST)
        if form.is_valid():
            try:
                message = self.save(record, form)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                next_url = request.POST.get("next", "")
                if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                    return redirect(next_url)
                return redirect(self.success_url(record))
        record = self.get_record(pk)
        return render(request, self.template_name, self.page_context(record, **{self.form_name: form}), status=400)
