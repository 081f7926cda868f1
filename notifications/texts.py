"""What each notification says, rendered in the reader's language when it is read (never frozen at write time).

A notification stores its event and parameters only. Parameters are made portable by ``portable`` when the
notification is written: a translatable label (a lazy string: a status, a category) is kept in every language of
``settings.LANGUAGES``, a moment with its offset (the dealer's wall clock), a day as its ISO date; ``rendered``
turns them back into text for the language active when the inbox, the badge, the API or a channel reads it.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.choices import Event

# (title, body) per event; the parameters each one uses are given by the emitting domain (repairs/notices.py,
# complaints/notices.py, evaluation/notices.py).
TEXTS: dict[str, tuple[Promise, Promise]] = {
    Event.ADDITION_RAISED: (
        _("Additional item on %(number)s"),
        _("%(by)s found on %(plate)s: %(description)s. Ask the customer for a decision."),
    ),
    Event.QC_PASSED: (
        _("%(number)s passed QC"),
        _("%(plate)s is ready for delivery: tell the customer."),
    ),
    Event.ORDER_APPROVED: (
        _("%(number)s approved: dispatch the work"),
        _("%(plate)s, approved by the customer; promised %(promised_at)s."),
    ),
    Event.COMPLAINT_ASSIGNED: (
        _("Complaint %(number)s is yours"),
        _("%(category)s, %(severity)s; assigned by %(by)s. First contact due %(due)s."),
    ),
    Event.COMPLAINT_DEADLINE: (
        _("Complaint %(number)s: %(clock)s due %(due)s"),
        _("Less than one working hour left."),
    ),
    Event.ACTION_ASSIGNED: (
        _("Improvement action on %(subject)s is yours"),
        _("Assigned by %(by)s; due %(due)s."),
    ),
    Event.ACTION_DUE: (
        _("Improvement action on %(subject)s due %(due)s"),
        _("Carry out the measures and hand the action to the check."),
    ),
}

MISSING = "—"


def portable(params: dict[str, Any], *, tz: tzinfo | None = None) -> dict[str, Any]:
    """The parameters as JSON that any reader's language can be rendered from (see the module docstring); moments
    on the wall clock of ``tz`` (the dealer's zone)."""
    out: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, Promise):
            labels = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    labels[code] = str(value)
            out[name] = {"i18n": labels}
        elif isinstance(value, datetime):
            if timezone.is_naive(value):
                raise ValueError(f"notification parameter {name!r}: give the time with its time zone")
            out[name] = {"at": timezone.localtime(value, tz).isoformat()}
        elif isinstance(value, date):
            out[name] = {"on": value.isoformat()}
        elif isinstance(value, Decimal):
            out[name] = str(value)
        elif value is None or isinstance(value, str | int | float | bool):
            out[name] = value
        else:
            raise TypeError(f"notification parameter {name!r}: {type(value).__name__} is not portable, pass text")
    return out


def _text(value: Any) -> str:
    if isinstance(value, dict):
        if "i18n" in value:
            labels = value["i18n"]
            language = translation.get_language() or settings.LANGUAGE_CODE
            return labels.get(language) or labels.get(settings.LANGUAGE_CODE) or next(iter(labels.values()), MISSING)
        if "at" in value:
            return f"{datetime.fromisoformat(value['at']):%Y-%m-%d %H:%M}"  # the dealer's wall clock, as written
        if "on" in value:
            return value["on"]
    if value is None or value == "":
        return MISSING
    return str(value)


class _Params(dict):
    def __missing__(self, key: str) -> str:  # a parameter an older notification lacks: a dash, never an error
        return MISSING


def rendered(event: str, params: dict[str, Any]) -> tuple[str, str]:
    """(title, body) of a notification in the active language."""
    texts = TEXTS.get(event)
    if texts is None:
        return str(Event(event).label) if event in Event.values else event, ""
    values = _Params({name: _text(value) for name, value in (params or {}).items()})
    title, body = texts
    return str(title) % values, str(body) % values
