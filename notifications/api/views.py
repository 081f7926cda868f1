"""API of the notifications inbox: the user's own notifications, ``read`` one, ``read-all``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import DealerScopedViewSetMixin
from notifications.api.serializers import NotificationSerializer, ReadAllSerializer
from notifications.filtersets import NotificationFilterSet
from notifications.models import Notification
from notifications.selectors import VIEW, notification_list
from notifications.services import notification_mark_read, notifications_mark_all_read


class CanReadNotifications(permissions.BasePermission):
    """Marking read is part of reading one's own notifications: the view permission for every action."""

    def has_permission(self, request, view):
        return request.user.has_perm(VIEW)


class NotificationViewSet(
    DealerScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The requesting user's notifications (通知), unread first; another person's is a 404."""

    queryset = Notification.objects.select_related("dealer")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["created_at"]
    permission_classes = [permissions.IsAuthenticated, CanReadNotifications]

    def get_queryset(self):
        if self.action == "list":
            return notification_list(user=self.request.user)
        return super().get_queryset()

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_mark_read(notification=self.get_object(), by=request.user)
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(by=request.user)})
