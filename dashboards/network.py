"""The region / car-maker view (区域 / 厂家看板): every dealer of the user's regions in one month, side by side.

For region managers (their regions' dealers; the OEM's login holds every region) and administrators. For a month
(by default the last one with a result the user sees) and the filters region and brand (only the user's own):

* **the ranking**: score, grade, stars, rank, TOPSIS rank and the change against the month before with its arrow,
  from the stored result that counts per dealer and month (``results_by_month``: one query for every dealer and
  both months). A result with a ``rank_note`` has no rank and says why (``rank_reason``: too little of its weight
  stands on enough records); a dealer without a result says so;
* **dealers first whose alerts wait for an improvement action** past the escalation period (7 days by default: the
  one rule ``evaluation.selectors.alerts.waiting_for_action``, which escalates them too), with the count and the
  oldest one's age, linked to the alert list filtered on them;
* **each dealer's standing among its peers**: its region, and each of its brands (``percentile_rank``,
  ``peer_median``). The peers are the dealers the user sees with a score that month, whatever the filters, so a
  dealer's standing does not change with what the page shows;
* **the heat map** dealers × indicators of the 0–100 indicator scores on the chart kit's one fixed colour scale, each
  cell opening that indicator's records of the dealer and month; **the distribution** of the scores;
* **two dealers side by side** (``?compare=A&compare=B``): their dimension radars and indicator tables;
* **exports**: the ranking as Excel (``?export=xlsx``), every chart's table (``?download=<key>``), within the scope.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django import forms
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from core.charts import Chart, Series, download_response
from core.dates import Month
from core.exports import xlsx_response
from core.forms import IsoMonthInput
from core.mixins import DealerScopedObjectMixin
from evaluation.charts import coded, month_drilldown, radar_chart
from evaluation.models import RUN_ADD, DealerEvaluation, Indicator
from evaluation.selectors.alerts import waiting_by_dealer
from evaluation.selectors.results import results_by_month, visible_results
from evaluation.selectors.systems import element_names
from organization.models import Brand, Dealer, Region

#: The bins of the score distribution: below 60, then every 10 points (the last includes 100).
HISTOGRAM_EDGES = (0, 60, 70, 80, 90, 100)
#: A change is shown (and its arrow chosen) to one decimal: +0.04 is "no change", not a rise.
CHANGE_DECIMALS = 1
ARROWS = {"up": "▲", "down": "▼", "same": "＝"}
MAX_COMPARED = 2


# --- the rules ---------------------------------------------------------------------------------------------------


def percentile_rank(score: float, peer_scores: Sequence[float]) -> float:
    """The dealer's percentile among its peers, 0–100: the share of the peers with a lower score plus half the share
    with the same score, the dealer itself among the peers and its ties (the mid-rank rule).  Alone it is at 50; the
    best of four different scores at 87.5, the worst at 12.5; four equal scores are all at 50."""
    if not peer_scores:
        raise ValueError("a percentile needs the dealer among its peers")
    lower = sum(1 for s in peer_scores if s < score)
    same = sum(1 for s in peer_scores if s == score)
    return 100.0 * (lower + 0.5 * same) / len(peer_scores)


def peer_median(peer_scores: Sequence[float]) -> float:
    """The median of the peers' scores (the dealer among them; an even count: the mean of the middle two)."""
    return float(statistics.median(peer_scores))


def change_direction(change: float | None) -> str:
    """ "up", "down" or "same" for a change of score as shown (one decimal); "" without one."""
    if change is None:
        return ""
    shown = round(change, CHANGE_DECIMALS)
    return "up" if shown > 0 else "down" if shown < 0 else "same"


# --- what the page shows -----------------------------------------------------------------------------------------


@dataclass
class PeerStanding:
    """A dealer's place in one peer group (its region, or one of its brands)."""

    label: str
    size: int
    percentile: float
    median: float
    gap: float  # the dealer's score minus the peers' median


@dataclass
class DealerRow:
    """One dealer of the month: its result and the month before's, its waiting alerts, its standing."""

    dealer: Dealer
    result: DealerEvaluation | None
    previous: DealerEvaluation | None
    waiting: int = 0
    oldest_days: int | None = None
    alerts_url: str = ""
    region_standing: PeerStanding | None = None
    brand_standings: list[PeerStanding] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        return self.result.score if self.result is not None else None

    @property
    def change(self) -> float | None:
        if self.score is None or self.previous is None or self.previous.score is None:
            return None
        return self.score - self.previous.score

    @property
    def direction(self) -> str:
        return change_direction(self.change)

    @property
    def arrow(self) -> str:
        return ARROWS.get(self.direction, "")

    @property
    def ranked(self) -> bool:
        return self.score is not None and self.result.rank is not None and not self.result.rank_note

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost since the month before; None unless ranked in both months."""
        if not self.ranked or self.previous is None or self.previous.rank is None or self.previous.rank_note:
            return None
        return self.previous.rank - self.result.rank

    @property
    def rank_lost(self) -> int:
        """Places lost since the month before (0 unless it lost some)."""
        return max(0, -(self.rank_change or 0))

    @property
    def brands(self) -> list[Brand]:
        return list(self.dealer.brands.all())


@dataclass
class Network:
    """The month's rows the filters keep (in list order) and every row of the user's dealers (for the comparison)."""

    month: Month
    rows: list[DealerRow]
    by_dealer: dict[int, DealerRow]
    codes: list[str]  # the indicators of the results' system version(s), in the system's order
    names: dict[str, str]  # {indicator code: name}
    units: dict[str, str]
    dimension_names: dict[str, str]

    @property
    def scored(self) -> list[DealerRow]:
        """The rows with a score, best first (the heat map's order)."""
        return sorted((r for r in self.rows if r.score is not None), key=lambda r: (-r.score, r.dealer.code))

    @property
    def has_results(self) -> bool:
        return any(r.result is not None for r in self.rows)


def last_result_month(user, dealer_ids) -> Month | None:
    """The last month with a result of these dealers that the user sees (None: none yet)."""
    last = visible_results(user).filter(dealer_id__in=list(dealer_ids)).aggregate(last=Max("run__period_start"))
    return Month.of(last["last"]) if last["last"] else None


def _list_order(row: DealerRow) -> tuple:
    """Waiting alerts first; then ranked by score, then scored without a rank, then without a result."""
    standing = 0 if row.ranked else 1 if row.score is not None else 2
    return (0 if row.waiting else 1, standing, -(row.score or 0.0), row.dealer.code)


def _standings(rows: list[DealerRow]) -> None:
    """Each scored row's standing in its region and in each of its brands, among all the rows with a score."""
    scored = [r for r in rows if r.score is not None]
    regions: dict[int, list[float]] = {}
    brands: dict[int, list[float]] = {}
    for row in scored:
        regions.setdefault(row.dealer.region_id, []).append(row.score)
        for brand in row.brands:
            brands.setdefault(brand.pk, []).append(row.score)

    def standing(label: str, peers: list[float], score: float) -> PeerStanding:
        median = peer_median(peers)
        return PeerStanding(label, len(peers), percentile_rank(score, peers), median, score - median)

    for row in scored:
        row.region_standing = standing(row.dealer.region.name, regions[row.dealer.region_id], row.score)
        row.brand_standings = [standing(b.name, brands[b.pk], row.score) for b in row.brands]


def _indicators(version_ids) -> tuple[list[str], dict[str, str], dict[str, str], dict[str, str]]:
    """(codes in the system's order, {code: name}, {code: unit}, {dimension code: name}) of the versions."""
    codes: list[str] = []
    names: dict[str, str] = {}
    dimensions: dict[str, str] = {}
    for version_id in sorted(version_ids):
        elements = element_names(version_id)
        dimensions.update(elements["dimensions"])
        for code, name in elements["indicators"].items():
            names.setdefault(code, name)
            if code not in codes:
                codes.append(code)
    units = dict(
        Indicator.objects.filter(dimension__system_version_id__in=list(version_ids)).values_list("code", "unit")
    )
    return codes, names, units, dimensions


def network_month(*, user, month: Month, region: Region | None = None, brand: Brand | None = None,
                  now: datetime | None = None) -> Network:  # fmt: skip
    """The month of the user's dealers (active ones, and closed ones with a result), narrowed to a region and a
    brand; a fixed number of queries however many dealers."""
    now = now or timezone.now()
    dealers = list(Dealer.objects.for_user(user).select_related("region").prefetch_related("brands").order_by("code"))
    results = results_by_month(user, [d.pk for d in dealers], month.previous().first_day, month.first_day)
    rows = [
        DealerRow(d, results.get((d.pk, month.first_day)), results.get((d.pk, month.previous().first_day)))
        for d in dealers
        if d.is_active or (d.pk, month.first_day) in results
    ]
    _standings(rows)
    shown = [
        r for r in rows
        if (region is None or r.dealer.region_id == region.pk) and (brand is None or brand in r.brands)
    ]  # fmt: skip
    waiting = waiting_by_dealer(user=user, dealer_ids=[r.dealer.pk for r in shown], now=now)
    alert_list = reverse("evaluation:alert_list")
    for row in shown:
        if row.dealer.pk in waiting:
            row.waiting, oldest = waiting[row.dealer.pk]
            row.oldest_days = (now - oldest).days
            row.alerts_url = f"{alert_list}?{urlencode({'dealer': row.dealer.pk, 'action': 'late'})}"
    shown.sort(key=_list_order)
    versions = {r.result.run.system_version_id for r in shown if r.result is not None}
    codes, names, units, dimensions = _indicators(versions) if versions else ([], {}, {}, {})
    return Network(month, shown, {r.dealer.pk: r for r in rows}, codes, names, units, dimensions)


# --- charts ------------------------------------------------------------------------------------------------------


def _no_result(network: Network, user) -> dict:
    """What an empty chart says when the month has no result, with the button for those who start runs."""
    empty = {"empty_message": _("No evaluation result for %(month)s yet.") % {"month": network.month}}
    if user.has_perm(RUN_ADD):
        empty["empty_action"] = (_("Start an evaluation run"), reverse("evaluation:run_list"))
    return empty


def heatmap_chart(network: Network, user) -> Chart:
    """Dealers (best first) × indicators, the 0–100 indicator scores; each cell opens its records of the month."""
    rows = network.scored
    series = [
        Series(
            row.dealer.code,
            [(row.result.indicators.get(code) or {}).get("score") for code in network.codes],
            links=[month_drilldown(code, row.dealer.pk, network.month, user) for code in network.codes],
        )
        for row in rows
    ]
    return Chart(
        "heatmap", _("Indicator scores (0–100) by dealer"), "heatmap", list(network.codes), series,
        rows=[f"{row.dealer.code} {row.dealer.name}" for row in rows], y_min=0, y_max=100,
        height=max(150, 90 + 26 * len(rows)), category_label=_("Dealer"), **_no_result(network, user),
    )  # fmt: skip


def distribution_chart(network: Network, user) -> Chart:
    """How many of the dealers shown scored below 60, 60–70, … 90–100."""
    return Chart.histogram(
        "distribution", _("Distribution of scores"), [r.score for r in network.rows], edges=HISTOGRAM_EDGES,
        name=_("Dealers"), category_label=_("Score"), height=260, **_no_result(network, user),
    )  # fmt: skip


# --- two dealers side by side ------------------------------------------------------------------------------------


@dataclass
class Compared:
    row: DealerRow
    radar: Chart


@dataclass
class IndicatorCell:
    value: float | None
    n: int | None
    score: float | None
    change: float | None
    link: str | None

    @property
    def direction(self) -> str:
        return change_direction(self.change)

    @property
    def arrow(self) -> str:
        return ARROWS.get(self.direction, "")


def comparison(network: Network, dealers: Sequence[Dealer], user) -> tuple[list[Compared], list[dict]]:
    """The dealers' radars and one row per indicator with each dealer's value, n, score, change and records."""
    compared = []
    for dealer in dealers:
        row = network.by_dealer.get(dealer.pk) or DealerRow(dealer, None, None)
        radar = radar_chart(row.result, row.previous, key=f"radar-{dealer.pk}", names=network.dimension_names)
        radar.title = f"{dealer.code} {dealer.name} · {radar.title}"
        compared.append(Compared(row, radar))
    table = []
    for code in network.codes:
        cells = []
        for item in compared:
            now = ((item.row.result.indicators if item.row.result else None) or {}).get(code) or {}
            before = ((item.row.previous.indicators if item.row.previous else None) or {}).get(code) or {}
            score, previous = now.get("score"), before.get("score")
            cells.append(IndicatorCell(
                now.get("value"), now.get("n"), score, None if score is None or previous is None else score - previous,
                month_drilldown(code, item.row.dealer.pk, network.month, user) if item.row.result else None,
            ))  # fmt: skip
        table.append({"code": code, "label": coded(code, network.names), "unit": network.units.get(code, ""),
                      "cells": cells})  # fmt: skip
    return compared, table


# --- the ranking as Excel ----------------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def ranking_rows(network: Network) -> tuple[list[str], list[list]]:
    """The ranking's sheet: a header and one row per dealer shown, in the page's order, numbers as numbers."""
    header = [
        pgettext("row number", "No."), _("Dealer code"), _("Dealer"), _("Region"), _("Brands"), _("Score"),
        _("Grade"), _("Stars"), _("Rank"), _("Why there is no rank"), _("TOPSIS rank"), _("Score of the month before"),
        pgettext("difference", "Change"),
        _("Percentile in the region"), _("Region median"), _("Gap to the region median"),
        _("Percentile in the brand"), _("Alerts without action past the escalation period"),
        _("Oldest of them (days)"),
    ]  # fmt: skip
    rows = []
    for position, row in enumerate(network.rows, start=1):
        result, region = row.result, row.region_standing
        rows.append([
            position, row.dealer.code, row.dealer.name, row.dealer.region.name, ", ".join(b.name for b in row.brands),
            _round(row.score), result.grade_label if result else None, result.stars_label if result else None,
            result.rank if row.ranked else None,
            (result.rank_reason if result.rank_note else "") if result else _("No result this month"),
            result.topsis_rank if result else None, _round(row.previous.score if row.previous else None),
            _round(row.change), _round(region.percentile) if region else None,
            _round(region.median) if region else None, _round(region.gap) if region else None,
            "; ".join(f"{b.label} {b.percentile:.1f}" for b in row.brand_standings),
            row.waiting, row.oldest_days,
        ])  # fmt: skip
    return header, rows


def ranking_export(network: Network) -> HttpResponse:
    header, rows = ranking_rows(network)
    return xlsx_response(filename=f"ranking-{network.month}.xlsx", sheet_title=_("Ranking"), header=header,
                         rows=rows)  # fmt: skip


# --- the page ----------------------------------------------------------------------------------------------------


class NetworkForm(forms.Form):
    """The view's filters: the month, a region and a brand of the user's dealers, up to two dealers to compare, and
    the export.  Another region's, brand's or dealer's id is "not one of the available choices"."""

    month = forms.DateField(
        label=gettext_lazy("Month"), input_formats=["%Y-%m"], required=False, widget=IsoMonthInput()
    )
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=gettext_lazy("Region"),
                                    empty_label=gettext_lazy("All regions"))  # fmt: skip
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), required=False, label=gettext_lazy("Brand"),
                                   empty_label=gettext_lazy("All brands"))  # fmt: skip
    compare = forms.ModelMultipleChoiceField(queryset=Dealer.objects.none(), required=False,
                                             label=gettext_lazy("Compare"))  # fmt: skip
    export = forms.ChoiceField(choices=[("xlsx", "Excel")], required=False, label=gettext_lazy("Export"))

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        mine = Dealer.objects.for_user(user)
        self.fields["region"].queryset = Region.objects.filter(pk__in=mine.values("region")).order_by("code")
        self.fields["brand"].queryset = Brand.objects.filter(dealers__in=mine).distinct().order_by("code")
        self.fields["compare"].queryset = mine.order_by("code")

    def clean_compare(self):
        dealers = list(self.cleaned_data.get("compare") or [])
        if len(dealers) > MAX_COMPARED:
            raise forms.ValidationError(_("Compare at most two dealers."))
        return dealers


class NetworkView(DealerScopedObjectMixin, View):
    """The region / car-maker view (``network_month``); a refused filter shows its message and nothing else (400)."""

    model = Dealer
    permission_required = ("organization.view_region", "evaluation.view_dealerevaluation")
    template_name = "dashboards/network.html"

    def get(self, request):
        user = request.user
        form = NetworkForm(request.GET, user=user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "refused": True}, status=400)
        chosen = form.cleaned_data["month"]
        month = Month.of(chosen) if chosen else None
        if month is None:
            month = last_result_month(user, Dealer.objects.for_user(user).values_list("pk", flat=True))
            month = month or Month.current().previous()
        network = network_month(user=user, month=month, region=form.cleaned_data["region"],
                                brand=form.cleaned_data["brand"])  # fmt: skip
        compared, compare_table = comparison(network, form.cleaned_data["compare"], user)
        charts = [heatmap_chart(network, user), distribution_chart(network, user), *[c.radar for c in compared]]
        download = download_response(request, charts)
        if download is not None:
            return download
        if form.cleaned_data["export"] == "xlsx":
            return ranking_export(network)
        query = request.GET.copy()
        query.pop("download", None)
        query["export"] = "xlsx"
        names = network.names
        return render(request, self.template_name, {
            "form": form, "network": network, "month": month, "heatmap": charts[0], "distribution": charts[1],
            "compared": compared, "compare_table": compare_table, "export_query": query.urlencode(),
            "indicator_legend": [(code, names.get(code, "")) for code in network.codes],
            "dealers": form.fields["compare"].queryset.only("id", "code", "name"),
            "compare_ids": [d.pk for d in form.cleaned_data["compare"]],
            "compare_slots": ([d.pk for d in form.cleaned_data["compare"]] + [None, None])[:MAX_COMPARED],
            "value_label": pgettext("measured value", "Value"),
        })  # fmt: skip
