"""The service manager's cockpit (the home page of the service-manager role): one dealer's day and its quality.

**Today** (the dealer's local day, ``core.dates``): the appointments and their arrival (``appointments``), the cars
in the workshop by state and the promises at risk or overdue (``repairs.selectors``: the one promise rule), the
complaints with their SLA clock running in the dealer's business hours (``complaints.selectors.sla_clocks``), the
follow-up calls due and overdue (``care.selectors.follow_up_bucket``) and the quality alerts nobody acted on.

**Quality**: the last published month is the main figure — score, grade, stars, the dimensions as a radar against
the month before, every indicator against its target and floor with its traffic light (``evaluation.display``), its
value, n and change, the 12-month trend, the three indicators that cost the most points and the waterfall of why the
score changed (``evaluation.selectors.results`` and ``evaluation.charts``); the current month as far as a run has
evaluated it; the open alerts and improvement actions with owner and due date.

Every figure links to the records behind it (the drill-down, the RO / complaint / follow-up / alert lists filtered
to the dealer). The page costs a bounded number of queries, however many records the dealer has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.choices import AppointmentStatus
from appointments.selectors import day_arrivals
from care.selectors import follow_up_bucket
from care.services import FOLLOW_UP_KINDS
from complaints.selectors import crisis_alert_list, sla_clocks
from complaints.templatetags.complaints_tags import worktime
from core.charts import Chart, Series, download_response
from core.dates import Month, local_date, local_zone
from core.tenancy import dealers_for
from evaluation import display
from evaluation.charts import radar_chart, score_trend_chart, waterfall_chart
from evaluation.choices import ActionStatus, AlertKind, AlertStatus
from evaluation.models import Indicator
from evaluation.models.runs import RUN_ADD
from evaluation.selectors import alerts as alert_selectors
from evaluation.selectors.measures import drilldown_url
from evaluation.selectors.results import dealer_history, explain, month_result, points_lost, visible_results
from organization.models import Dealer
from repairs.selectors import open_order_counts, promises
from todo.models import Task

LIST_LIMIT = 10
UNRESOLVED_ALERTS = (AlertStatus.OPEN, AlertStatus.ACTION_PLANNED)


def _url(name: str, *args, **query) -> str:
    """A page's URL with a query string (values None are left out; lists repeat the parameter)."""
    pairs = [(k, v) for k, value in query.items() if value is not None
             for v in (value if isinstance(value, list | tuple) else [value])]  # fmt: skip
    return reverse(name, args=args) + (f"?{urlencode(pairs)}" if pairs else "")


# --- which dealer ---------------------------------------------------------------------------------------------------


def pick_dealer(user, requested: str | None) -> tuple[Dealer | None, list[Dealer]]:
    """The dealer the cockpit shows and the user's dealers for the picker: ``?dealer=<id>`` among the user's own
    dealers, else the first by code; an id the user may not read (or not an id) is a 404, so the page never
    confirms that another dealer exists."""
    dealers = list(dealers_for(user).select_related("region").order_by("code"))
    if requested in (None, ""):
        return (dealers[0] if dealers else None), dealers
    chosen = next((d for d in dealers if str(d.pk) == requested), None)
    if chosen is None:
        raise Http404
    return chosen, dealers


# --- today ------------------------------------------------------------------------------------------------------


@dataclass
class Tile:
    """A figure of the day with the list of records behind it; ``tone`` "bad"/"warn" draws attention."""

    label: str
    value: int
    url: str | None = None
    tone: str = ""
    note: str = ""


def appointment_tiles(user, dealer: Dealer, today: date, now: datetime) -> list[Tile]:
    """Today's appointments by arrival, each linked to the appointment list of that day and status."""
    if not user.has_perm("appointments.view_appointment"):
        return []
    counts = day_arrivals(user=user, dealer=dealer, day=today, now=now)
    day = {"dealer": dealer.pk, "date_from": today.isoformat(), "date_to": today.isoformat()}
    pending = [AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]
    late = counts["late"]
    return [
        Tile(_("Appointments today"), counts["booked"], _url("appointments:appointment_list", **day)),
        Tile(_("Arrived"), counts["arrived"],
             _url("appointments:appointment_list", **day, status=AppointmentStatus.ARRIVED)),
        Tile(_("Not arrived yet"), counts["not_yet"], _url("appointments:appointment_list", **day, status=pending),
             tone="warn" if late else "",
             note=_("%(n)s past their slot") % {"n": late} if late else ""),
        Tile(_("No-shows"), counts["no_show"],
             _url("appointments:appointment_list", **day, status=AppointmentStatus.NO_SHOW),
             tone="bad" if counts["no_show"] else ""),
    ]  # fmt: skip


def workshop_chart(user, dealer: Dealer) -> Chart | None:
    """The open repair orders by state as bars, each bar opening the RO list of that state."""
    if not user.has_perm("repairs.view_repairorder"):
        return None
    counts = open_order_counts(user=user, dealer_id=dealer.pk)
    values = [n for _value, _label, n in counts]
    series = [
        Series(
            _("Repair orders"),
            values,
            links=[_url("repairs:repair_order_list", dealer=dealer.pk, status=value) for value, *_ in counts],
        )
    ]
    return Chart(
        "workshop", _("Cars in the workshop by state"), "bar", [str(label) for _v, label, _n in counts],
        series if any(values) else [], decimals=0, height=280, horizontal=True, category_label=_("Status"),
        empty_message=_("No open repair order: the workshop is empty."),
    )  # fmt: skip


def promise_block(user, dealer: Dealer, now: datetime) -> dict | None:
    """The orders whose promised time is at risk (< 1 h left) or overdue, with their links."""
    if not user.has_perm("repairs.view_repairorder"):
        return None
    found = promises(user=user, dealer_id=dealer.pk, now=now, limit=LIST_LIMIT)
    for order in found["overdue"]:
        order.minutes_late = -order.minutes_left
        order.late_text = elapsed_time(order.minutes_late)
    for order in found["at_risk"]:
        order.left_text = elapsed_time(order.minutes_left)
    at_risk_url = _url("repairs:repair_order_list", dealer=dealer.pk, at_risk=1)
    overdue_url = _url("repairs:repair_order_list", dealer=dealer.pk, overdue=1)
    return {
        **found,
        "at_risk_url": at_risk_url,
        "overdue_url": overdue_url,
        "tiles": [
            Tile(
                _("Promised time at risk (< 1 h)"),
                found["at_risk_count"],
                at_risk_url,
                "warn" if found["at_risk_count"] else "",
            ),
            Tile(
                _("Past the promised time"),
                found["overdue_count"],
                overdue_url,
                "bad" if found["overdue_count"] else "",
            ),
        ],
    }


def complaint_block(user, dealer: Dealer, now: datetime) -> dict | None:
    """The unresolved complaints with the working time left to their next deadline, and the open crisis alerts."""
    if not user.has_perm("complaints.view_complaint"):
        return None
    found = sla_clocks(user=user, dealer=dealer, now=now, limit=LIST_LIMIT)
    open_url = _url("complaints:complaint_list", dealer=dealer.pk, status="unresolved")
    overdue_url = _url("complaints:complaint_list", dealer=dealer.pk, overdue="any")
    crisis = []
    if user.has_perm("complaints.view_crisisalert"):
        crisis = list(crisis_alert_list(user=user).filter(dealer=dealer, acknowledged_at__isnull=True)[:5])
    return {
        **found,
        "rows": [{"clock": clock, "soon": not clock.overdue and clock.minutes_left < 60} for clock in found["clocks"]],
        "crisis_alerts": crisis,
        "open_url": open_url,
        "overdue_url": overdue_url,
        "tiles": [
            Tile(_("Complaints open"), found["open"], open_url),
            Tile(_("Complaints past a deadline"), found["overdue"], overdue_url, "bad" if found["overdue"] else ""),
        ],
    }


def elapsed_time(minutes: int) -> str:
    """Minutes on the clock as "45 min", "3 h 05 min" or, from a day on, "2 d 4 h"."""
    if minutes < 24 * 60:
        return worktime(timedelta(minutes=minutes))
    return _("%(days)s d %(hours)s h") % {"days": minutes // (24 * 60), "hours": minutes % (24 * 60) // 60}


def follow_up_tiles(user, dealer: Dealer, now: datetime) -> list[Tile]:
    """The follow-up calls due today and overdue (the care list's buckets)."""
    if not user.has_perm("care.view_callrecord"):
        return []
    tasks = Task.objects.for_user(user).filter(dealer=dealer, kind__in=FOLLOW_UP_KINDS)
    due = follow_up_bucket(tasks, "today", now=now).count()
    overdue = follow_up_bucket(tasks, "overdue", now=now).count()
    return [
        Tile(_("Follow-up calls due"), due, _url("care:followups", dealer=dealer.pk, bucket="today")),
        Tile(_("Follow-up calls overdue"), overdue, _url("care:followups", dealer=dealer.pk, bucket="overdue"),
             tone="bad" if overdue else ""),
    ]  # fmt: skip


def operations(*, user, dealer: Dealer, now: datetime | None = None) -> dict:
    """Today's operations of the dealer (its local day)."""
    now = now or timezone.now()
    today = local_date(now, local_zone(dealer))
    return {
        "today": today,
        "now": now,
        "appointments": appointment_tiles(user, dealer, today, now),
        "workshop": workshop_chart(user, dealer),
        "promises": promise_block(user, dealer, now),
        "complaints": complaint_block(user, dealer, now),
        "follow_ups": follow_up_tiles(user, dealer, now),
    }


# --- alerts and improvement actions -----------------------------------------------------------------------------


def alert_block(user, dealer: Dealer, today: date) -> dict | None:
    """The dealer's unresolved alerts (those without an action first) with their current action, the actions in
    progress with owner and due date (overdue ones flagged), and how many alerts have no action."""
    if not user.has_perm("evaluation.view_qualityalert"):
        return None
    alerts = alert_selectors.alert_list(user=user).filter(dealer=dealer, status__in=UNRESOLVED_ALERTS)
    counts = alerts.order_by().aggregate(
        unresolved=Count("id"), without_action=Count("id", filter=Q(status=AlertStatus.OPEN))
    )
    # "open" sorts after "action_planned": descending puts the alerts without an action first.
    listed = list(alerts.order_by("-status", "-raised_at", "-id")[: 5 * LIST_LIMIT])
    for alert in listed:
        action = alert.current_action
        alert.action = action if action is not None and action.status in ActionStatus.active() else None
        alert.action_overdue = alert.action is not None and alert.action.due_date < today
    actions = []
    if user.has_perm("evaluation.view_improvementaction"):
        actions = list(
            alert_selectors.action_list(user=user).filter(dealer=dealer, status__in=ActionStatus.active())[:LIST_LIMIT]
        )
        for action in actions:
            action.overdue = action.due_date < today
    by_indicator = {a.indicator_code: a for a in listed if a.kind == AlertKind.INDICATOR and a.indicator_code}
    without_action_url = _url("evaluation:alert_list", dealer=dealer.pk, action="none")
    return {
        **counts,
        "tile": Tile(
            _("Alerts without an action"),
            counts["without_action"],
            without_action_url,
            "bad" if counts["without_action"] else "",
        ),
        "alerts": listed[:LIST_LIMIT],
        "by_indicator": by_indicator,
        "actions": actions,
        "without_action_url": without_action_url,
        "unresolved_url": _url("evaluation:alert_list", dealer=dealer.pk),
        "actions_url": _url("evaluation:action_list", dealer=dealer.pk),
    }


# --- quality ------------------------------------------------------------------------------------------------------


def last_published_month(user, dealer: Dealer) -> Month | None:
    """The latest month with a published result of the dealer that the user may read."""
    first = (
        visible_results(user)
        .filter(dealer=dealer, run__published=True)
        .order_by("-run__period_start")
        .values_list("run__period_start", flat=True)
        .first()
    )
    return Month.of(first) if first else None


@dataclass
class IndicatorRow:
    """One indicator of the month against its target and floor, with its change since the month before."""

    code: str
    name: str
    dimension: str
    unit: str
    direction: str
    target: float
    floor: float
    value: float | None
    n: int | None
    enough: bool
    score: float | None
    previous_value: float | None
    light: str | None
    url: str | None = None
    alert: object | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous_value is None:
            return None
        return float(self.value) - float(self.previous_value)

    @property
    def trend(self) -> str:
        """ "better", "worse" or "" (no change or no figure), in the indicator's direction."""
        change = self.change
        if not change:
            return ""
        return "better" if (change > 0) == (self.direction != "lower") else "worse"

    @property
    def arrow(self) -> str:
        """▲ the value rose, ▼ it fell (its colour, ``trend``, says whether that is better)."""
        change = self.change
        return "▲" if change and change > 0 else ("▼" if change and change < 0 else "")

    @property
    def light_badge(self) -> str:
        return display.LIGHT_BADGES.get(self.light, "")

    @property
    def light_label(self) -> str:
        return display.light_label(self.light)

    @property
    def unit_label(self) -> str:
        return display.unit_label(self.unit)


@dataclass
class Quality:
    """The score half of the cockpit (see the module docstring)."""

    month: Month | None = None  # the last published month
    result: object | None = None
    previous: object | None = None
    explanation: object | None = None
    rows: list[IndicatorRow] = field(default_factory=list)
    costly: list[dict] = field(default_factory=list)
    movers: list[dict] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)
    current_month: Month | None = None
    current: object | None = None  # the current month's latest finished run the user sees (usually none)
    explain_url: str | None = None
    run_url: str | None = None  # where an evaluating user starts a run (the empty state's button)


def _definitions(version_ids) -> tuple[dict[str, Indicator], dict[str, str]]:
    """{code: indicator} (of the latest version first) and {dimension code: name} of the versions (one query)."""
    indicators, dimensions = {}, {}
    rows = Indicator.objects.filter(dimension__system_version_id__in=[v for v in version_ids if v]).select_related(
        "dimension"
    )
    ordered = sorted(rows, key=lambda i: (i.dimension.system_version_id != version_ids[0], i.dimension.position,
                                          i.position, i.code))  # fmt: skip
    for indicator in ordered:
        indicators.setdefault(indicator.code, indicator)
        dimensions.setdefault(indicator.dimension.code, indicator.dimension.name)
    return indicators, dimensions


def indicator_rows(user, result, previous, definitions: dict[str, Indicator], alerts: dict) -> list[IndicatorRow]:
    """Every indicator of the result, in the system's order, with its light, n, change and records link."""
    month = Month.of(result.run.period_start)
    figures, before = result.indicators or {}, (previous.indicators or {}) if previous is not None else {}
    rows = []
    for code, indicator in definitions.items():
        if code not in figures:
            continue
        row = figures[code]
        value, n = row.get("value"), row.get("n")
        rows.append(IndicatorRow(
            code=code, name=indicator.name, dimension=indicator.dimension.code, unit=indicator.unit,
            direction=indicator.direction, target=float(indicator.target), floor=float(indicator.floor),
            value=value, n=n, enough=result.run.has_enough_data(code, n), score=row.get("score"),
            previous_value=(before.get(code) or {}).get("value"),
            light=display.traffic_light(value, indicator.target, indicator.floor, indicator.direction),
            url=drilldown_url(user, code, result.dealer_id, month.first_day, month.last_day),
            alert=alerts.get(code),
        ))  # fmt: skip
    return rows


def quality(*, user, dealer: Dealer, today: date, alerts: dict | None = None) -> Quality:
    """The last published month of the dealer (main figure) and the current month so far."""
    alerts = alerts or {}
    found = Quality(current_month=Month.of(today))
    if user.has_perm(RUN_ADD):
        found.run_url = reverse("evaluation:run_list")
    found.current = month_result(dealer.pk, found.current_month, user)
    month = last_published_month(user, dealer)
    if month is None:
        return found
    history = dealer_history(dealer.pk, month, user, months=12)
    found.month, found.result, found.previous = month, history[-1][1], history[-2][1]
    result, previous = found.result, found.previous
    version_ids = [result.run.system_version_id] + ([previous.run.system_version_id] if previous else [])
    definitions, dimension_names = _definitions(version_ids)
    indicator_names = {code: indicator.name for code, indicator in definitions.items()}
    found.rows = indicator_rows(user, result, previous, definitions, alerts)
    by_code = {row.code: row for row in found.rows}
    found.explanation = explain(result, previous)
    found.costly = [
        {"row": by_code.get(code), "code": code, "name": indicator_names.get(code, code), "points": points}
        for code, points in points_lost(result)[:3]
    ]
    found.movers = [
        {"contribution": c, "row": by_code.get(c.indicator), "name": indicator_names.get(c.indicator, c.indicator),
         "alert": alerts.get(c.indicator),
         "url": drilldown_url(user, c.indicator, dealer.pk, month.first_day, month.last_day)}
        for c in found.explanation.contributions[:5]
    ]  # fmt: skip
    found.charts = {
        "radar": radar_chart(result, previous, key="radar", names=dimension_names),
        "trend": score_trend_chart(history, key="trend", names=dimension_names),
        "why": waterfall_chart(found.explanation, key="why", user=user, names=indicator_names),
    }
    found.explain_url = reverse("evaluation:result_explain", args=[result.pk])
    return found


# --- the page -----------------------------------------------------------------------------------------------------


def cockpit_view(request):
    """The service manager's home page: the cockpit of one of their dealers (``?dealer=`` picks another)."""
    user = request.user
    dealer, dealers = pick_dealer(user, request.GET.get("dealer"))
    if dealer is None:
        return render(request, "dashboards/cockpit.html", {"dealer": None, "dealers": []})
    today_ops = operations(user=user, dealer=dealer)
    alerts = alert_block(user, dealer, today_ops["today"])
    tiles = [*today_ops["appointments"]]
    for block in (today_ops["promises"], today_ops["complaints"]):
        tiles += block["tiles"] if block else []
    tiles += today_ops["follow_ups"] + ([alerts["tile"]] if alerts else [])
    score = quality(user=user, dealer=dealer, today=today_ops["today"],
                    alerts=alerts["by_indicator"] if alerts else None)  # fmt: skip
    charts = [c for c in [today_ops["workshop"], *score.charts.values()] if c is not None]
    download = download_response(request, charts)
    if download is not None:
        return download
    return render(
        request,
        "dashboards/cockpit.html",
        {"dealer": dealer, "dealers": dealers, "ops": today_ops, "tiles": tiles, "alerts": alerts, "quality": score},
    )
