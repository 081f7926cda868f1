"""The evaluation's charts: the results selectors' figures drawn with the chart kit (``core.charts.Chart``).

Every page that shows an evaluation chart (the result page, "why did the score change", the cockpit, the region
view, the reports) builds it here, from what ``evaluation.selectors.results`` returns, so a chart reads the same
everywhere:

* ``waterfall_chart``: why the score changed — last month's score, one bar per indicator contribution (largest
  first), this month's score; each bar opens that indicator's records of the month (the drill-down);
* ``score_trend_chart``: the overall score and each dimension's, month by month (a gap for a month without result);
* ``radar_chart``: the dimension scores of a month against the month before;
* ``indicator_trend_chart``: one indicator's monthly values with n under every point and, for a rate, the dealer's
  own p-chart control limits (dashed) with the months outside them marked.

Names (indicators, dimensions) are the indicator system's, in the reader's language (``element_names``); the other
labels go through gettext, so a chart is Chinese in the Chinese UI and English in the English one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.charts import Chart, Series
from core.dates import Month
from evaluation.display import unit_label
from evaluation.models import DealerEvaluation
from evaluation.selectors.measures import drilldown_url
from evaluation.selectors.results import Explanation, IndicatorTrend, unexplained_reason
from evaluation.selectors.systems import element_names


def _points() -> str:
    """The unit of scores and of their changes ("分")."""
    return pgettext("score", "points")


def _names(version_id: int | None) -> dict[str, dict[str, str]]:
    if version_id is None:
        return {"dimensions": {}, "indicators": {}}
    return element_names(version_id)


def coded(code: str, names: Mapping[str, str]) -> str:
    """The code and the name in the reader's language ("B1 一次修复率"; the code alone when unnamed)."""
    name = names.get(code)
    return f"{code} {name}" if name and name != code else code


def month_drilldown(code: str, dealer_id: int, month: Month, user=None) -> str | None:
    """The drill-down of ``code`` for the dealer and the month's days; with ``user``, None when they may not open it
    (``drilldown_url``)."""
    if user is not None:
        return drilldown_url(user, code, dealer_id, month.first_day, month.last_day)
    query = {"dealer": dealer_id, "from": f"{month.first_day:%Y-%m-%d}", "to": f"{month.last_day:%Y-%m-%d}"}
    return f"{reverse('evaluation:drilldown', args=[code])}?{urlencode(query)}"


def waterfall_chart(
    explanation: Explanation,
    *,
    key: str = "why",
    links: Sequence[str | None] | None = None,
    user=None,
    names: Mapping[str, str] | None = None,
    fold_below: float = 0.01,
) -> Chart:
    """Why the score changed: the previous month's score, one bar per contribution (largest first, as
    ``explain`` sorts them), this month's score; the contributions under ``fold_below`` points together in one
    last bar (their sum: the bars still add up to the change).

    ``links``: one URL per contribution (in the explanation's order); by default each bar opens that indicator's
    records of the month (only those ``user`` may open, when given). ``names``: {code: name}, by default the
    indicator system's in the reader's language."""
    result = explanation.result
    month = Month.of(result.run.period_start)
    title = _("Score change %(previous)s → %(month)s") % {"previous": month.previous(), "month": month}
    if explanation.change is None:
        empty = unexplained_reason(explanation)
        return Chart(key, title, "waterfall", [], [], unit=_points(), decimals=2, empty_message=empty)
    if names is None:
        names = _names(result.run.system_version_id)["indicators"]
    contributions = explanation.contributions
    if links is None:
        links = [month_drilldown(c.indicator, result.dealer_id, month, user) for c in contributions]
    shown = [(c, link) for c, link in zip(contributions, links, strict=True) if abs(c.points) >= fold_below]
    labels = [coded(c.indicator, names) for c, _link in shown]
    values = [c.points for c, _link in shown]
    bar_links = [link for _c, link in shown]
    folded = [c for c in contributions if abs(c.points) < fold_below]
    if folded:
        # Indicators that moved the score by (almost) nothing: one bar, so the chart stays readable on a tablet;
        # the page's table lists them one by one.
        labels.append(_("%(count)d others (each under %(limit)s)") % {"count": len(folded), "limit": f"{fold_below:g}"})
        values.append(sum(c.points for c in folded))
        bar_links.append(None)
    return Chart(
        key,
        title,
        "waterfall",
        labels,
        [Series(_("Change in points"), values, links=bar_links)],
        unit=_points(),
        start=(str(month.previous()), float(explanation.previous_score)),
        end=(str(month), float(explanation.score)),
        decimals=2,
        height=360,
        category_label=_("Indicator"),
    )


def score_trend_chart(
    history: Sequence[tuple[Month, DealerEvaluation | None]],
    *,
    key: str = "trend",
    names: Mapping[str, str] | None = None,
    links: bool = True,
) -> Chart:
    """The overall score and each dimension's score per month of ``history`` (``dealer_history``: oldest first; a
    month without result is a gap), 0–100; each overall point opens that month's result."""
    categories = [str(month) for month, _result in history]
    found = [result for _month, result in history if result is not None]
    title = _("Score trend")
    if not found:
        return Chart(key, title, "line", categories, [], y_min=0, y_max=100,
                     empty_message=_("No evaluation result in these months yet."))  # fmt: skip
    if names is None:
        names = _names(found[-1].run.system_version_id)["dimensions"]
    dimensions = sorted({code for result in found for code in result.dimension_scores or {}})
    overall = Series(
        _("Overall score"),
        [result.score if result is not None else None for _month, result in history],
        links=[
            reverse("evaluation:result_detail", args=[result.pk]) if links and result is not None else None
            for _m, result in history
        ],
    )
    series = [overall] + [
        Series(coded(code, names), [
            (result.dimension_scores or {}).get(code) if result is not None else None for _month, result in history
        ])
        for code in dimensions
    ]  # fmt: skip
    return Chart(key, title, "line", categories, series, unit=_points(), y_min=0, y_max=100, height=360,
                 category_label=_("Month"))  # fmt: skip


def radar_chart(
    result: DealerEvaluation | None,
    previous: DealerEvaluation | None,
    *,
    key: str = "radar",
    names: Mapping[str, str] | None = None,
) -> Chart:
    """The dimension scores of ``result``'s month against ``previous`` (the month before; None: this month only)."""
    title = _("Dimension scores")
    if result is None or not any(v is not None for v in (result.dimension_scores or {}).values()):
        return Chart(key, title, "radar", [], [], y_min=0, y_max=100,
                     empty_message=_("No dimension scores for this month."))  # fmt: skip
    if names is None:
        names = _names(result.run.system_version_id)["dimensions"]
    month = Month.of(result.run.period_start)
    dimensions = sorted(code for code, score in (result.dimension_scores or {}).items() if score is not None)
    series = [Series(str(month), [result.dimension_scores[code] for code in dimensions])]
    if previous is not None:
        series.append(Series(str(Month.of(previous.run.period_start)), [
            (previous.dimension_scores or {}).get(code) for code in dimensions]))  # fmt: skip
    return Chart(key, title, "radar", [coded(code, names) for code in dimensions], series, unit=_points(),
                 y_min=0, y_max=100, category_label=_("Dimension"))  # fmt: skip


def indicator_trend_chart(
    trend: IndicatorTrend,
    *,
    key: str | None = None,
    links: Sequence[str | None] | None = None,
    title: str | None = None,
) -> Chart:
    """An indicator's value per month with n under every point; for a rate (``trend.limits``) the p-chart's
    centre line and control limits (dashed) with the months outside them marked. An indicator that is not a
    share of records gets no limits, and its title (by default "B1 name") says why (``trend.note``)."""
    key = key or f"trend-{trend.code}"
    title = title or (f"{trend.code} {trend.name}" if trend.name else trend.code)
    if not trend.limits and trend.note:
        title = f"{title} · {trend.note}"
    categories = [str(month) for month in trend.months]
    value = Series(trend.name or trend.code, list(trend.values), links=list(links) if links else None,
                   marks=list(trend.outside) if trend.limits else None)  # fmt: skip
    series = [value]
    if trend.limits:
        series += [
            Series(_("Upper control limit"), list(trend.upper), style="limit"),
            Series(_("Centre line"), [trend.centre if n else None for n in trend.counts], style="limit"),
            Series(_("Lower control limit"), list(trend.lower), style="limit"),
        ]
    empty = _("No figure of %(indicator)s in these months.") % {"indicator": trend.code}
    return Chart(key, title, "line", categories, series, unit=unit_label(trend.unit), counts=list(trend.counts),
                 category_label=_("Month"), empty_message=empty)  # fmt: skip
