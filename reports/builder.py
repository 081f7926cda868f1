"""The contents of a quality report, gathered from published evaluation runs (``build``).

One report compares two months of its period with each other and shows its whole period:

* a **monthly** report: the month against the month before (both published results), the 12 months ending with it;
* a **yearly** report: its last published month against its first (the change over the year), the year's 12 months
  (months without a published run are named as missing) and each figure's mean over the published months.

For a dealer, each month's figure is the dealer's published result that counts
(``reports.selectors.published_results``); for a region, every dealer of the region with its own result, and the
region's figures are the dealers' means (the ranking, heat map and distribution show them one by one).  "Why did
the score change" is the evaluation's own ``explain`` (``evaluation.selectors.results``); for a region the mean of
its dealers' contributions, which adds up exactly to the change of their mean score.  Complaints and surveys are
their domains' rules (``complaints.kpis``, ``surveys.selectors``) over the period, as of the evaluation moment of
the current run, so the report's figures are those the run stands on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from complaints import kpis as complaint_kpis
from complaints.choices import Category
from core.charts import Chart, Series
from core.dates import Month
from core.indicators import RATIO, Rate, combined
from evaluation import charts as evaluation_charts
from evaluation import display, notes
from evaluation.choices import ActionStatus, AhpMethod, WeightingMode
from evaluation.models import DealerEvaluation, ImprovementAction, Indicator, PairwiseMatrix, QualityAlert
from evaluation.selectors import alerts as alert_selectors
from evaluation.selectors.results import Contribution, Explanation, effective_weights, explain
from reports import selectors
from reports.content import Cell, Column, Fact, ReportContent, Section, Table
from reports.selectors import ReportSpec
from surveys import selectors as survey_selectors
from surveys.choices import Dimension as SurveyDimension

HISTOGRAM_EDGES = (0, 50, 60, 70, 80, 90, 100)


def _avg(values) -> float | None:
    present = [float(v) for v in values if v is not None]
    return mean(present) if present else None


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


@dataclass
class IndicatorInfo:
    code: str
    name: str
    dimension: str
    unit: str
    target: float
    floor: float


@dataclass
class Gathered:
    """Everything a report shows, read once."""

    spec: ReportSpec
    dealers: list
    months: list[Month]  # the period's months
    trend_months: list[Month]  # the months of the trend charts
    results: dict  # {(dealer id, first day): DealerEvaluation}
    current: Month | None
    base: Month | None
    version: object = None
    indicators: list[IndicatorInfo] = field(default_factory=list)
    dimensions: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    ranked_in_run: dict = field(default_factory=dict)  # {run id: ranked dealers}

    def result(self, dealer_id: int, month: Month | None) -> DealerEvaluation | None:
        return None if month is None else self.results.get((dealer_id, month.first_day))

    def period_results(self, dealer_id: int) -> list[tuple[Month, DealerEvaluation | None]]:
        return [(m, self.result(dealer_id, m)) for m in self.months]

    @property
    def is_region(self) -> bool:
        return self.spec.region is not None

    @property
    def period_runs(self) -> list:
        """The published runs of the period the report stands on (oldest month first)."""
        runs = {}
        for (_dealer_id, first), result in sorted(self.results.items(), key=lambda item: (item[0][1], item[0][0])):
            if Month.of(first) in self.months:
                runs.setdefault(result.run_id, result.run)
        return list(runs.values())

    @property
    def base_runs(self) -> list:
        runs = {}
        for d in self.dealers:
            result = self.result(d.pk, self.base)
            if result is not None:
                runs.setdefault(result.run_id, result.run)
        return list(runs.values())

    @property
    def current_run(self):
        for d in self.dealers:
            result = self.result(d.pk, self.current)
            if result is not None:
                return result.run
        return None

    @property
    def missing_months(self) -> list[Month]:
        return [m for m in self.months if not any(self.result(d.pk, m) for d in self.dealers)]


def gather(spec: ReportSpec) -> Gathered:
    """Read the published results of the report's dealers over its period and trend, and the indicator system."""
    dealers = selectors.scope_dealers(spec)
    months = spec.months
    trend = months if spec.is_year else [months[0].plus(k - 11) for k in range(12)]
    window_first = min(trend[0], months[0].previous())
    results = selectors.published_results([d.pk for d in dealers], window_first.first_day, months[-1].first_day)
    found = sorted({Month.of(first) for (_d, first) in results})
    in_period = [m for m in months if m in found]
    if spec.is_year:
        current = in_period[-1] if in_period else None
        base = in_period[0] if len(in_period) > 1 else None
    else:
        current, base = months[0], months[0].previous()
    data = Gathered(spec, dealers, months, trend, results, current, base)
    run = data.current_run
    if run is not None:
        data.version = run.system_version
        rows = (
            Indicator.objects.filter(dimension__system_version=run.system_version_id)
            .select_related("dimension")
            .order_by("dimension__position", "dimension__code", "position", "code")
        )
        seen = {}
        for row in rows:
            seen.setdefault(row.dimension.code, row.dimension.name)
            data.indicators.append(
                IndicatorInfo(row.code, row.name, row.dimension.code, row.unit, float(row.target), float(row.floor))
            )
        data.dimensions = list(seen.items())
        run_ids = {r.run_id for r in results.values()}
        data.ranked_in_run = dict(
            DealerEvaluation.objects.filter(run_id__in=run_ids, rank__isnull=False)
            .order_by()
            .values_list("run_id")
            .annotate(n=Count("pk"))
        )
    return data


# --- building blocks -------------------------------------------------------------------------------------------


def _rank_text(data: Gathered, result: DealerEvaluation | None) -> str:
    if result is None:
        return "—"
    if result.rank is None:
        reason = result.rank_reason
        return _("No rank: %(reason)s") % {"reason": reason} if reason else "—"
    ranked = data.ranked_in_run.get(result.run_id)
    return f"{result.rank} / {ranked}" if ranked else str(result.rank)


def _run_text(run) -> str:
    scope = run.region.name if run.region_id else run.oem.name
    published = timezone.localtime(run.published_at).strftime("%Y-%m-%d") if run.published_at else "—"
    return _("#%(id)s %(scope)s %(month)s, published %(date)s by %(who)s") % {
        "id": run.pk,
        "scope": scope,
        "month": f"{run.period_start:%Y-%m}",
        "date": published,
        "who": run.published_by or "—",
    }


def _base_label(data: Gathered) -> str:
    if data.base is None:
        return _("Comparison month")
    if data.spec.is_year:
        return _("First published month (%(month)s)") % {"month": data.base}
    return _("Previous month (%(month)s)") % {"month": data.base}


def _current_label(data: Gathered) -> str:
    if data.current is None:
        return _("This month")
    if data.spec.is_year:
        return _("Last published month (%(month)s)") % {"month": data.current}
    return _("This month (%(month)s)") % {"month": data.current}


def _value_cell(value, unit: str, mark: str = "") -> Cell:
    return Cell(value, "pct" if unit == "%" else "num", mark)


def _dealer_means(data: Gathered, month: Month | None):
    """The region's figures of a month: the mean score and dimension scores of its dealers with a result."""
    results = [r for d in data.dealers if (r := data.result(d.pk, month)) is not None]
    score = _avg(r.score for r in results)
    dimensions = {code: _avg((r.dimension_scores or {}).get(code) for r in results) for code, _n in data.dimensions}
    return results, score, dimensions


def _year_mean(data: Gathered, dealer_id: int) -> float | None:
    return _avg(r.score for _m, r in data.period_results(dealer_id) if r is not None)


# --- sections --------------------------------------------------------------------------------------------------


def _cover(data: Gathered) -> tuple[list[Fact], Section]:
    spec = data.spec
    facts: list[Fact] = []
    headline: list[Fact] = []
    version = data.version
    if not data.is_region:
        dealer = spec.dealer
        facts += [Fact(_("Dealer"), f"{dealer.code} {dealer.name}"), Fact(_("Region"), dealer.region.name)]
        current = data.result(dealer.pk, data.current)
        base = data.result(dealer.pk, data.base)
        if spec.is_year:
            year_score = _year_mean(data, dealer.pk)
            headline += [
                Fact(_("Year's mean score"), year_score, "num"),
                Fact(_("Grade"), display.grade_label(version.grade_for(year_score)) if version else "—"),
                Fact(_("Stars"), display.stars_label(version.stars_for(year_score)) if version else "—"),
                Fact(_("Rank in %(month)s") % {"month": data.current}, _rank_text(data, current)),
            ]
        else:
            headline += [
                Fact(_("Score"), current.score if current else None, "num"),
                Fact(_("Grade"), current.grade_label if current else "—"),
                Fact(_("Stars"), current.stars_label if current else "—"),
                Fact(_("Rank"), _rank_text(data, current)),
            ]
        facts += [
            Fact(_current_label(data), current.score if current else None, "num"),
            Fact(_base_label(data), base.score if base else None, "num"),
            Fact(
                pgettext("quality report", "Change"),
                _diff(current.score if current else None, base.score if base else None),
                "delta2",
            ),
            Fact(_("TOPSIS rank"), current.topsis_rank if current else None, "int"),
        ]
        if current is not None and current.rank is None and current.rank_reason:
            facts.append(Fact(_("No rank"), current.rank_reason))
    else:
        region = spec.region
        results, score, _dims = _dealer_means(data, data.current)
        _base_results, base_score, _b = _dealer_means(data, data.base)
        facts += [
            Fact(_("Region"), f"{region.code} {region.name}"),
            Fact(_("OEM"), region.oem.name),
            Fact(_("Dealers"), len(data.dealers), "int"),
        ]
        if spec.is_year:
            means = [m for d in data.dealers if (m := _year_mean(data, d.pk)) is not None]
            score_shown = _avg(means)
            headline.append(Fact(_("Dealers' mean score over the year"), score_shown, "num"))
        else:
            score_shown = score
            headline.append(Fact(_("Dealers' mean score"), score_shown, "num"))
        headline += [
            Fact(_("Grade"), display.grade_label(version.grade_for(score_shown)) if version else "—"),
            Fact(_("Stars"), display.stars_label(version.stars_for(score_shown)) if version else "—"),
            Fact(_("Dealers with a score"), len([r for r in results if r.score is not None]), "int"),
        ]
        facts += [
            Fact(_current_label(data), score, "num"),
            Fact(_base_label(data), base_score, "num"),
            Fact(pgettext("quality report", "Change"), _diff(score, base_score), "delta2"),
        ]
    facts.append(Fact(pgettext("quality report", "Period"), spec.label))
    if spec.is_year:
        published_count = len(data.months) - len(data.missing_months)
        facts.append(Fact(_("Published months"), f"{published_count} / {len(data.months)}"))
        facts.append(Fact(_("Months without a published run"), ", ".join(map(str, data.missing_months)) or _("none")))
    if version is not None:
        facts.append(Fact(_("Indicator system"), f"{version.system.display_name} v{version.number}"))
    for run in data.period_runs:
        facts.append(Fact(_("Evaluation run"), _run_text(run)))
        if run.provisional:
            facts.append(
                Fact(
                    _("Provisional"),
                    _("Run before the month's end plus the grace period: records entered later may still change it."),
                )
            )
    for run in data.base_runs:
        if run not in data.period_runs:
            facts.append(Fact(_("Compared with run"), _run_text(run)))
    facts.append(Fact(_("Made at"), timezone.now(), "datetime"))
    section = Section("cover", pgettext("quality report", "Summary"), facts=headline + facts)
    return headline, section


def _indicator_section(data: Gathered) -> Section:
    section = Section("indicators", _("Dimensions and indicators"))
    cur, base = _current_label(data), _base_label(data)
    year = data.spec.is_year
    dim_columns = [
        Column(_("Code"), width=6),
        Column(_("Dimension"), width=22),
        Column(_("Weight"), "pct"),
        Column(cur, "num"),
        Column(base, "num"),
        Column(pgettext("quality report", "Change"), "delta"),
    ]
    if year:
        dim_columns.append(Column(_("Year's mean score"), "num"))
    dim_rows = []
    weights = ((data.current_run.weights or {}).get("dimensions") or {}) if data.current_run else {}
    if not data.is_region:
        dealer = data.spec.dealer
        current, previous = data.result(dealer.pk, data.current), data.result(dealer.pk, data.base)
        history = [r for _m, r in data.period_results(dealer.pk) if r is not None]
        now_dims = (current.dimension_scores or {}) if current else {}
        base_dims = (previous.dimension_scores or {}) if previous else {}
    else:
        _r, _s, now_dims = _dealer_means(data, data.current)
        _r, _s, base_dims = _dealer_means(data, data.base)
        history = [r for d in data.dealers for _m, r in data.period_results(d.pk) if r is not None]
    for code, name in data.dimensions:
        row = [
            code,
            name,
            Rate.of_fraction(weights[code]).percent if code in weights else None,
            now_dims.get(code),
            base_dims.get(code),
            _diff(now_dims.get(code), base_dims.get(code)),
        ]
        if year:
            row.append(_avg((r.dimension_scores or {}).get(code) for r in history))
        dim_rows.append(row)
    section.tables.append(Table("dimensions", _("Dimension scores"), dim_columns, dim_rows))

    if not data.is_region:
        columns = [
            Column(_("Code"), width=6),
            Column(_("Indicator"), width=24),
            Column(pgettext("measured value", "Value"), "num"),
            Column(_("Unit"), width=7),
            Column("n", "int"),
            Column(pgettext("indicator", "Target"), "num"),
            Column(_("Floor"), "num"),
            Column(_("Score"), "num"),
            Column(base, "num"),
            Column(pgettext("quality report", "Change"), "delta"),
            Column(_("Weight"), "pct"),
        ]
        if year:
            columns.append(Column(_("Year's mean score"), "num"))
        rows = []
        effective = _effective(current, data)
        for info in data.indicators:
            figure = (current.indicators or {}).get(info.code, {}) if current else {}
            old = (previous.indicators or {}).get(info.code, {}) if previous else {}
            mark = "" if figure.get("comparable", True) else "‡"
            mark += "" if figure.get("enough", True) or figure.get("value") is None else "†"
            row = [
                info.code,
                info.name,
                _value_cell(figure.get("value"), info.unit, mark),
                display.unit_label(info.unit),
                figure.get("n"),
                _value_cell(info.target, info.unit),
                _value_cell(info.floor, info.unit),
                figure.get("score"),
                old.get("score"),
                _diff(figure.get("score"), old.get("score")),
                Rate.of_fraction(effective[info.code]).percent if info.code in effective else None,
            ]
            if year:
                row.append(_avg((r.indicators or {}).get(info.code, {}).get("score") for r in history))
            rows.append(row)
        minimum = data.current_run.min_sample if data.current_run else 0
        note = _(
            "Weight: the indicator's share of the overall score this month (weights of indicators without "
            "data go to the rest of their dimension). † fewer than %(minimum)d records: scored, but it counts "
            "for neither the rank nor the alerts. ‡ survey figures not comparable (another questionnaire "
            "family): not scored."
        ) % {"minimum": minimum}
        section.tables.append(Table("indicators", _("Indicators"), columns, rows, note=note))
    else:
        columns = [
            Column(_("Code"), width=6),
            Column(_("Indicator"), width=24),
            Column(pgettext("indicator", "Target"), "num"),
            Column(_("Floor"), "num"),
            Column(_("Dealers' mean value"), "num"),
            Column("n", "int"),
            Column(_("Mean score"), "num"),
            Column(base, "num"),
            Column(pgettext("quality report", "Change"), "delta"),
            Column(_("Dealers below the floor"), "int"),
        ]
        now_results, _s, _d = _dealer_means(data, data.current)
        base_results, _s, _d = _dealer_means(data, data.base)
        rows = []
        for info in data.indicators:
            figures = [(r.indicators or {}).get(info.code, {}) for r in now_results]
            old = [(r.indicators or {}).get(info.code, {}) for r in base_results]
            values = [f.get("value") for f in figures if f.get("value") is not None]
            score = _avg(f.get("score") for f in figures)
            base_score = _avg(f.get("score") for f in old)
            below = sum(1 for f in figures if f.get("score") == 0 and f.get("value") is not None)
            rows.append(
                [
                    info.code,
                    info.name,
                    _value_cell(info.target, info.unit),
                    _value_cell(info.floor, info.unit),
                    _value_cell(_avg(values), info.unit),
                    sum(f.get("n") or 0 for f in figures),
                    score,
                    base_score,
                    _diff(score, base_score),
                    below,
                ]
            )
        note = _(
            "The region's figures are the means of its dealers' figures in their published results; the heat "
            "map shows each dealer's."
        )
        section.tables.append(Table("indicators", _("Indicators"), columns, rows, note=note))
    return section


def _effective(result: DealerEvaluation | None, data: Gathered) -> dict[str, float]:
    """{indicator: its share of the result's score} (the evaluation's rule: ``effective_weights``)."""
    if result is None:
        return {}
    return effective_weights(result, {info.code: info.dimension for info in data.indicators})


def _subject(data: Gathered, month: Month | None) -> DealerEvaluation | None:
    """What the report's charts show for a month: the dealer's published result, or for a region an unsaved
    result holding its dealers' mean score and dimension scores (with the month's run, for the labels)."""
    if month is None:
        return None
    if not data.is_region:
        return data.result(data.spec.dealer.pk, month)
    results, score, dimensions = _dealer_means(data, month)
    if not results:
        return None
    return DealerEvaluation(run=results[0].run, score=score, dimension_scores=dimensions, indicators={})


def _names(data: Gathered) -> tuple[dict[str, str], dict[str, str]]:
    return dict(data.dimensions), {info.code: info.name for info in data.indicators}


def _charts_section(data: Gathered) -> Section:
    section = Section("charts", _("Charts"))
    dimension_names, _indicator_names = _names(data)
    section.charts.append(
        evaluation_charts.radar_chart(_subject(data, data.current), _subject(data, data.base), names=dimension_names)
    )
    history = [(month, _subject(data, month)) for month in data.trend_months]
    section.charts.append(evaluation_charts.score_trend_chart(history, names=dimension_names, links=False))
    missing = [str(month) for month, result in history if result is None]
    if missing:
        section.notes.append(
            _("Months without a published run (gaps in the trend): %(months)s.") % {"months": ", ".join(missing)}
        )
    if data.is_region:
        section.notes.append(_("The region's scores are the means of its dealers' scores."))
    return section


def _explanation(data: Gathered) -> tuple[Explanation | None, int]:
    """The change from the comparison month to the current one: the dealer's (``explain``), or the mean of the
    region's dealers' contributions over those with a score in both months (they add up to the change of their
    mean score); with the number of dealers it stands on."""
    pairs = []
    for d in data.dealers:
        current, previous = data.result(d.pk, data.current), data.result(d.pk, data.base)
        if current is not None and previous is not None and current.score is not None and previous.score is not None:
            pairs.append(explain(current, previous))
    if not pairs:
        return None, 0
    if not data.is_region:
        return pairs[0], 1
    count = len(pairs)
    totals: dict[str, dict] = {}
    for explanation in pairs:
        for c in explanation.contributions:
            row = totals.setdefault(c.indicator, {"dimension": c.dimension, "rows": []})
            row["rows"].append(c)
    contributions = []
    for code, row in totals.items():
        rows = row["rows"]
        contributions.append(
            Contribution(
                indicator=code,
                dimension=row["dimension"],
                points=sum(c.points for c in rows) / count,
                performance_points=sum(c.performance_points for c in rows) / count,
                weight_points=sum(c.weight_points for c in rows) / count,
                previous_score=_avg(c.previous_score for c in rows),
                score=_avg(c.score for c in rows),
                previous_weight=sum(c.previous_weight for c in rows) / count,
                weight=sum(c.weight for c in rows) / count,
            )
        )
    contributions.sort(key=lambda c: (-abs(c.points), c.indicator))
    previous_score = mean(e.previous_score for e in pairs)
    score = mean(e.score for e in pairs)
    result = DealerEvaluation(run=pairs[0].result.run, score=score, indicators={})
    previous = DealerEvaluation(run=pairs[0].previous.run, score=previous_score, indicators={})
    return Explanation(result, previous, previous_score, score, score - previous_score, contributions), count


def _waterfall_section(data: Gathered) -> Section:
    section = Section("waterfall", _("Why the score changed"))
    explanation, count = _explanation(data)
    _dimension_names, names = _names(data)
    if explanation is None:
        section.notes.append(_("No comparison: %(base)s has no published score.") % {"base": _base_label(data)})
        return section
    chart = evaluation_charts.waterfall_chart(explanation, links=[None] * len(explanation.contributions), names=names)
    if data.base is not None and data.current is not None and data.base != data.current.previous():
        chart.title = _("Score change %(previous)s → %(month)s") % {"previous": data.base, "month": data.current}
        chart.start = (str(data.base), chart.start[1])
    section.charts.append(chart)
    columns = [
        Column(_("Code"), width=6),
        Column(_("Indicator"), width=24),
        Column(_("Score before"), "num"),
        Column(_("Score after"), "num"),
        Column(_("Weight before"), "pct"),
        Column(_("Weight after"), "pct"),
        Column(pgettext("score change", "Points"), "delta2"),
        Column(_("From performance"), "delta2"),
        Column(_("From weights"), "delta2"),
    ]
    rows = [
        [
            c.indicator,
            names.get(c.indicator, c.indicator),
            c.previous_score,
            c.score,
            Rate.of_fraction(c.previous_weight).percent,
            Rate.of_fraction(c.weight).percent,
            c.points,
            c.performance_points,
            c.weight_points,
        ]
        for c in explanation.contributions
    ]
    contributions = explanation.contributions
    rows.append(
        [
            _("Total"),
            "",
            explanation.previous_score,
            explanation.score,
            None,
            None,
            explanation.total,
            sum(c.performance_points for c in contributions),
            sum(c.weight_points for c in contributions),
        ]
    )
    note = _(
        "Each indicator's points are its share of the change (weight × score now − weight × score before); "
        "they add up to the change of %(change)s points. Each splits into the dealer's own performance "
        "(mean weight × change of score) and the weights (mean score × change of weight), including the "
        "weight an indicator without data leaves to the others."
    ) % {"change": f"{explanation.change:+.2f}"}
    if data.is_region:
        note += " " + _("For the region: the means over its %(count)d dealers with a score in both months.") % {
            "count": count
        }
    section.tables.append(Table("waterfall", _("Score change by indicator"), columns, rows, note=note))
    return section


def _ranking_section(data: Gathered) -> Section:
    section = Section("ranking", _("Dealer ranking"))
    year = data.spec.is_year
    columns = [
        Column(pgettext("ranking", "Position")),
        Column(_("Dealer"), width=24),
        Column(_("Score"), "num"),
        Column(_("Grade")),
        Column(_("Stars")),
        Column(_("Rank in the run")),
        Column(_("TOPSIS rank"), "int"),
        Column(pgettext("quality report", "Change"), "delta"),
    ]
    if year:
        columns.insert(3, Column(_("Year's mean score"), "num"))
        columns.append(Column(_("Published months"), "int"))
    entries = []
    for d in data.dealers:
        current, previous = data.result(d.pk, data.current), data.result(d.pk, data.base)
        key_score = _year_mean(data, d.pk) if year else (current.score if current else None)
        entries.append((d, current, previous, key_score))
    entries.sort(key=lambda e: (e[3] is None, -(e[3] or 0), e[0].code))
    rows = []
    for position, (d, current, previous, key_score) in enumerate(entries, start=1):
        row = [
            position if key_score is not None else "—",
            f"{d.code} {d.name}",
            current.score if current else None,
            current.grade_label if current else "—",
            current.stars_label if current else "—",
            _rank_text(data, current),
            current.topsis_rank if current else None,
            _diff(current.score if current else None, previous.score if previous else None),
        ]
        if year:
            row.insert(3, key_score)
            row.append(sum(1 for _m, r in data.period_results(d.pk) if r is not None))
        rows.append(row)
    note = _("Score, grade, stars and ranks of %(month)s; the change is against %(base)s.") % {
        "month": data.current,
        "base": data.base or "—",
    }
    if year:
        note += " " + _("Positions by the mean score of the published months of the year.")
    section.tables.append(Table("ranking", _("Dealer ranking"), columns, rows, note=note))
    ranked = [(e[0], e[3]) for e in entries if e[3] is not None]
    section.charts.append(
        Chart(
            "ranking",
            _("Scores of the dealers"),
            "bar",
            [f"{d.code} {d.name}" for d, _s in ranked],
            [Series(_("Score") if not year else _("Year's mean score"), [s for _d, s in ranked])],
            horizontal=True,
            y_min=0,
            y_max=100,
            category_label=_("Dealer"),
            empty_message=_("No dealer has a score."),
        )
    )
    return section


def _heatmap_section(data: Gathered) -> Section:
    section = Section("heatmap", _("Heat map: dealers × indicators"))
    codes = [info.code for info in data.indicators]
    rows, series = [], []
    for d in data.dealers:
        if data.spec.is_year:
            history = [r for _m, r in data.period_results(d.pk) if r is not None]
            values = [_avg((r.indicators or {}).get(c, {}).get("score") for r in history) for c in codes]
        else:
            current = data.result(d.pk, data.current)
            values = [(current.indicators or {}).get(c, {}).get("score") if current else None for c in codes]
        rows.append(d.code)
        series.append(Series(d.code, values))
    chart = Chart(
        "heatmap",
        _("Indicator scores (0–100)"),
        "heatmap",
        codes,
        series,
        rows=rows,
        category_label=_("Dealer"),
        decimals=0,
        empty_message=_("No dealer has a score."),
    )
    section.charts.append(chart)
    headers, table_rows = chart.table()
    section.tables.append(
        Table(
            "heatmap",
            _("Indicator scores (0–100)"),
            [Column(headers[0])] + [Column(h, "num") for h in headers[1:]],
            table_rows,
            note=_("One fixed colour scale for every month: 0 red, 100 green."),
        )
    )
    scores = [
        s
        for _d, s in (
            (
                d,
                _year_mean(data, d.pk)
                if data.spec.is_year
                else getattr(data.result(d.pk, data.current), "score", None),
            )
            for d in data.dealers
        )
        if s is not None
    ]
    histogram = Chart.histogram(
        "distribution",
        _("Distribution of the dealers' scores"),
        scores,
        edges=HISTOGRAM_EDGES,
        name=_("Dealers"),
        category_label=_("Score"),
        empty_message=_("No dealer has a score."),
    )
    section.charts.append(histogram)
    headers, hist_rows = histogram.table()
    section.tables.append(
        Table(
            "distribution",
            _("Distribution of the dealers' scores"),
            [Column(headers[0]), Column(headers[1] if len(headers) > 1 else _("Dealers"), "int")],
            hist_rows,
        )
    )
    return section


def _period_bounds(data: Gathered) -> tuple[datetime, datetime]:
    months = data.months
    return months[0].start, months[-1].end


def _as_of(data: Gathered) -> datetime | None:
    run = data.current_run
    return run.as_of if run is not None else None


def _complaints_section(data: Gathered) -> Section:
    section = Section("complaints", _("Complaints"))
    ids = [d.pk for d in data.dealers]
    start, end = _period_bounds(data)
    as_of = _as_of(data)
    received = complaint_kpis.received(ids, start, end, as_of)
    rows = (
        received.order_by()
        .values("category")
        .annotate(count=Count("pk"), resolved=Count("pk", filter=complaint_kpis.resolved_by(as_of)))
        .order_by("-count", "category")
    )
    labels = dict(Category.choices)
    table_rows = [
        [str(labels.get(r["category"], r["category"])), r["count"], r["resolved"], r["count"] - r["resolved"]]
        for r in rows
    ]
    total = sum(r[1] for r in table_rows)
    if table_rows:
        table_rows.append([_("Total"), total, sum(r[2] for r in table_rows), sum(r[3] for r in table_rows)])
    section.tables.append(
        Table(
            "complaint-categories",
            _("Complaints by category"),
            [
                Column(_("Category"), width=20),
                Column(pgettext("complaint", "Received"), "int"),
                Column(pgettext("complaint", "Resolved"), "int"),
                Column(_("Not resolved"), "int"),
            ],
            table_rows,
            empty=_("No complaint received in this period."),
        )
    )
    handling = complaint_kpis.handling(ids, start, end, as_of)
    rate = complaint_kpis.complaint_rate(ids, start, end, as_of)
    infos = {info.code: info for info in data.indicators}
    sla_rows = []
    for indicator, figures in (
        (complaint_kpis.A2, handling["A2"]),
        (complaint_kpis.D6, handling["D6"]),
        (complaint_kpis.B5, handling["B5"]),
        (complaint_kpis.E3, rate),
    ):
        figure = combined(figures.values(), RATIO)
        info = infos.get(indicator.code)
        sla_rows.append(
            [
                indicator.code,
                str(indicator.label),
                figure.value,
                figure.n,
                info.target if info else None,
                info.floor if info else None,
            ]
        )
    note = _("Complaints received in the period, judged as of %(moment)s (the evaluation moment of the run).") % {
        "moment": timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "—"
    }
    section.tables.append(
        Table(
            "complaint-sla",
            _("Complaint handling against the deadlines (SLA)"),
            [
                Column(_("Code"), width=6),
                Column(_("Indicator"), width=26),
                Column(_("Rate"), "pct"),
                Column("n", "int"),
                Column(pgettext("indicator", "Target"), "pct"),
                Column(_("Floor"), "pct"),
            ],
            sla_rows,
            note=note,
        )
    )
    return section


def _surveys_section(data: Gathered) -> Section:
    section = Section("surveys", _("Customer surveys"))
    ids = [d.pk for d in data.dealers]
    start, end = _period_bounds(data)
    results = survey_selectors.dealer_results(ids, start, end)
    total = survey_selectors.totals(results)
    section.facts += [
        Fact(_("Visits delivered"), total["delivered"], "int"),
        Fact(_("Visits answered"), total["answered"], "int"),
        Fact(_("Response rate"), total["response_rate"], "pct"),
        Fact(_("Responses"), total["responses"], "int"),
        Fact(_("CSI (0–100)"), total["csi"], "num"),
        Fact(_("CSI (0–1000)"), total["csi_1000"], "int"),
        Fact(_("NPS"), total["nps"], "num"),
        Fact(
            _("Promoters / passives / detractors"),
            "{} / {} / {}".format(total["promoters"], total["passives"], total["detractors"]),
        ),
        Fact(_("Low-score responses"), total["low"], "int"),
    ]
    labels = dict(SurveyDimension.choices)
    dimension_rows = [
        [str(labels.get(code, code)), figure["mean"], figure["n"]]
        for code, figure in sorted(total["dimensions"].items())
    ]
    section.tables.append(
        Table(
            "survey-dimensions",
            _("Satisfaction by aspect"),
            [
                Column(_("Aspect"), width=24),
                Column(_("Mean (0–100)"), "num"),
                Column(pgettext("survey", "Answers"), "int"),
            ],
            dimension_rows,
            empty=_("No survey answers in this period."),
        )
    )
    if data.is_region:
        rows = []
        for d in data.dealers:
            r = results.get(d.pk) or {}
            rows.append(
                [
                    f"{d.code} {d.name}",
                    r.get("delivered", 0),
                    r.get("response_rate"),
                    r.get("responses", 0),
                    r.get("csi"),
                    r.get("nps"),
                ]
            )
        section.tables.append(
            Table(
                "survey-dealers",
                _("Surveys by dealer"),
                [
                    Column(_("Dealer"), width=24),
                    Column(_("Visits delivered"), "int"),
                    Column(_("Response rate"), "pct"),
                    Column(_("Responses"), "int"),
                    Column(_("CSI (0–100)"), "num"),
                    Column(_("NPS"), "num"),
                ],
                rows,
            )
        )
    section.notes.append(
        _(
            "Responses answered in the period; the response rate is the share of the period's "
            "delivered visits with an answer."
        )
    )
    return section


def _alerts_section(data: Gathered) -> Section:
    section = Section("alerts", _("Quality alerts and improvement actions"))
    runs = data.period_runs
    ids = [d.pk for d in data.dealers]
    alerts = list(
        alert_selectors.with_list_relations(
            QualityAlert.objects.filter(Q(run__in=runs) | Q(reasons__run__in=runs), dealer_id__in=ids).distinct()
        ).order_by("dealer__code", "kind", "indicator_code", "id")
    )
    names = {info.code: info.name for info in data.indicators}
    rows = []
    for alert in alerts:
        action = alert.current_action
        rows.append(
            [
                alert.dealer.code,
                f"{alert.indicator_code} {names.get(alert.indicator_code, '')}".strip()
                if alert.indicator_code
                else alert.get_kind_display(),
                alert.raised_at,
                alert.get_status_display(),
                alert.message,
                str(action.owner) if action else "—",
                action.due_date if action else None,
                action.get_status_display() if action else _("No action"),
            ]
        )
    section.tables.append(
        Table(
            "alerts",
            _("Quality alerts"),
            [
                Column(_("Dealer")),
                Column(_("Alert"), width=22),
                Column(pgettext("alert", "Raised at"), "datetime"),
                Column(_("Status")),
                Column(_("Why"), width=40),
                Column(pgettext("improvement action", "Owner")),
                Column(_("Due date"), "date"),
                Column(pgettext("improvement action", "Action")),
            ],
            rows,
            empty=_("No quality alert in this period."),
        )
    )
    actions = (
        ImprovementAction.objects.filter(
            Q(alert__in=[a.pk for a in alerts]) | Q(checked_run__in=runs), dealer_id__in=ids
        )
        .select_related("dealer", "owner", "alert", "checked_run")
        .order_by("dealer__code", "due_date", "id")
        .distinct()
    )
    effective_labels = {ActionStatus.EFFECTIVE: _("effective"), ActionStatus.NOT_EFFECTIVE: _("not effective")}
    action_rows = []
    for action in actions:
        code = action.alert.indicator_code
        action_rows.append(
            [
                action.dealer.code,
                f"{code} {names.get(code, '')}".strip() if code else action.alert.get_kind_display(),
                str(action.owner),
                action.due_date,
                action.get_status_display(),
                effective_labels.get(action.status, _("not checked yet")),
                _value_cell(action.checked_value, next((i.unit for i in data.indicators if i.code == code), "")),
                action.check_result or "—",
            ]
        )
    section.tables.append(
        Table(
            "actions",
            _("Improvement actions"),
            [
                Column(_("Dealer")),
                Column(_("Alert"), width=22),
                Column(pgettext("improvement action", "Owner")),
                Column(_("Due date"), "date"),
                Column(_("Status")),
                Column(_("Effectiveness")),
                Column(_("Value at the check"), "num"),
                Column(_("Check result"), width=30),
            ],
            action_rows,
            empty=_("No improvement action on these alerts."),
        )
    )
    counts = Counter(a.status for a in actions)
    if action_rows:
        section.notes.append(
            _("%(effective)d of %(checked)d checked actions were effective.")
            % {
                "effective": counts[ActionStatus.EFFECTIVE],
                "checked": counts[ActionStatus.EFFECTIVE] + counts[ActionStatus.NOT_EFFECTIVE],
            }
        )
    return section


def _method_section(data: Gathered) -> Section:
    section = Section("method", _("Method and weights"))
    run = data.current_run
    if run is None:
        return section
    options, weights, version = run.options or {}, run.weights or {}, run.system_version
    modes = dict(WeightingMode.choices)
    methods = dict(AhpMethod.choices)
    mode = options.get("weighting_mode", version.weighting_mode)
    entropy_months = options.get("entropy_months") or []
    section.facts += [
        Fact(_("Evaluation run"), _run_text(run)),
        Fact(_("Weighting"), str(modes.get(mode, mode))),
        Fact(_("α (share of the AHP weights)"), options.get("alpha", float(version.alpha)), "num2"),
        Fact(_("AHP method"), str(methods.get(version.ahp_method, version.ahp_method))),
        Fact(_("Consistency ratio of the hierarchy (CR)"), weights.get("hierarchy_cr"), "num2"),
        Fact(_("Entropy window (months)"), options.get("entropy_window_months"), "int"),
        Fact(_("Entropy months used"), " – ".join(entropy_months) if entropy_months else "—"),
        Fact(_("Entropy rows (dealer-months)"), options.get("entropy_rows"), "int"),
        Fact(_("Entropy weights used"), _("yes") if options.get("entropy_used") else _("no")),
        Fact(_("Minimum dealers for entropy"), options.get("entropy_min_dealers"), "int"),
        Fact(_("Minimum records per figure"), options.get("min_sample"), "int"),
        Fact(_("Weight a rank needs"), options.get("rank_min_weight"), "pct"),
        Fact(_("Grace period (days)"), options.get("grace_days"), "int"),
        Fact(_("Evaluated as of"), run.as_of, "datetime"),
    ]
    matrices = (
        PairwiseMatrix.objects.filter(system_version=version)
        .select_related("dimension")
        .order_by("dimension__position", "dimension__code")
    )
    matrix_rows = []
    for matrix in matrices:
        name = f"{matrix.dimension.code} {matrix.dimension.name}" if matrix.dimension_id else _("Dimensions")
        matrix_rows.append(
            [
                name,
                ", ".join(matrix.elements),
                len(matrix.elements),
                matrix.lambda_max,
                matrix.ci,
                matrix.cr,
                _("yes") if matrix.cr < 0.1 else _("no"),
            ]
        )
    section.tables.append(
        Table(
            "matrices",
            _("AHP pairwise comparison matrices"),
            [
                Column(_("Matrix"), width=22),
                Column(_("Elements"), width=24),
                Column(_("Size"), "int"),
                Column("λmax", "num2"),
                Column("CI", "num2"),
                Column("CR", "num2"),
                Column(_("Consistent (CR < 0.10)")),
            ],
            matrix_rows,
        )
    )
    names = {info.code: info.name for info in data.indicators}
    ahp, entropy, final = weights.get("ahp") or {}, weights.get("entropy") or {}, weights.get("global") or {}

    def pct(value):
        return None if value is None else Rate.of_fraction(value).percent

    weight_rows = [
        [code, names.get(code, code), pct(ahp.get(code)), pct(entropy.get(code)), pct(final.get(code))]
        for code in final
    ]
    section.tables.append(
        Table(
            "weights",
            _("Indicator weights"),
            [
                Column(_("Code"), width=6),
                Column(_("Indicator"), width=24),
                Column(_("AHP"), "pct"),
                Column(_("Entropy"), "pct"),
                Column(_("Used"), "pct"),
            ],
            weight_rows,
        )
    )
    visible = {d.pk for d in data.dealers}
    coded = {code: f"{code} {name}" for code, name in names.items()}
    for note in notes.rendered(run.notes, coded, visible):
        section.notes.append(note["text"])
    return section


def build(spec: ReportSpec, *, progress=None) -> ReportContent:
    """The report's sections from the published runs (in the active language); ``progress(percent)`` is told
    how far it got."""
    data = gather(spec)
    if data.current is None or data.current_run is None:
        raise ValueError(selectors.nothing_published_reason(spec) or "nothing published")
    tell = progress or (lambda percent: None)
    tell(20)
    headline, cover = _cover(data)
    sections = [cover, _indicator_section(data), _charts_section(data), _waterfall_section(data)]
    tell(35)
    if data.is_region:
        sections += [_ranking_section(data), _heatmap_section(data)]
    sections += [_complaints_section(data), _surveys_section(data)]
    tell(45)
    sections += [_alerts_section(data), _method_section(data)]
    tell(50)
    if spec.dealer is not None:
        scope_line = f"{spec.dealer.code} {spec.dealer.name}"
    else:
        scope_line = f"{spec.region.name} ({spec.region.code})"
    title = _("Yearly service quality report") if spec.is_year else _("Monthly service quality report")
    return ReportContent(
        title=str(title),
        scope_line=scope_line,
        period_line=spec.label,
        headline=headline,
        sections=sections,
        run_ids=[run.pk for run in data.period_runs],
        missing_months=[str(m) for m in data.missing_months],
        generated_at=timezone.now(),
        language="",
    )
