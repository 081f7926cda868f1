"""Class-based view mixins."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

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
