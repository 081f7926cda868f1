"""List pages: a dealer-scoped, filtered, paginated list whose filters ARE the API's django-filter FilterSet.

NetBox's ``filterset`` + ``filterset_form``: the view names ``filterset_class`` (the FilterSet its API list uses),
binds it to the query string and shows ``filterset.form``. A value the form refuses shows the form's message over
an empty list (never a 500, never the silently unfiltered list); a dealer id the user may not read is a 404 (or, on
the pages that always showed an empty list for it, that message), so a page never confirms another dealer exists.
Exports and reports use the same mixin on a plain ``View``.
"""

from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace

import django_filters
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.views.generic import ListView

from core.mixins import DealerScopedObjectMixin
from core.tenancy import dealers_for


def filter_values(filterset: django_filters.FilterSet) -> dict:
    """The filters the form accepted, as templates compare them (a chosen record as its id); refused ones are absent."""
    form = filterset.form
    cleaned = getattr(form, "cleaned_data", {})
    values = {}
    for name in form.fields:
        if name in form.errors:
            continue
        value = cleaned.get(name)
        values[name] = value.pk if isinstance(value, models.Model) else value
    return values


def as_query(data: dict) -> QueryDict:
    """A dict of filter values (lists, numbers, dates; None: not given) as the query string a page would get."""
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if value is None:
            continue
        query.setlist(name, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return query


def apply_filterset(filterset_class, data: dict, queryset: QuerySet, *, user) -> QuerySet:
    """``queryset`` filtered by ``data`` as a list page filters it (a refused value: no row), without a request."""
    query = data if isinstance(data, QueryDict) else as_query(data)
    filterset = filterset_class(query, queryset=queryset, request=SimpleNamespace(user=user))
    return filterset.qs if filterset.is_valid() else queryset.none()


class FilteredListMixin:
    """The page's filters are ``filterset_class`` bound to the query string (plus the page's own defaults).

    ``get_base_queryset`` gives the rows before filtering (the app's selector: the user's dealers' rows, related,
    ordered); ``filtered_queryset`` the rows the filters keep; ``filter_context`` what the filter bar shows.
    """

    filterset_class: type[django_filters.FilterSet]
    filter_defaults: dict[str, str] = {}
    # An id of these fields the user may not read is a 404, as on the record's own page.
    refused_is_404: tuple[str, ...] = ("dealer",)

    def get_base_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.request.user)

    def get_filter_defaults(self) -> dict[str, str]:
        """Values for parameters the query string does not have at all (a page's default view)."""
        return dict(self.filter_defaults)

    def filter_data(self) -> QueryDict:
        data = self.request.GET.copy()
        for name, value in self.get_filter_defaults().items():
            if name not in data:
                data[name] = value
        return data

    @cached_property
    def filterset(self) -> django_filters.FilterSet:
        data = self.filter_data()
        filterset = self.filterset_class(data, queryset=self.get_base_queryset(), request=self.request)
        errors = filterset.form.errors
        if any(name in errors and str(data.get(name, "")).isdigit() for name in self.refused_is_404):
            raise Http404
        return filterset

    def filtered_queryset(self) -> QuerySet:
        filterset = self.filterset
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()

    def get_dealers(self) -> QuerySet:
        """The dealer picker: only the user's dealers."""
        return dealers_for(self.request.user).only("id", "code", "name")

    def querystring(self) -> str:
        """The query string without its page, for the pagination links and the export buttons."""
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()

    def filter_context(self) -> dict:
        return {
            "filterset": self.filterset,
            "filter_form": self.filterset.form,
            "filters": filter_values(self.filterset),
            "dealers": self.get_dealers(),
            "querystring": self.querystring(),
        }


class FilteredListView(DealerScopedObjectMixin, FilteredListMixin, ListView):
    """A list page of the user's dealers' rows, filtered by ``filterset_class``, 25 a page."""

    paginate_by = 25

    def get_queryset(self):
        return self.filtered_queryset()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.filter_context()}
