"""Template filters of the evaluation pages."""

from django import template

from evaluation import display
from evaluation.selectors import systems as system_selectors

register = template.Library()


@register.filter
def dec(value, digits: int = 3) -> str:
    """A float with a fixed number of decimals (CR, CI, λmax)."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def unit(code: str) -> str:
    """A unit code in the reader's language: "min" -> "分钟" / "min"."""
    return display.unit_label(code)


@register.filter
def with_unit(value, code: str) -> str:
    """A formatted figure with its unit: "12.0"|with_unit:"min" -> "12.0 分钟"."""
    return display.with_unit(str(value), code)


@register.filter
def grade(value: str) -> str:
    """优/良/中/差 in the reader's language."""
    return display.grade_label(value)


@register.filter
def name_of(names: dict, code: str) -> str:
    """The name of a code in a {code: name} mapping ("" when it has none)."""
    return names.get(code, "") if names else ""


@register.simple_tag
def element_names(system_version) -> dict[str, dict[str, str]]:
    """{"dimensions": {code: name}, "indicators": {code: name}} in the reader's language (two queries)."""
    return system_selectors.element_names(system_version)


@register.filter
def spec_name(spec, names: dict) -> str:
    """The name of a measured indicator as the indicator system names it (the measurement's label if it has none)."""
    return (names or {}).get(spec.code) or str(spec.label)


@register.filter
def shown_to(run, user) -> bool:
    """Whether the user may open the run (``EvaluationRun.shown_to``): pages link a run of an alert or an action
    only then, so that the evaluated side never follows a link to a draft (it would be a 404)."""
    return run is not None and run.shown_to(user)
