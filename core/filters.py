"""FilterSet helpers shared by every API."""

from __future__ import annotations


def readable(model):
    """Queryset callable for a related filter: only the user's dealers' rows are valid choices.

    An id of another dealer is then "not a valid choice" exactly like an id that does not
    exist, so a filter never confirms that another dealer's record exists.
    """

    def queryset(request):
        return model.objects.for_user(request.user) if request is not None else model.objects.none()

    return queryset
