"""Template filters of the region view: a signed change ("+1.2", "-0.4", "0.0")."""

from django import template

register = template.Library()


@register.filter
def signed(value, digits: int = 1) -> str:
    """A change with its sign and ``digits`` decimals ("+1.2"; "0.0" when it rounds to nothing); "—" for none.
    (Django's floatformat shows no plus sign.)"""
    if value is None or value == "":
        return "—"
    rounded = round(float(value), int(digits))
    if rounded == 0:
        return f"{0:.{int(digits)}f}"
    return f"{rounded:+.{int(digits)}f}"
