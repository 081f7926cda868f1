"""Permission + scope guards: the one check a service makes before it changes (or reads for) a dealer.

``require`` refuses with ``PermissionDenied`` (a 403 in the API, a form error on a page); ``allowed`` is the same
rule as a yes/no for pages, menus and ``can_*`` helpers.  The dealers come from ``core.tenancy`` (write scope by
default: a regional manager only reads, a closed dealer can no longer be changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.tenancy import dealer_ids_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User  # accounts and organization sit above core
    from django.db.models import Model as Dealer

_SCOPE, _PERMISSION = "scope", "permission"
# ``dealer`` not given: no scope check. An explicit None (a record without a dealer) is out of every scope but "all".
_NOT_GIVEN: object = object()


def _dealer_ids(dealer: Dealer | int | object | None, dealers: Iterable[Dealer | int | None]) -> set[int | None]:
    given = [] if dealer is _NOT_GIVEN else [dealer]
    return {d.pk if hasattr(d, "pk") else d for d in [*given, *dealers]}


def _refusal(
    user: User,
    permission: str | Iterable[str] | None,
    any_of: Iterable[str],
    dealer: Dealer | int | object | None,
    dealers: Iterable[Dealer | int | None],
    write: bool,
) -> str | None:
    """Which check refuses the user ("scope" before "permission"), or None when nothing does."""
    ids = _dealer_ids(dealer, dealers)
    if ids:
        scope = dealer_ids_for(user, write=write)
        if scope is not None and not ids <= scope:
            return _SCOPE
    needed = [permission] if isinstance(permission, str) else list(permission or ())
    if needed and not user.has_perms(needed):
        return _PERMISSION
    any_of = list(any_of)
    if any_of and not any(user.has_perm(p) for p in any_of):
        return _PERMISSION
    return None


def allowed(
    user: User,
    permission: str | Iterable[str] | None = None,
    *,
    any_of: Iterable[str] = (),
    dealer: Dealer | int | object | None = _NOT_GIVEN,
    dealers: Iterable[Dealer | int | None] = (),
    write: bool = True,
) -> bool:
    """Whether the user holds the permission(s) and may change (``write=False``: see) the dealer(s) given."""
    return _refusal(user, permission, any_of, dealer, dealers, write) is None


def require(
    user: User,
    permission: str | Iterable[str] | None = None,
    *,
    any_of: Iterable[str] = (),
    dealer: Dealer | int | object | None = _NOT_GIVEN,
    dealers: Iterable[Dealer | int | None] = (),
    write: bool = True,
    message: str | None = None,
    scope_message: str | None = None,
    field: str | None = None,
) -> None:
    """Refuse unless the user may change the dealer(s) given and holds the permission; services call this first.

    ``permission``: one codename or several (all needed); ``any_of``: at least one of these. ``dealer`` (a Dealer or
    its id) and ``dealers`` must all be in the user's write scope (read scope with ``write=False``); the scope is
    checked before the permission. A missing permission is refused with ``message`` (default "You may not do
    this."), a dealer out of scope with ``scope_message`` (default "You cannot change the data of this dealer.").
    ``field``: refuse with a ValidationError on this form field instead of PermissionDenied (the customer archive
    shows it next to its dealer picker).
    """
    refusal = _refusal(user, permission, any_of, dealer, dealers, write)
    if refusal is None:
        return
    if refusal == _SCOPE:
        text = scope_message or _("You cannot change the data of this dealer.")
    else:
        text = message or _("You may not do this.")
    if field is not None:
        raise ValidationError({field: text})
    raise PermissionDenied(text)
