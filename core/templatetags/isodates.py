"""``{{ value|iso_date }}``: the value of a hand-written ``<input type="date">`` (ISO in every language)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.timezone import is_naive

from core.dates import local_date

register = template.Library()


@register.filter
def iso_date(value) -> str:
    """A date, a moment (its local day) or a date typed into a filter (kept if it is ISO) as YYYY-MM-DD, else ''.

    (``|date:'Y-m-d'`` gives '' for the string a filter form sends back, and a bare ``{{ day }}`` the locale's
    2027年6月3日: both leave the browser's date box blank.)"""
    if isinstance(value, datetime):
        return (value.date() if is_naive(value) else local_date(value)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return ""
    return ""
