"""The generic API tests' declarations (NetBox's ``APIViewTestCases``): one ``ApiResource`` per API endpoint.

Each app lists its endpoints in ``<app>/tests/api_resources.py`` (``RESOURCES``, and ``NOT_COVERED``: basename →
why the kit cannot check it); ``core/tests/test_api_resources.py`` runs the same checks on every one of them:

- read: the list is exactly the rows of the user's dealers, a row reads back by its id, another dealer's row is a
  404, a user without the view permission gets 403 (list and row), an anonymous visitor 401, and the methods the
  endpoint does not offer are 405 and change nothing;
- create (``create`` given): 201 at the user's dealer (version 1 where versioned); 403 without the permission and
  refused at another dealer (400 on the field that places the row there), both changing nothing;
- update (``patch``/``put`` given): the change is saved and the version goes up by one; a stale version is 409, a
  missing one 400, no permission 403 and another dealer's row 404, all changing nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Permission
from django.db import models
from django.urls import resolve, reverse

from accounts.choices import Role
from accounts.models import User
from core.tests.factories import UserFactory, staff_user
from organization.models import Dealer

Row = Any
UserFor = Callable[[Dealer], User]

# A counter for the makers that need a fresh number (part numbers, supplier codes…) in every call.
serial = itertools.count(1)


def role(name: str) -> UserFor:
    """The one user of role ``name`` working for the dealer (``core.tests.factories.staff_user``)."""
    return lambda dealer: staff_user(dealer, name)


service_manager = role(Role.SERVICE_MANAGER)


def at_dealer(row: Row, dealer: Dealer) -> bool:
    return row.dealer_id == dealer.pk


@dataclass(frozen=True)
class ApiResource:
    """How to exercise one API endpoint: its route, a row of it at a dealer, who reads and writes it, write bodies."""

    basename: str  # the route name without -list/-detail ("customer" → customer-list, customer-detail)
    make: Callable[[Dealer], Row]  # one row of the resource at the dealer, made the way the app makes it
    reader: UserFor = service_manager  # a user of the dealer who may read the resource
    model: type[models.Model] | None = None  # default: the model of the endpoint's queryset
    read_permission: str | None = None  # what a user must hold to read (default: view_<model>)
    list_params: dict = field(default_factory=dict)  # query of the list (e.g. a bucket or indicator codes)
    id_field: str = "id"  # the key of a row's id in the list
    detail: bool = True  # False: the endpoint is a list only
    scoped: bool = True  # False: shared by every dealer (the parts catalogue): no "another dealer"
    in_dealer: Callable[[Row, Dealer], bool] = at_dealer  # the row belongs to (the scope of) the dealer
    other_dealer: Callable[[Dealer], Dealer] = lambda dealer_b: dealer_b  # where "another dealer" is
    clock: datetime | None = None  # the moment the checks run at (timezone.now), when the app's rules need one
    # --- writes -------------------------------------------------------------------------------------------------
    writer: UserFor | None = None  # a user of the dealer who may create and change rows
    create: Callable[[Dealer], dict] | None = None  # a POST body that creates one row at the dealer
    dealer_field: str | None = None  # the input field that places the new row at a dealer (400 names it)
    foreign_create_status: int = 400  # a POST for another dealer: a field error, or 404/403 where the service says
    patch: Callable[[Row], dict] | None = None  # a PATCH body (without the version): the fields it changes
    put: Callable[[Row], dict] | None = None  # a full PUT body (without the version)
    check_created: Callable[[Row, dict, User], None] | None = None  # what the new row holds beyond the generic
    refused_writes_change: tuple[type[models.Model], ...] = ()  # further tables a refused write must leave as is

    def __str__(self) -> str:
        return self.basename

    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, row: Row) -> str:
        return reverse(f"{self.basename}-detail", args=[row.pk])

    @property
    def table(self) -> type[models.Model]:
        if self.model is not None:
            return self.model
        view = resolve(self.list_url()).func
        return (getattr(view, "cls", None) or view.view_class).queryset.model

    @property
    def view_permission(self) -> str:
        if self.read_permission:
            return self.read_permission
        meta = self.table._meta
        return f"{meta.app_label}.view_{meta.model_name}"

    @property
    def versioned(self) -> bool:
        return any(f.name == "version" for f in self.table._meta.concrete_fields)

    @property
    def writable(self) -> bool:
        return self.create is not None

    @property
    def updatable(self) -> bool:
        return self.patch is not None or self.put is not None

    def tables(self) -> tuple[type[models.Model], ...]:
        """What a refused request must leave unchanged."""
        return (self.table, *self.refused_writes_change)


def viewer(dealer: Dealer, permission: str) -> User:
    """A user of the dealer holding nothing but ``permission`` (reads, may not write)."""
    user = UserFactory(dealers=[dealer])
    app_label, codename = permission.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh object: the permission cache is empty


def offered_methods(url: str) -> set[str]:
    """The HTTP methods the endpoint at ``url`` answers (beyond GET/HEAD/OPTIONS, they may still refuse)."""
    view = resolve(url).func
    view_class = getattr(view, "cls", None) or view.view_class
    actions = getattr(view, "actions", None)
    methods = set(actions) if actions else {m for m in view_class.http_method_names if hasattr(view_class, m)}
    return methods & set(view_class.http_method_names)


def listed_ids(body, id_field: str = "id") -> list:
    """The ids of a list answer, paginated (``results``) or not."""
    rows = body["results"] if isinstance(body, dict) else body
    return [row[id_field] for row in rows]


NO_PERMISSION = {"detail": "You do not have permission to perform this action."}


def conflict(mine: int, theirs: int) -> dict:
    """The 409 answer to a write sent with version ``mine`` when the record is at ``theirs``."""
    return {
        "non_field_errors": [
            f"Someone else saved this record after you opened it (your version {mine}, now {theirs}). "
            "Reload the page to see their changes; nothing of yours was saved."
        ],
        "code": "conflict",
    }
