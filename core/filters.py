"""FilterSet helpers shared by every API."""

from __future__ import annotations

import django_filters
from django import forms
from django_filters.constants import EMPTY_VALUES

from core.dates import day_bounds


def readable(model):
    """Queryset callable for a related filter: only the user's dealers' rows are valid choices.

    An id of another dealer is then "not a valid choice" exactly like an id that does not
    exist, so a filter never confirms that another dealer's record exists.
    """

    def queryset(request):
        return model.objects.for_user(request.user) if request is not None else model.objects.none()

    return queryset


class LocalDayFilter(django_filters.DateFilter):
    """A day (YYYY-MM-DD) of the local calendar bounding a moment field: ``end=False`` keeps moments from the
    day's start on, ``end=True`` moments before the next day's start (half-open, so the day itself is in)."""

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        start, end = day_bounds(value)
        if self.end:
            return qs.filter(**{f"{self.field_name}__lt": end})
        return qs.filter(**{f"{self.field_name}__gte": start})


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (``min_value``/``max_value`` bound it, like a form's IntegerField)."""

    field_class = forms.IntegerField
