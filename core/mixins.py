"""Class-based view mixins."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from core.forms import apply_service_errors


def safe_next(request, fallback: str) -> str:
    """The posted ``next`` (or the query string's) when it is a URL of this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one message."""
    return " ".join(getattr(exc, "messages", [str(exc)]))


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
                return redirect(safe_next(request, self.success_url(record)))
        record = self.get_record(pk)
        return render(request, self.template_name, self.page_context(record, **{self.form_name: form}), status=400)


class RecordActionView(DealerScopedObjectMixin, View):
    """One button on a record (confirm, issue, release, reissue …): the record in the user's write scope (another
    dealer's is a 404), the service, its message, then back to ``next`` (a URL of this site) or ``success_url``.

    ``form_class`` checks the button's few fields (the version, a reason), if it has any. A refusal (the form's, or
    the service's ValidationError or PermissionDenied) changes nothing; ``refused`` says why: by default an error
    message and back to ``failure_url``. ``act`` may return a response of its own instead of the message.
    """

    write_scope = True
    related: tuple[str, ...] = ()
    form_class = None

    def get_record(self, pk: int):
        return get_object_or_404(self.get_queryset().select_related(*self.related), pk=pk)

    def get_form_class(self):
        return self.form_class

    def act(self, record, data: dict) -> str | HttpResponse:
        """Call the service; return the success message."""
        raise NotImplementedError

    def success_url(self, record) -> str:
        return record.get_absolute_url()

    def failure_url(self, record) -> str:
        return self.success_url(record)

    def show_errors(self, form, exc: ValidationError) -> None:
        apply_service_errors(form, exc)

    def refused(self, record, form, exc: ValidationError | PermissionDenied | None):
        if exc is not None:
            messages.error(self.request, refusal_text(exc))
        elif form is not None:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
        return redirect(safe_next(self.request, self.failure_url(record)))

    def post(self, request, pk: int):
        record = self.get_record(pk)
        form_class = self.get_form_class()
        form = form_class(request.POST) if form_class is not None else None
        if form is not None and not form.is_valid():
            return self.refused(record, form, None)
        try:
            result = self.act(record, form.cleaned_data if form is not None else {})
        except (ValidationError, PermissionDenied) as exc:
            if form is not None and isinstance(exc, ValidationError):
                self.show_errors(form, exc)
            return self.refused(record, form, exc)
        if isinstance(result, HttpResponse):
            return result
        messages.success(request, result)
        return redirect(safe_next(request, self.success_url(record)))
