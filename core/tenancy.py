"""Tenancy: the one mechanism that scopes every query to the dealers a user may see or change.

A model opts in by using ``DealerScopedQuerySet`` as its manager and, if its dealer
is not the ``dealer`` field, by naming the lookup in ``tenant_lookup`` (``"pk"`` for
Dealer itself, ``"vehicle__dealer"`` for a child record).  Views use
``core.mixins.DealerScopedObjectMixin`` and the API uses ``core.api.DealerScopedViewSetMixin``:
both start from ``Model.objects.for_user(user)``, so a record of another dealer is
simply not there (404), never a 403 that would confirm it exists. Services guard their writes with
``core.permissions.require`` (permission + write scope).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models

if TYPE_CHECKING:  # accounts and organization sit above core: core reaches their models through the app registry
    from django.contrib.auth.models import AbstractUser as User

_CACHE_ATTR = "_tenancy_dealer_ids"


def dealer_ids_for(user: User, *, write: bool = False) -> frozenset[int] | None:
    """The ids of the dealers the user may read (or, with ``write``, change); None means all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        DealerMembership = apps.get_model("accounts", "DealerMembership")
        Dealer = apps.get_model("organization", "Dealer")

        own = dict(DealerMembership.objects.filter(user=user).values_list("dealer_id", "dealer__is_active"))
        regional = frozenset(Dealer.objects.filter(region__memberships__user=user).values_list("id", flat=True))
        # A closed (inactive) dealer's records stay readable but can no longer be changed.
        cache = {"write": frozenset(d for d, active in own.items() if active), "read": frozenset(own) | regional}
        setattr(user, _CACHE_ATTR, cache)
    return cache["write" if write else "read"]


def dealers_for(user: User, *, write: bool = False) -> models.QuerySet:
    """The dealers the user may read (or change), for pickers and filters of core's page kits."""
    return apps.get_model("organization", "Dealer").objects.for_user(user, write=write)


def forget_dealer_ids(user: User) -> None:
    """Drop the cached dealer ids (after memberships change within one request/test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class DealerScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to a user's dealers."""

    def for_user(self, user: User, *, write: bool = False) -> DealerScopedQuerySet:
        """Only the rows of dealers the user may read (or change, with ``write``)."""
        ids = dealer_ids_for(user, write=write)
        if ids is None:
            return self
        lookup = getattr(self.model, "tenant_lookup", "dealer")
        return self.filter(**{f"{lookup}__in": sorted(ids)})
