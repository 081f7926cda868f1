"""Template filter for shares given as a fraction: the percent comes from ``core.indicators.Rate``."""

from django import template

from core.indicators import Rate

register = template.Library()


@register.filter
def percent(fraction, digits: int = 1) -> str:
    """A share given as a fraction (0..1) in percent, without the sign: 0.2042 -> "20.4"; "—" for none."""
    if fraction is None or fraction == "":
        return "—"
    return Rate.of_fraction(float(fraction)).percent_text(int(digits), suffix="")
