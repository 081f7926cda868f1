"""The notes of an evaluation run in the reader's language.

The engine (``evaluation.engine``, no Django) and the run (``evaluation.services.runs``) store structured notes: a
``code`` and the figures it needs, e.g. ``{"code": "entropy_constant", "indicators": ["A2", "B3"]}``.  They are said
here, naming the indicators by code and name in the reader's language, for the run page and the API (which gives both
the note and its ``text``).  A note this module does not know is shown by its code, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.indicators import Rate

#: The figures a questionnaire family decides (the CSI and the satisfaction items): compared like for like only.
SURVEY_FAMILY_CODES = ("C1", "C2", "E1")


def _list(items: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(items)


def _indicators(codes: Iterable[str], names: Mapping[str, str]) -> str:
    return _list(names.get(code, code) for code in codes)


def _percent(share: float) -> str:
    return Rate.of_fraction(float(share)).percent_text(0)


def _moment(value: str | None) -> str:
    if not value:
        return "—"
    moment = timezone.localtime(datetime.fromisoformat(value))
    return date_format(moment, "Y-m-d H:i")


def note_text(note: Mapping[str, Any] | str, names: Mapping[str, str] | None = None) -> str:
    """One note as a sentence in the active language."""
    names = names or {}
    if isinstance(note, str):  # a run made before notes were structured (the migration converts known ones)
        return note
    code = note.get("code", "")
    if code == "entropy_too_few_dealers":
        return _(
            "Entropy weights need at least %(minimum)d dealers with data; this scope has %(dealers)d: the AHP "
            "weights were used."
        ) % {"minimum": note["minimum"], "dealers": note["dealers"]}
    if code == "entropy_too_few_rows":
        return _(
            "Entropy weights need at least two dealers with enough records; %(rows)d had them: the AHP weights "
            "were used."
        ) % {"rows": note["rows"]}
    if code == "entropy_all_equal":
        return _("Every indicator is equal across the dealers: the AHP weights were used.")
    if code == "entropy_constant":
        codes = note.get("indicators", [])
        return ngettext(
            "%(indicators)s did not vary between the dealers: it carries no information and gets entropy weight 0.",
            "%(indicators)s did not vary between the dealers: they carry no information and get entropy weight 0.",
            len(codes),
        ) % {"indicators": _indicators(codes, names)}
    if code == "entropy_no_data":
        codes = note.get("indicators", [])
        return ngettext(
            "No dealer has enough records for %(indicators)s: it gets entropy weight 0.",
            "No dealer has enough records for %(indicators)s: they get entropy weight 0.",
            len(codes),
        ) % {"indicators": _indicators(codes, names)}
    if code == "entropy_window":
        return ngettext(
            "Entropy weights over %(rows)d dealer-month from %(first)s to %(last)s.",
            "Entropy weights over %(rows)d dealer-months from %(first)s to %(last)s.",
            note["rows"],
        ) % {"rows": note["rows"], "first": note["first"], "last": note["last"]}
    if code == "entropy_thin":
        return _(
            "Figures on fewer than %(minimum)d records are left out of the entropy weights and the alerts: "
            "%(indicators)s."
        ) % {"minimum": note["minimum"], "indicators": _indicators(note.get("indicators", []), names)}
    if code == "topsis_too_few":
        return _("TOPSIS needs at least two ranked dealers.")
    if code == "survey_family_mismatch":
        named = [f"{row['dealer']} ({_list(row['families'])})" for row in note.get("dealers", [])]
        others = note.get("others", 0)
        if others:  # dealers the reader may not see are counted, not named
            named.append(ngettext("%(n)d other dealer", "%(n)d other dealers", others) % {"n": others})
        return _(
            "Not like for like: most dealers' customers answered the %(reference)s questionnaire, but %(dealers)s "
            "used another one. Their %(indicators)s are not comparable: shown, but left out of their scores, the "
            "entropy weights and the ranking."
        ) % {
            "reference": note["reference"],
            "dealers": _list(named),
            "indicators": _indicators(note.get("indicators", SURVEY_FAMILY_CODES), names),
        }
    if code == "provisional":
        return _(
            "Provisional: evaluated as of %(as_of)s, before the month's end plus the grace period (%(until)s). "
            "Records entered until then may still change the figures; run the month again after it."
        ) % {"as_of": _moment(note.get("as_of")), "until": _moment(note.get("until"))}
    if code == "rank_thin_data":
        return _(
            "No rank: only %(enough)d of %(of)d indicators have enough records (%(share)s of the weight; a rank "
            "needs %(required)s)."
        ) % {
            "enough": note["enough"],
            "of": note["of"],
            "share": _percent(note["share"]),
            "required": _percent(note["required"]),
        }
    if code == "text":
        return str(note.get("text", ""))
    return code


def _for_reader(note: dict[str, Any], visible: set[int] | None) -> dict[str, Any]:
    """A note as the reader may see it: dealers outside their scope are counted, never named."""
    if visible is None or note.get("code") != "survey_family_mismatch":
        return note
    rows = note.get("dealers", [])
    shown = [row for row in rows if row.get("id") in visible]
    return {**note, "dealers": shown, "others": note.get("others", 0) + len(rows) - len(shown)}


def rendered(
    notes: Iterable[Mapping[str, Any] | str], names: Mapping[str, str], visible: set[int] | None = None
) -> list[dict[str, Any]]:
    """The notes with their ``text``: [{"code": …, …figures, "text": …}] (a legacy string becomes code "text").

    ``visible``: the dealer ids the reader may see (None: all); other dealers are not named.
    """
    result = []
    for note in notes or ():
        stored = _for_reader({"code": "text", "text": note} if isinstance(note, str) else dict(note), visible)
        result.append({**stored, "text": note_text(stored, names)})
    return result
