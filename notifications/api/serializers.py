"""Notifications as the API shows them: the text in the request's language and the local address to open."""

from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    event_label = serializers.CharField(source="get_event_display", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    url = serializers.CharField(source="target_url", read_only=True)
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "event_label", "dealer", "dealer_name", "title", "body", "url", "created_at",
                  "read_at", "unread"]  # fmt: skip
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True)
