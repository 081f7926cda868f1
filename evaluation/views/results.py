"""Pages about one dealer's result: "why did the score change?" (the waterfall and its table, each indicator linked to
its records and to its alert or improvement action), and the charts of the result page (radar, 12-month trend)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.charts import download_response
from core.dates import Month
from core.mixins import DealerScopedObjectMixin
from evaluation import charts
from evaluation.choices import AlertKind, AlertStatus
from evaluation.models import DealerEvaluation, Indicator
from evaluation.selectors import alerts as alert_selectors
from evaluation.selectors import results
from evaluation.selectors.systems import element_names
from evaluation.services import alerts as alert_services
from evaluation.services import runs as run_services


def _runs_action(user) -> tuple[str, str] | None:
    """What to do about a missing month, for those who may start a run."""
    return (_("Start an evaluation run"), reverse("evaluation:run_list")) if user.has_perm(run_services.ADD) else None


def result_page_charts(result: DealerEvaluation, user) -> dict:
    """The result page's charts and the month before's result: the dimensions against last month (radar) and the
    overall and dimension scores of the 12 months ending with the result's month (two queries and the names)."""
    month = Month.of(result.run.period_start)
    history = results.dealer_history(result.dealer_id, month, user)
    found = dict(history)
    if found.get(month) is not None and found[month].pk != result.pk:
        # a re-run or a region's run of the month shown from its own page: the trend ends on it
        history[-1] = (month, result)
    previous = found.get(month.previous())
    names = element_names(result.run.system_version_id)["dimensions"]
    trend = charts.score_trend_chart(history, key="score-trend", names=names)
    trend.empty_action = _runs_action(user)
    return {
        "previous_result": previous,
        "radar_chart": charts.radar_chart(result, previous, key="radar", names=names),
        "trend_chart": trend,
        "explain_url": reverse("evaluation:result_explain", args=[result.pk]),
    }


def indicator_alerts(result: DealerEvaluation, user) -> dict[str, dict]:
    """{indicator code: {"alert", "action", "can_plan"}} of the alerts the result's run raised (or found a further
    reason for) at the dealer, when the user may see alerts (three queries)."""
    if not user.has_perm("evaluation.view_qualityalert"):
        return {}
    found = {}
    for alert in alert_selectors.run_alerts(run=result.run, dealer_id=result.dealer_id):
        if alert.kind != AlertKind.INDICATOR or not alert.indicator_code:
            continue
        found[alert.indicator_code] = {
            "alert": alert, "action": alert.current_action,
            "can_plan": alert.status == AlertStatus.OPEN and alert_services.can_plan(user, alert),
        }  # fmt: skip
    return found


class ResultExplainView(DealerScopedObjectMixin, View):
    """Why did the score change? The change from the month before split into one contribution per indicator (a
    waterfall and a table, largest first), their sum against the change, each indicator linked to its records of
    the month and to its alert or improvement action."""

    model = DealerEvaluation
    permission_required = "evaluation.view_dealerevaluation"
    template_name = "evaluation/result_explain.html"

    def get(self, request, pk):
        result = get_object_or_404(
            results.visible_results(request.user).select_related("dealer", "run__system_version"), pk=pk
        )
        month = Month.of(result.run.period_start)
        previous = results.previous_result(result, request.user)
        explanation = results.explain(result, previous)
        indicators = {
            i.code: i for i in Indicator.objects.filter(dimension__system_version_id=result.run.system_version_id)
        }
        names = {code: indicator.name for code, indicator in indicators.items()}
        links = [
            charts.month_drilldown(c.indicator, result.dealer_id, month, request.user)
            for c in explanation.contributions
        ]
        waterfall = charts.waterfall_chart(explanation, key="why", links=links, names=names)
        waterfall.empty_action = _runs_action(request.user) if previous is None else None
        downloaded = download_response(request, [waterfall])
        if downloaded is not None:
            return downloaded
        alerts = indicator_alerts(result, request.user)
        old_rows = (previous.indicators or {}) if previous is not None else {}
        rows = [
            {
                "contribution": c, "indicator": indicators.get(c.indicator), "name": charts.coded(c.indicator, names),
                "unit": indicators[c.indicator].unit if c.indicator in indicators else "",
                "previous_n": (old_rows.get(c.indicator) or {}).get("n"), "link": link,
                **alerts.get(c.indicator, {}),
            }
            for c, link in zip(explanation.contributions, links, strict=True)
        ]  # fmt: skip
        context = {
            "result": result, "previous": previous, "explanation": explanation, "month": month,
            "previous_month": month.previous(), "rows": rows, "chart": waterfall,
            "reason": results.unexplained_reason(explanation),
            "performance_total": sum(c.performance_points for c in explanation.contributions),
            "weight_total": sum(c.weight_points for c in explanation.contributions),
            "sees_alerts": request.user.has_perm("evaluation.view_qualityalert"),
        }  # fmt: skip
        return render(request, self.template_name, context)


def indicator_trend_chart_for(code: str, dealer_id: int, month: Month, user, *, key: str = "trend"):
    """The dealer's monthly trend of the indicator from the stored results the user may read (12 months ending
    with ``month``), with the p-chart limits of a rate and each point opening that month's records; None when the
    user may not read results or there is no stored figure (one query, and the drill-down links' permissions)."""
    if not user.has_perm("evaluation.view_dealerevaluation"):
        return None
    trend = results.indicator_trend(dealer_id, code, month, user)
    if trend.is_empty:
        return None
    links = [charts.month_drilldown(code, dealer_id, m, user) if n else None for m, n in zip(trend.months, trend.counts,
                                                                                              strict=True)]  # fmt: skip
    name = f"{trend.code} {trend.name}" if trend.name else trend.code
    title = _("%(indicator)s, the last 12 months") % {"indicator": name}
    return charts.indicator_trend_chart(trend, key=key, links=links, title=title)
