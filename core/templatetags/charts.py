"""``{% chart c %}``: a chart of the kit (``core.charts``), its table one click away and its Excel download."""

from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.inclusion_tag("core/_chart.html", takes_context=True)
def chart(context, chart, css_class=""):
    headers, rows = chart.table()
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query["download"] = chart.key
    return {
        "chart": chart,
        "options": None if chart.is_empty else chart.echarts(),
        "headers": headers,
        "rows": rows,
        "element_id": f"chart-options-{chart.key}",
        "css_class": css_class,
        "download_url": f"?{query.urlencode()}",
    }
