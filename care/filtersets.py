"""Filters of the care lists, shared by the API lists and the pages (and their Excel exports)."""

from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from care import selectors
from care.choices import ReminderKind, ReminderStatus
from care.models import CallRecord, Campaign, Letter, Reminder
from core.filters import IntegerFilter, LocalDayFilter, readable
from customers.models import Customer
from organization.models import Dealer
from todo.models import Task

BUCKETS = [("today", _("Due now")), ("overdue", _("Overdue")), ("upcoming", _("Upcoming")), ("done", _("Done"))]


class FollowUpFilterSet(django_filters.FilterSet):
    """Follow-up calls by dealer and ``bucket``: today (the default), overdue, upcoming or done."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    bucket = django_filters.ChoiceFilter(choices=BUCKETS, method="in_filter_queryset", label=_("Call"))

    class Meta:
        model = Task
        fields = ["dealer"]

    def in_filter_queryset(self, queryset, name, value):
        return queryset  # the bucket also orders the calls: filter_queryset applies it, even when none is asked

    def filter_queryset(self, queryset):
        tasks = selectors.follow_up_tasks(super().filter_queryset(queryset))
        return selectors.follow_up_bucket(tasks, self.form.cleaned_data.get("bucket") or "today")


class CallRecordFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))

    class Meta:
        model = CallRecord
        fields = ["dealer", "customer", "purpose", "outcome", "task"]


# ``from`` is a keyword: the page's names are set beside the declared filters.
CallRecordFilterSet.base_filters["from"] = LocalDayFilter(field_name="called_at", label=_("from"))
CallRecordFilterSet.base_filters["to"] = LocalDayFilter(field_name="called_at", end=True, label=_("to"))


class LetterFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))

    class Meta:
        model = Letter
        fields = ["dealer", "customer", "kind"]


class ReminderFilterSet(django_filters.FilterSet):
    """Reminders by dealer, kind, status, customer and when to contact: *now* (due), within *30* days or *all*."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    kind = django_filters.ChoiceFilter(choices=ReminderKind.choices, label=_("Kind"), empty_label=_("all"))
    status = django_filters.ChoiceFilter(choices=ReminderStatus.choices, label=_("Status"), empty_label=_("all"))
    due = django_filters.ChoiceFilter(
        choices=[("now", _("due now")), ("30", _("next 30 days")), ("all", _("any time"))],
        method="filter_due",
        label=pgettext_lazy("when to contact", "Contact"),
        empty_label=None,
    )

    class Meta:
        model = Reminder
        fields = ["dealer", "kind", "status", "customer"]

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "now":
            return queryset.filter(remind_on__lte=today)
        if value == "30":
            return queryset.filter(remind_on__lte=today + timedelta(days=30))
        return queryset


class CampaignFilterSet(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))

    class Meta:
        model = Campaign
        fields = ["dealer", "status", "kind"]


class LapsedCustomerFilterSet(django_filters.FilterSet):
    """Customers with no visit for ``months`` (1–120, default 12), with their value and last lapse reason."""

    dealer = django_filters.ModelChoiceFilter(queryset=readable(Dealer), label=_("dealer"))
    months = IntegerFilter(min_value=1, max_value=120, method="in_filter_queryset", label=_("months"))

    class Meta:
        model = Customer
        fields = ["dealer"]

    def in_filter_queryset(self, queryset, name, value):
        return queryset  # the threshold is the selector's parameter: filter_queryset passes it, or the default

    def filter_queryset(self, queryset):
        months = self.form.cleaned_data.get("months") or selectors.DEFAULT_LAPSE_MONTHS
        return selectors.lapsed_customers(super().filter_queryset(queryset), months=months)
