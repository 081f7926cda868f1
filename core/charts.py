"""The chart kit: a chart is described once, from SQL aggregates, and shown three ways.

A ``Chart`` holds what a page wants to draw — its kind, the category labels (x axis, radar axes, heat-map columns),
the series of values with an optional link per point (the records behind it), the count ``n`` under each point, a
unit, and what to say when there is nothing to draw.  From it come:

* ``chart.echarts()``: the Apache ECharts option (plain JSON, built here on the server; the browser never receives
  raw rows).  ``{% load charts %}{% chart c %}`` renders it with ``static/js/charts.js``, which loads the vendored
  ``static/vendor/echarts.min.js`` once per page, follows a point's link on click and redraws on resize and htmx
  swaps;
* ``chart.table()``: the table behind the chart (headers, rows), shown one click away under the chart and downloaded
  as Excel with ``?download=<key>`` (``download_response``, called at the top of the view);
* ``core.charts_svg.render_svg(chart)`` for the PDF reports (server-side SVG).

Kinds: ``line`` (trends; a series with ``style="limit"`` is drawn as a dashed control limit, ``marks`` flag points
outside them), ``bar`` (rankings; ``horizontal=True`` for long labels), ``radar`` (dimension scores, 0–100),
``waterfall`` (a start total, signed contributions, an end total), ``heatmap`` (``rows`` × ``categories`` on one fixed
0–100 colour scale, the same every month) and ``histogram`` (``Chart.histogram`` counts values into bins).
Labels come from the caller in the reader's language (gettext), so the chart is Chinese in the Chinese UI.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KINDS = ("line", "bar", "radar", "waterfall", "heatmap", "histogram")
PALETTE = ("#1f6feb", "#8250df", "#bf8700", "#1a7f37", "#cf222e", "#0a7ea4", "#6e7781", "#d4a72c")
UP, DOWN, TOTAL, LIMIT, MARK = "#1a7f37", "#cf222e", "#57606a", "#8c959f", "#cf222e"
HEAT_SCALE = ("#cf222e", "#fb8f44", "#eac54f", "#7bc96f", "#1a7f37")  # 0 → 100, fixed for every month


@dataclass
class Series:
    """One series: a value per category (None: no data, a gap), optionally a link and a mark per point."""

    name: str
    values: Sequence[float | None]
    links: Sequence[str | None] | None = None
    marks: Sequence[bool] | None = None  # points to flag (e.g. outside the control limits)
    style: str = ""  # "limit": a dashed control limit without points; "bar": bars in a line chart


@dataclass
class Chart:
    key: str  # the element id and the ?download= key: unique on the page, letters, digits, - and _
    title: str
    kind: str
    categories: Sequence[str]
    series: Sequence[Series] = field(default_factory=list)
    unit: str = ""
    counts: Sequence[int | None] | None = None  # the n of each category, shown under its label and in the table
    rows: Sequence[str] | None = None  # heatmap: row labels; series[i] holds row i
    start: tuple[str, float] | None = None  # waterfall: the total before the contributions
    end: tuple[str, float] | None = None  # waterfall: the total after them
    y_min: float | None = None
    y_max: float | None = None
    horizontal: bool = False
    decimals: int = 1
    height: int = 320
    category_label: str = ""  # the header of the category column in the table
    empty_message: str = ""
    empty_action: tuple[str, str] | None = None  # (label, url) of what to do about it, for those allowed

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}")

    # --- shared ------------------------------------------------------------------------------------------------

    @property
    def is_empty(self) -> bool:
        return not any(v is not None for s in self.series for v in s.values)

    def _round(self, value: float | None) -> float | None:
        return None if value is None else round(float(value), self.decimals)

    def label_of(self, index: int) -> str:
        """A category's label with its n under it (trend charts)."""
        label = str(self.categories[index])
        if self.counts is not None and index < len(self.counts):
            n = self.counts[index]
            return f"{label}\nn={n if n is not None else 0}"
        return label

    @classmethod
    def histogram(cls, key: str, title: str, values: Iterable[float | None], *, edges: Sequence[float],
                  name: str, **kwargs) -> Chart:  # fmt: skip
        """Counts of ``values`` in the bins [edges[i], edges[i+1]) (the last bin includes its upper edge)."""
        present = [float(v) for v in values if v is not None]
        counts = [0] * (len(edges) - 1)
        for value in present:
            for i in range(len(edges) - 1):
                last = i == len(edges) - 2
                if edges[i] <= value < edges[i + 1] or (last and value == edges[i + 1]):
                    counts[i] += 1
                    break
        labels = [f"{edges[i]:g}–{edges[i + 1]:g}" for i in range(len(edges) - 1)]
        chart = cls(key, title, "histogram", labels, [Series(name, counts)], decimals=0, **kwargs)
        return chart if present else cls(key, title, "histogram", labels, [], decimals=0, **kwargs)

    def waterfall_steps(self) -> list[tuple[float, float, float]]:
        """(level before, level after, contribution) of every contribution, from the start total."""
        level = self.start[1] if self.start else 0.0
        steps = []
        for value in self.series[0].values if self.series else []:
            delta = float(value or 0.0)
            steps.append((level, level + delta, delta))
            level += delta
        return steps

    # --- the table behind the chart ----------------------------------------------------------------------------

    def table(self) -> tuple[list[str], list[list]]:
        if self.kind == "heatmap":
            headers = [self.category_label or "", *map(str, self.categories)]
            return headers, [[row, *map(self._round, s.values)] for row, s in zip(self.rows or [], self.series,
                                                                                  strict=False)]  # fmt: skip
        headers = [self.category_label or "", *[s.name for s in self.series]]
        if self.counts is not None:
            headers.append("n")
        rows = []
        if self.kind == "waterfall" and self.start:
            rows.append([self.start[0], self._round(self.start[1])])
        for i, category in enumerate(self.categories):
            row = [str(category), *[self._round(s.values[i]) if i < len(s.values) else None for s in self.series]]
            if self.counts is not None:
                row.append(self.counts[i] if i < len(self.counts) else None)
            rows.append(row)
        if self.kind == "waterfall" and self.end:
            rows.append([self.end[0], self._round(self.end[1])])
        return headers, rows

    # --- ECharts ----------------------------------------------------------------------------------------------

    def _item(self, value, *, link=None, label=None, colour=None, mark=False) -> dict:
        item: dict = {"value": value}
        if link:
            item["url"] = link
        if label:
            item["label_text"] = label
        if colour or mark:
            item["itemStyle"] = {"color": colour or MARK}
        if mark:
            item["symbolSize"] = 12
        return item

    def _base(self) -> dict:
        option: dict = {
            "color": list(PALETTE),
            "animation": False,
            "textStyle": {"fontFamily": "inherit"},
            "tooltip": {"trigger": "axis" if self.kind in ("line", "bar", "histogram") else "item", "confine": True},
            "grid": {"left": 8, "right": 16, "top": 40 if len(self.series) > 1 else 16, "bottom": 8,
                     "containLabel": True},
        }  # fmt: skip
        if len(self.series) > 1 and self.kind not in ("heatmap", "waterfall"):
            option["legend"] = {"top": 0, "type": "scroll"}
        return option

    def _value_axis(self) -> dict:
        axis: dict = {"type": "value", "scale": self.y_min is None}
        if self.y_min is not None:
            axis["min"] = self.y_min
        if self.y_max is not None:
            axis["max"] = self.y_max
        if self.unit:
            axis["name"] = self.unit
        return axis

    def echarts(self) -> dict:
        return getattr(self, f"_echarts_{self.kind}")()

    def _echarts_line(self) -> dict:
        option = self._base()
        option["xAxis"] = {"type": "category", "data": [self.label_of(i) for i in range(len(self.categories))],
                           "boundaryGap": any(s.style == "bar" for s in self.series)}  # fmt: skip
        option["yAxis"] = self._value_axis()
        out = []
        for s in self.series:
            data = [
                self._item(self._round(v), link=(s.links or [None] * len(s.values))[i],
                           mark=bool(s.marks and i < len(s.marks) and s.marks[i]))
                for i, v in enumerate(s.values)
            ]  # fmt: skip
            entry: dict = {"name": s.name, "type": "bar" if s.style == "bar" else "line", "data": data,
                           "connectNulls": False}  # fmt: skip
            if s.style == "limit":
                entry.update(symbol="none", step="middle", lineStyle={"type": "dashed", "width": 1, "color": LIMIT},
                             itemStyle={"color": LIMIT}, tooltip={"show": True}, z=1)  # fmt: skip
            else:
                entry.update(symbolSize=7)
            out.append(entry)
        option["series"] = out
        return option

    def _echarts_bar(self) -> dict:
        option = self._base()
        categories = {"type": "category", "data": [self.label_of(i) for i in range(len(self.categories))]}
        if self.horizontal:
            categories["inverse"] = True
        value_axis = self._value_axis()
        if self.kind == "histogram" or self.decimals == 0:
            value_axis["minInterval"] = 1  # counts (of dealers, of cars)
        option["xAxis"], option["yAxis"] = (value_axis, categories) if self.horizontal else (categories, value_axis)
        option["series"] = [
            {"name": s.name, "type": "bar", "data": [
                self._item(self._round(v), link=(s.links or [None] * len(s.values))[i],
                           mark=bool(s.marks and i < len(s.marks) and s.marks[i]))
                for i, v in enumerate(s.values)]}
            for s in self.series
        ]  # fmt: skip
        return option

    _echarts_histogram = _echarts_bar

    def _echarts_radar(self) -> dict:
        option = self._base()
        option["radar"] = {"indicator": [{"name": str(c), "max": self.y_max or 100, "min": self.y_min or 0}
                                         for c in self.categories], "radius": "65%"}  # fmt: skip
        option["series"] = [{
            "type": "radar",
            "data": [{"name": s.name, "value": [self._round(v) for v in s.values],
                      "areaStyle": {"opacity": 0.15 if i == 0 else 0.05}} for i, s in enumerate(self.series)],
        }]  # fmt: skip
        return option

    def _echarts_waterfall(self) -> dict:
        option = self._base()
        steps = self.waterfall_steps()
        links = list(self.series[0].links or []) if self.series else []
        labels, base, bars = [], [], []
        if self.start:
            labels.append(self.start[0])
            base.append(0)
            bars.append(self._item(self._round(self.start[1]), colour=TOTAL,
                                   label=f"{self.start[0]}: {self.start[1]:.{self.decimals}f}"))  # fmt: skip
        for i, (before, after, delta) in enumerate(steps):
            labels.append(str(self.categories[i]))
            base.append(self._round(min(before, after)))
            bars.append(self._item(
                self._round(abs(delta)), colour=UP if delta >= 0 else DOWN, link=links[i] if i < len(links) else None,
                label=f"{self.categories[i]}: {delta:+.{max(2, self.decimals)}f}",
            ))  # fmt: skip
        if self.end:
            labels.append(self.end[0])
            base.append(0)
            bars.append(self._item(self._round(self.end[1]), colour=TOTAL,
                                   label=f"{self.end[0]}: {self.end[1]:.{self.decimals}f}"))  # fmt: skip
        levels = [level for step in steps for level in step[:2]] + [t[1] for t in (self.start, self.end) if t]
        low = self.y_min if self.y_min is not None else (math.floor(min(levels) - 1) if levels else 0)
        option["xAxis"] = {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 30}}
        option["yAxis"] = {**self._value_axis(), "min": max(0, low), "scale": False}
        option["series"] = [
            {"type": "bar", "stack": "waterfall", "data": base, "silent": True, "tooltip": {"show": False},
             "itemStyle": {"color": "transparent"}, "emphasis": {"disabled": True}},
            {"type": "bar", "stack": "waterfall", "name": self.series[0].name if self.series else "", "data": bars},
        ]  # fmt: skip
        return option

    def _echarts_heatmap(self) -> dict:
        option = self._base()
        rows = list(self.rows or [])
        data = []
        for y, s in enumerate(self.series):
            for x, value in enumerate(s.values):
                link = (s.links or [None] * len(s.values))[x]
                item = self._item([x, y, self._round(value) if value is not None else "-"], link=link,
                                  label=f"{rows[y] if y < len(rows) else ''} · {self.categories[x]}: "
                                        f"{'—' if value is None else f'{value:.{self.decimals}f}'}")  # fmt: skip
                data.append(item)
        option["grid"] = {"left": 8, "right": 8, "top": 8, "bottom": 56, "containLabel": True}
        option["xAxis"] = {"type": "category", "data": list(map(str, self.categories)), "splitArea": {"show": True},
                           "axisLabel": {"interval": 0}, "position": "top"}  # fmt: skip
        option["yAxis"] = {"type": "category", "data": rows, "inverse": True, "splitArea": {"show": True}}
        option["visualMap"] = {"min": 0, "max": 100, "calculable": False, "orient": "horizontal", "left": "center",
                               "bottom": 0, "inRange": {"color": list(HEAT_SCALE)}}  # fmt: skip
        option["series"] = [{"type": "heatmap", "data": data, "label": {"show": True},
                             "emphasis": {"itemStyle": {"borderColor": "#000", "borderWidth": 1}}}]  # fmt: skip
        return option


def download_response(request, charts: Iterable[Chart]):
    """The Excel file of the chart named by ``?download=<key>`` (its table), or None to render the page."""
    from core.exports import xlsx_response

    wanted = request.GET.get("download")
    if not wanted:
        return None
    for chart in charts:
        if chart.key == wanted:
            headers, rows = chart.table()
            return xlsx_response(filename=f"{chart.key}.xlsx", sheet_title=chart.title or chart.key, header=headers,
                                 rows=rows)  # fmt: skip
    return None
