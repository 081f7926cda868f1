"""``{% if user|may_open:"care:campaigns" %}``: a link or button is shown from the permission check of the view it
opens (its ``permission_required``), so no role is shown a link that answers 403/404."""

from __future__ import annotations

from functools import cache

from django import template
from django.urls import NoReverseMatch, resolve, reverse

register = template.Library()


@cache
def _required(url_name: str) -> tuple[str, ...]:
    """The permissions the view behind ``url_name`` requires (a URL with arguments: its pattern's view)."""
    from django.urls import get_resolver

    try:
        view = resolve(reverse(url_name)).func
    except NoReverseMatch:  # a pattern with arguments: look the view up by name
        resolver = get_resolver()
        namespace, _sep, name = url_name.rpartition(":")
        if namespace:
            resolver = resolver.namespace_dict[namespace][1]
        view = next(pattern.callback for pattern in resolver.url_patterns if getattr(pattern, "name", None) == name)
    needed = getattr(getattr(view, "view_class", None), "permission_required", None) or ()
    return (needed,) if isinstance(needed, str) else tuple(needed)


def may_open(user, url_name: str) -> bool:
    """Whether ``user`` holds every permission the view of ``url_name`` requires."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_perms(_required(url_name))


register.filter("may_open", may_open)
