"""How evaluation data is shown in the reader's language.

Indicator systems store their names and definitions in Chinese and English (``name_zh`` / ``name_en``,
``formula_zh`` / ``formula_en``); units and grades are stored as codes (``IndicatorUnit``, ``Grade``). Pages, exports
and the API show them through these helpers, so the Chinese UI reads Chinese only and the English UI English only.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from evaluation.choices import Grade, IndicatorDirection, IndicatorUnit

_UNIT_LABELS = dict(IndicatorUnit.choices)
_GRADE_LABELS = dict(Grade.choices)


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def in_language(zh: str, en: str) -> str:
    """The English text when English is active and there is one, else the Chinese (the product's first language)."""
    return en if is_english() and en else zh


def unit_label(unit: str) -> str:
    """A unit code ("min", "score", …) in the reader's language; a unit we do not know is shown as stored."""
    label = _UNIT_LABELS.get(unit)
    return str(label) if label is not None else (unit or "")


def with_unit(value: str, unit: str) -> str:
    """A formatted figure followed by its unit ("95.0 %", "12.0 分钟"); "—" stays alone."""
    if value in ("", "—") or not unit:
        return value
    return f"{value} {unit_label(unit)}"


# --- the traffic light of an indicator against its target and floor ---------------------------------------------------

GREEN, AMBER, RED = "green", "amber", "red"
#: The badge class of each light (static/css/app.css).
LIGHT_BADGES = {GREEN: "ok", AMBER: "warn", RED: "bad"}


def traffic_light(value: float | None, target, floor, direction: str) -> str | None:
    """The one traffic-light rule of every page and report: *green* at or beyond the target (the indicator scores
    100), *red* at or beyond the floor (it scores 0), *amber* between them; None without a value. ``direction`` is
    the indicator's (higher or lower is better)."""
    if value is None or target is None or floor is None:
        return None
    value, target, floor = float(value), float(target), float(floor)
    if direction == IndicatorDirection.LOWER:
        value, target, floor = -value, -target, -floor
    if value >= target:
        return GREEN
    if value <= floor:
        return RED
    return AMBER


def light_label(light: str | None) -> str:
    """The light in words, for the table and the screen reader ("—" without a value)."""
    labels = {GREEN: _("target met"), AMBER: _("between floor and target"), RED: _("at or beyond the floor")}
    return str(labels.get(light, "—"))


def grade_label(grade: str | None) -> str:
    """优/良/中/差 in the reader's language ("—" for none)."""
    if not grade:
        return "—"
    label = _GRADE_LABELS.get(grade)
    return str(label) if label is not None else grade


def stars_label(stars: int | None) -> str:
    """The star rating after GB/T 27922: ★★★–★★★★★, compliant without stars, or not compliant ("—" for none)."""
    if stars is None:
        return "—"
    if stars < 0:
        return _("not compliant")
    return "★" * stars if stars else _("compliant")


def shipped_system_text(text: str) -> str:
    """The shipped default system's name or description in the reader's language (other text is shown as stored)."""
    from evaluation.defaults import DEFAULT_SYSTEM_DESCRIPTION, DEFAULT_SYSTEM_NAME

    shipped = {
        DEFAULT_SYSTEM_NAME: _("Default indicator system (kpi-catalog)"),
        DEFAULT_SYSTEM_DESCRIPTION: _(
            "The default indicator system of kpi-catalog.md: dimensions A–F measured from the records, G assessed by "
            "the service-system audit."
        ),
    }
    return shipped.get(text, text)
