"""The chart kit's charts drawn on the server as SVG, for the PDF reports (``render_svg``).

A ``core.charts.Chart`` is drawn by matplotlib (its object API only: no pyplot, no global figure state, safe in a
worker) with the same data, colours and rules the browser's ECharts option uses: the category labels with ``n``
under them (``Chart.label_of``), dashed control limits and marked points on trends, a waterfall from
``Chart.waterfall_steps`` between its start and end totals, the heat map on the one fixed 0–100 colour scale
(``HEAT_SCALE``), the empty message when there is nothing to draw.

Text is drawn in "Noto Sans CJK SC" (Debian's fonts-noto-cjk) when matplotlib finds it, else in its own DejaVu Sans
(Chinese labels then show as boxes, but nothing fails).  By default the SVG holds the text as outlines
(``svg.fonttype = "path"``), so the PDF needs no font for it; ``text_as_paths=False`` keeps ``<text>`` elements.
"""

from __future__ import annotations

import io
import math
import re
from functools import cache

from core.charts import DOWN, HEAT_SCALE, LIMIT, MARK, PALETTE, TOTAL, UP, Chart

CJK_FONT = "Noto Sans CJK SC"
FALLBACK_FONT = "DejaVu Sans"
WIDTH_INCHES = 7.0  # an A4 page's text width (180 mm) less a little
_GRID = "#d0d7de"
_TEXT = "#24292f"
NO_DATA = "#eaeef2"


@cache
def font_families() -> tuple[str, ...]:
    """The font families the charts use: the CJK font first when installed, matplotlib's own as the fallback."""
    from matplotlib import font_manager

    try:
        font_manager.findfont(font_manager.FontProperties(family=CJK_FONT), fallback_to_default=False)
    except ValueError:
        return (FALLBACK_FONT,)
    return (CJK_FONT, FALLBACK_FONT)


def _style(text_as_paths: bool) -> dict:
    return {
        "svg.fonttype": "path" if text_as_paths else "none",
        "svg.hashsalt": "qms-charts",  # the same chart gives the same SVG (stable ids)
        "font.family": list(font_families()),
        "font.size": 8,
        "axes.unicode_minus": False,
        "axes.edgecolor": _GRID,
        "axes.labelcolor": _TEXT,
        "xtick.color": _TEXT,
        "ytick.color": _TEXT,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def render_svg(chart: Chart, *, width: float = WIDTH_INCHES, title: bool = True, text_as_paths: bool = True,
               inline: bool = False) -> str:  # fmt: skip
    """The chart as one ``<svg>`` element (no XML prolog), ``width`` inches wide and as tall as ``chart.height``
    pixels at 96 dpi; ``title=False`` leaves the title to the page (a caption).  ``inline``: for a page holding
    several charts, every id is prefixed with the chart's key (matplotlib numbers its ids per figure)."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style(text_as_paths)):
        height = max(2.2, chart.height / 96)
        if chart.kind == "heatmap":
            height = max(height, 0.9 + 0.28 * len(chart.rows or []))
        if chart.kind == "bar" and chart.horizontal:
            height = max(height, 0.8 + 0.26 * len(chart.categories))
        figure = Figure(figsize=(width, height), dpi=96, layout="constrained")
        FigureCanvasSVG(figure)
        if chart.is_empty:
            _draw_empty(figure, chart)
        else:
            _DRAW[chart.kind](figure, chart)
        if title and chart.title:
            figure.suptitle(chart.title, fontsize=10, fontweight="bold", color=_TEXT)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    return _prefixed_ids(svg, f"{chart.key}-") if inline else svg


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^")]+)')


def _prefixed_ids(svg: str, prefix: str) -> str:
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def svg_data_uri(svg: str) -> str:
    """An SVG as a data: URI for an ``<img>`` (each chart its own document: no ids shared between charts)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --- the kinds ---------------------------------------------------------------------------------------------------


def _fmt(chart: Chart, value: float, signed: bool = False) -> str:
    decimals = max(2, chart.decimals) if signed else chart.decimals
    return f"{value:+.{decimals}f}" if signed else f"{value:.{decimals}f}"


def _nan(values) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _value_axis(ax, chart: Chart, axis: str = "y") -> None:
    low, high = chart.y_min, chart.y_max
    setter = ax.set_ylim if axis == "y" else ax.set_xlim
    if low is not None or high is not None:
        setter(bottom=low, top=high) if axis == "y" else setter(left=low, right=high)
    if chart.unit:
        (ax.set_ylabel if axis == "y" else ax.set_xlabel)(chart.unit)
    ax.grid(axis=axis, color=_GRID, linewidth=0.5)
    ax.set_axisbelow(True)


def _category_ticks(ax, chart: Chart, axis: str = "x") -> None:
    labels = [chart.label_of(i) for i in range(len(chart.categories))]
    positions = range(len(labels))
    if axis == "x":
        longest = max((len(label.split("\n")[0]) for label in labels), default=0)
        rotate = len(labels) > 8 or longest * len(labels) > 90
        ax.set_xticks(positions, labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    else:
        ax.set_yticks(positions, labels)


def _legend(ax, chart: Chart) -> None:
    if len([s for s in chart.series if s.name]) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(0, 1.02, 1, 0.1), ncols=min(4, len(chart.series)),
                  frameon=False, mode="expand", borderaxespad=0, fontsize=7)  # fmt: skip


def _draw_line(figure, chart: Chart) -> None:
    ax = figure.subplots()
    x = list(range(len(chart.categories)))
    bars = [s for s in chart.series if s.style == "bar"]
    width = 0.8 / max(1, len(bars))
    colours = iter(PALETTE * 4)
    for s in chart.series:
        values = _nan(s.values)
        if s.style == "limit":
            ax.step(x, values, where="mid", linestyle="--", linewidth=0.9, color=LIMIT, label=s.name, zorder=1)
            continue
        colour = next(colours)
        if s.style == "bar":
            offset = (bars.index(s) - (len(bars) - 1) / 2) * width
            ax.bar([i + offset for i in x], [0 if math.isnan(v) else v for v in values], width=width, color=colour,
                   label=s.name, zorder=2)  # fmt: skip
            continue
        ax.plot(x, values, marker="o", markersize=3.5, linewidth=1.5, color=colour, label=s.name, zorder=3)
        marked = [(i, v) for i, v in enumerate(values) if s.marks and i < len(s.marks) and s.marks[i]]
        if marked:
            ax.scatter([i for i, _v in marked], [v for _i, v in marked], s=42, color=MARK, zorder=4,
                       edgecolors="white", linewidths=0.8)  # fmt: skip
    _category_ticks(ax, chart)
    _value_axis(ax, chart)
    if bars:
        ax.set_xlim(-0.6, len(x) - 0.4)
    _legend(ax, chart)


def _draw_bar(figure, chart: Chart) -> None:
    ax = figure.subplots()
    count = max(1, len(chart.series))
    width = 0.8 / count
    x = range(len(chart.categories))
    for k, (s, colour) in enumerate(zip(chart.series, PALETTE * 4, strict=False)):
        offsets = [i + (k - (count - 1) / 2) * width for i in x]
        values = [0.0 if v is None else float(v) for v in s.values]
        colours = [MARK if s.marks and i < len(s.marks) and s.marks[i] else colour for i in range(len(values))]
        draw = ax.barh if chart.horizontal else ax.bar
        bars = draw(offsets, values, width * 0.9, color=colours, label=s.name, zorder=2)
        labels = ["" if v is None else _fmt(chart, float(v)) for v in s.values]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=6.5, color=_TEXT)
    if chart.kind == "histogram" or chart.decimals == 0:  # counts: whole numbers on the value axis
        from matplotlib.ticker import MaxNLocator

        (ax.xaxis if chart.horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    if chart.horizontal:
        _category_ticks(ax, chart, "y")
        ax.invert_yaxis()
        _value_axis(ax, chart, "x")
    else:
        _category_ticks(ax, chart)
        _value_axis(ax, chart)
    _legend(ax, chart)


def _draw_radar(figure, chart: Chart) -> None:
    ax = figure.add_subplot(projection="polar")
    count = len(chart.categories)
    angles = [2 * math.pi * i / count for i in range(count)]
    ax.set_theta_offset(math.pi / 2)  # the first axis at the top, the others clockwise (as ECharts draws it)
    ax.set_theta_direction(-1)
    closed = [*angles, angles[0]]
    low, high = chart.y_min or 0, chart.y_max or 100
    for k, (s, colour) in enumerate(zip(chart.series, PALETTE * 4, strict=False)):
        values = [low if v is None else float(v) for v in s.values]
        ax.plot(closed, [*values, values[0]], color=colour, linewidth=1.5, label=s.name, marker="o", markersize=3)
        ax.fill(closed, [*values, values[0]], color=colour, alpha=0.15 if k == 0 else 0.05)
    ax.set_xticks(angles, [str(c) for c in chart.categories])
    ax.set_ylim(low, high)
    ax.set_rlabel_position(180 / count)  # the ring labels between the first two axes
    ax.tick_params(axis="y", labelsize=6, colors="#57606a")
    ax.grid(color=_GRID, linewidth=0.5)
    ax.spines["polar"].set_color(_GRID)
    if len(chart.series) > 1:
        ax.legend(loc="upper right", bbox_to_anchor=(1.35, 1.12), frameon=False, fontsize=7)


def _draw_waterfall(figure, chart: Chart) -> None:
    ax = figure.subplots()
    steps = chart.waterfall_steps()
    levels = [level for step in steps for level in step[:2]] + [t[1] for t in (chart.start, chart.end) if t]
    low = chart.y_min if chart.y_min is not None else (math.floor(min(levels) - 1) if levels else 0)
    low = max(0.0, low)
    labels, bottoms, heights, colours, texts = [], [], [], [], []
    if chart.start:
        labels.append(chart.start[0])
        bottoms.append(low)
        heights.append(chart.start[1] - low)
        colours.append(TOTAL)
        texts.append(_fmt(chart, chart.start[1]))
    for i, (before, after, delta) in enumerate(steps):
        labels.append(str(chart.categories[i]))
        bottoms.append(min(before, after))
        heights.append(abs(delta))
        colours.append(UP if delta >= 0 else DOWN)
        texts.append(_fmt(chart, delta, signed=True))
    if chart.end:
        labels.append(chart.end[0])
        bottoms.append(low)
        heights.append(chart.end[1] - low)
        colours.append(TOTAL)
        texts.append(_fmt(chart, chart.end[1]))
    x = range(len(labels))
    bars = ax.bar(x, heights, bottom=bottoms, color=colours, width=0.7, zorder=2)
    for i, (_before, after, _delta) in enumerate(steps):  # the connector from one level to the next
        k = i + (1 if chart.start else 0)
        ax.plot([k - 0.35, k + 1.35], [after, after], color=LIMIT, linewidth=0.5, zorder=1)
    ax.bar_label(bars, labels=texts, padding=2, fontsize=6.5, color=_TEXT)
    rotate = len(labels) > 6
    ax.set_xticks(list(x), labels, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    top = max(levels) if levels else 1
    ax.set_ylim(low, top + max(0.5, (top - low) * 0.12))
    _value_axis(ax, Chart(chart.key, "", "bar", [], unit=chart.unit))


def heat_colour(value: float | None) -> str:
    """The fill of a heat-map cell: the kit's fixed 0–100 scale (``HEAT_SCALE``), grey for no data."""
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    if value is None or math.isnan(value):
        return NO_DATA
    scale = LinearSegmentedColormap.from_list("heat", list(HEAT_SCALE))
    return to_hex(scale(max(0.0, min(1.0, float(value) / 100))))


def _draw_heatmap(figure, chart: Chart) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.patches import Rectangle

    ax = figure.subplots()
    rows = list(chart.rows or [])
    matrix = [_nan(s.values) for s in chart.series]
    for y, values in enumerate(matrix):
        for x, value in enumerate(values):
            ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=heat_colour(value), edgecolor="white",
                                   linewidth=0.6))  # fmt: skip
            text = "—" if math.isnan(value) else _fmt(chart, value)
            dark = not math.isnan(value) and (value < 25 or value > 80)
            ax.text(x, y, text, ha="center", va="center", fontsize=6, color="white" if dark else _TEXT)
    ax.set_xlim(-0.5, len(chart.categories) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(chart.categories)), [str(c) for c in chart.categories], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    scale = ScalarMappable(norm=Normalize(0, 100), cmap=LinearSegmentedColormap.from_list("heat", list(HEAT_SCALE)))
    figure.colorbar(scale, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, aspect=40)


def _draw_empty(figure, chart: Chart) -> None:
    from django.utils.translation import gettext as _

    ax = figure.subplots()
    ax.axis("off")
    ax.text(0.5, 0.5, chart.empty_message or _("No data for this chart yet."), ha="center", va="center", fontsize=9,
            color="#57606a", wrap=True, transform=ax.transAxes)  # fmt: skip


_DRAW = {
    "line": _draw_line,
    "bar": _draw_bar,
    "histogram": _draw_bar,
    "radar": _draw_radar,
    "waterfall": _draw_waterfall,
    "heatmap": _draw_heatmap,
}

_TEXT_ELEMENT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def svg_texts(svg: str) -> list[str]:
    """The texts of an SVG drawn with ``text_as_paths=False`` (what a reader sees; for checks and tests)."""
    import html

    return [html.unescape(re.sub(r"<[^>]+>", "", match)).strip() for match in _TEXT_ELEMENT.findall(svg)]
