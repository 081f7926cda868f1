"""Filters of the notifications API: unread only, one event."""

import django_filters

from notifications.choices import Event
from notifications.models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="unread")
    event = django_filters.ChoiceFilter(choices=Event.choices)

    class Meta:
        model = Notification
        fields = ["unread", "event"]
