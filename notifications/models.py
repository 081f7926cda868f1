"""Notifications (通知): one row per person told of an event, with the page to open and the text's parameters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.choices import Event
from notifications.texts import rendered


class NotificationQuerySet(models.QuerySet):
    """Notifications are read by their recipient only, and only while they still work for its dealer."""

    def for_user(self, user, *, write: bool = False) -> NotificationQuerySet:
        """The user's own notifications of the dealers they may read (``write`` changes nothing: marking one's own
        notification read is part of reading it, also at a closed dealer)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        mine = self.filter(recipient=user)
        if user.is_superuser:
            return mine
        from accounts.models import DealerMembership, RegionMembership

        # One query with the count (the header badge): the scope as EXISTS on the membership tables' unique indexes.
        works_there = Exists(DealerMembership.objects.filter(user=user, dealer=OuterRef("dealer_id")))
        region = Exists(RegionMembership.objects.filter(user=user, region=OuterRef("dealer__region_id")))
        return mine.filter(works_there | region)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person of a dealer must act on (an addition to decide, a car to dispatch, a deadline…)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    dealer = models.ForeignKey(
        "organization.Dealer", on_delete=models.PROTECT, related_name="notifications", verbose_name=_("dealer")
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    # The page to open: a URL name of this site and its arguments (reversed when read: always a local address).
    target_url_name = models.CharField(pgettext_lazy("the page a link opens", "page"), max_length=100)
    target_args = models.JSONField(_("page arguments"), default=list, blank=True)
    # The text's parameters (notifications.texts.portable): rendered in the reader's language when read.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Sent once per recipient and key (a deadline reminder, an event seen twice); empty: no deduplication.
    key = models.CharField(_("deduplication key"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # "My unread" (the badge's COUNT) and the inbox of one person, newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="uniq_notification_recipient_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def title(self) -> str:
        return rendered(self.event, self.params)[0]

    @property
    def body(self) -> str:
        return rendered(self.event, self.params)[1]

    @property
    def target_url(self) -> str:
        """The local address of the page the notification opens (the inbox when that page is gone)."""
        try:
            return reverse(self.target_url_name, args=self.target_args or [])
        except NoReverseMatch:
            return reverse("notifications:inbox")
