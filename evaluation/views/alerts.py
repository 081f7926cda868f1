"""Pages of quality alerts and improvement actions (PDCA): lists with filters, an alert with its actions and the
form to plan one, an action with its PDCA fields, status moves, the check result and the history."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dates import Month
from core.forms import VersionedFormMixin
from core.history import history_entries
from core.lists import FilteredListView
from core.mixins import RecordFormView, RecordPageView
from evaluation.api.alerts import ImprovementActionFilterSet, QualityAlertFilterSet
from evaluation.choices import AlertStatus
from evaluation.forms.alerts import ActionForm, DismissForm, MoveForm
from evaluation.models import ImprovementAction, QualityAlert
from evaluation.selectors import alerts as alert_selectors
from evaluation.services import alerts


class AlertListView(FilteredListView):
    model = QualityAlert
    permission_required = "evaluation.view_qualityalert"
    template_name = "evaluation/alert_list.html"
    filterset_class = QualityAlertFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return alert_selectors.alert_list(user=self.request.user)


class ActionListView(FilteredListView):
    model = ImprovementAction
    permission_required = "evaluation.view_improvementaction"
    template_name = "evaluation/alert_action_list.html"
    filterset_class = ImprovementActionFilterSet
    refused_is_404 = ()  # another dealer's id: the form's message over an empty list, as before

    def get_base_queryset(self):
        return alert_selectors.action_list(user=self.request.user)


# --- an alert --------------------------------------------------------------------------------------------------


class AlertPageMixin:
    model = QualityAlert
    permission_required = "evaluation.view_qualityalert"
    template_name = "evaluation/alert_detail.html"
    related = ("dealer", "run__system_version", "indicator", "crisis_alert", "acknowledged_by", "escalation_task")

    def page_context(self, alert, **bound) -> dict:
        user = self.request.user
        last = Month.of(alert.run.period_start).last_day
        drilldown = ""
        if alert.indicator_code and user.has_perm("evaluation.view_indicatorsystem"):
            drilldown = (f"{reverse('evaluation:drilldown', args=[alert.indicator_code])}?dealer={alert.dealer_id}"
                         f"&from={alert.run.period_start:%Y-%m-%d}&to={last:%Y-%m-%d}")  # fmt: skip
        can_change = alerts.can_change(user, alert, alerts.CHANGE_ALERT)
        can_plan = alerts.can_plan(user, alert)
        to_manager_at, to_region_at = alerts.escalation_times(alert)
        return {
            "object": alert, "alert": alert, "drilldown": drilldown,
            "reasons": [(reason, reason.message) for reason in alert.reasons.select_related("run")],
            "escalates_to_manager_at": to_manager_at, "escalates_to_region_at": to_region_at,
            "actions": alert.actions.select_related("owner", "checked_run").order_by("-created_at", "-id"),
            "can_plan": can_plan, "can_dismiss": can_change and alert.status == AlertStatus.OPEN,
            "can_acknowledge": can_change and alert.acknowledged_at is None,
            "plan_form": bound.get("plan_form") or (ActionForm(dealer_id=alert.dealer_id) if can_plan else None),
            "dismiss_form": bound.get("dismiss_form") or DismissForm(initial={"version": alert.version}),
            "history": history_entries(alert),
        }  # fmt: skip


class AlertDetailView(AlertPageMixin, RecordPageView):
    pass


class AlertPlanView(AlertPageMixin, RecordFormView):
    """Plan an improvement action on the alert (the dealer's service manager; others get a 404)."""

    permission_required = alerts.PLAN
    form_name = "plan_form"

    def build_form(self, alert, data):
        return ActionForm(data, dealer_id=alert.dealer_id)

    def save(self, alert, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        self.action = alerts.action_create(alert=alert, by=self.request.user, **data)
        return _("Improvement action planned; its owner has it on the to-do list.")

    def success_url(self, alert):
        return self.action.get_absolute_url()


class AlertDismissView(AlertPageMixin, RecordFormView):
    permission_required = alerts.CHANGE_ALERT
    form_name = "dismiss_form"

    def build_form(self, alert, data):
        return DismissForm(data)

    def save(self, alert, form):
        alerts.alert_dismiss(alert=alert, by=self.request.user, reason=form.cleaned_data["reason"],
                             version=form.cleaned_data["version"])  # fmt: skip
        return _("Alert dismissed.")


class AlertAcknowledgeView(AlertPageMixin, RecordFormView):
    permission_required = alerts.CHANGE_ALERT
    form_name = "acknowledge_form"

    def build_form(self, alert, data):
        return VersionedFormMixin(data)

    def save(self, alert, form):
        alerts.alert_acknowledge(alert=alert, by=self.request.user)
        return _("Alert acknowledged.")


# --- an action -------------------------------------------------------------------------------------------------


class ActionPageMixin:
    model = ImprovementAction
    permission_required = "evaluation.view_improvementaction"
    template_name = "evaluation/alert_action_detail.html"
    related = ("dealer", "owner", "created_by", "alert__indicator", "alert__run", "alert__crisis_alert",
               "checked_run", "task")  # fmt: skip

    def page_context(self, action, **bound) -> dict:
        editable = action.is_active and alerts.can_change(self.request.user, action, alerts.CHANGE_ACTION)
        initial = {"version": action.version, "owner": action.owner_id, "cause_analysis": action.cause_analysis,
                   "plan": action.plan, "due_date": action.due_date}  # fmt: skip
        return {
            "object": action, "action": action, "alert": action.alert, "editable": editable,
            "edit_form": bound.get("edit_form") or (ActionForm(dealer_id=action.dealer_id, initial=initial)
                                                    if editable else None),
            "move_form": bound.get("move_form") or (MoveForm(current=action.status, initial={"version": action.version})
                                                    if editable else None),
            "history": history_entries(action),
        }  # fmt: skip


class ActionDetailView(ActionPageMixin, RecordPageView):
    pass


class ActionEditView(ActionPageMixin, RecordFormView):
    permission_required = alerts.CHANGE_ACTION
    form_name = "edit_form"

    def build_form(self, action, data):
        return ActionForm(data, dealer_id=action.dealer_id)

    def save(self, action, form):
        data = dict(form.cleaned_data)
        alerts.action_update(action=action, by=self.request.user, version=data.pop("version"), **data)
        return _("Improvement action saved.")


class ActionMoveView(ActionPageMixin, RecordFormView):
    permission_required = alerts.CHANGE_ACTION
    form_name = "move_form"

    def build_form(self, action, data):
        return MoveForm(data, current=action.status)

    def save(self, action, form):
        data = form.cleaned_data
        moved = alerts.action_move(action=action, by=self.request.user, status=data["status"],
                                   version=data["version"], note=data["note"])  # fmt: skip
        return _("Status: %(status)s.") % {"status": moved.get_status_display()}
