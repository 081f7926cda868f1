"""Template filters of the evaluation pages."""

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """A weight (0..1) as a percentage string: 0.2042 -> "20.4"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}"


@register.filter
def dec(value, digits: int = 3) -> str:
    """A float with a fixed number of decimals (CR, CI, λmax)."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}"
