"""Reads of notifications: a person's inbox (unread first) and the count of the header badge."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from accounts.models import User
from notifications.models import Notification

VIEW = "notifications.view_notification"


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications: unread first, each group newest first."""
    notifications = Notification.objects.for_user(user)
    if unread_only:
        notifications = notifications.unread()
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return notifications.select_related("dealer").alias(unread=unread).order_by("-unread", "-created_at", "-id")


def unread_count(*, user: User) -> int:
    """How many notifications the user has not read yet: one indexed COUNT."""
    return Notification.objects.for_user(user).unread().count()


class Badge:
    """The header bell of a page: shown to users who may read notifications; the count is queried when shown."""

    def __init__(self, user) -> None:
        self.user = user

    @property
    def allowed(self) -> bool:
        return bool(self.user and self.user.is_authenticated and self.user.has_perm(VIEW))

    @property
    def count(self) -> int:
        if not hasattr(self, "_count"):
            self._count = unread_count(user=self.user) if self.allowed else 0
        return self._count
