"""The inbox (/notifications/): unread first, paginated; open one (read, then its page), mark one or all read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from core.mixins import DealerScopedObjectMixin
from notifications.models import Notification
from notifications.selectors import VIEW, Badge, notification_list, unread_count
from notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20


class _Mine(DealerScopedObjectMixin):
    """The user's own notifications (Notification.objects.for_user); another person's id is a 404."""

    model = Notification
    permission_required = VIEW

    def own(self, pk: int) -> Notification:
        return get_object_or_404(self.get_queryset(), pk=pk)


def _local(request, url: str, fallback: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return fallback


class InboxView(_Mine, View):
    template_name = "notifications/inbox.html"

    def get(self, request):
        unread_only = request.GET.get("unread") == "1"
        page = Paginator(notification_list(user=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        dealers = {n.dealer_id for n in page.object_list}
        context = {
            "page_obj": page,
            "notifications": page.object_list,
            "is_paginated": page.has_other_pages(),
            "querystring": "unread=1" if unread_only else "",
            "unread_only": unread_only,
            "unread": unread_count(user=request.user),
            # The dealer is named only for people who work for several (a group's service manager).
            "several_dealers": len(dealers) > 1 or request.user.dealer_memberships.count() > 1,
        }
        return render(request, self.template_name, context)


class OpenView(_Mine, View):
    """Opening a notification marks it read and goes to its page (a local address, reversed from its URL name)."""

    def get(self, request, pk: int):
        notification = notification_mark_read(notification=self.own(pk), by=request.user)
        return redirect(_local(request, notification.target_url, "notifications:inbox"))


class ReadView(_Mine, View):
    def post(self, request, pk: int):
        notification_mark_read(notification=self.own(pk), by=request.user)
        return redirect(_local(request, request.POST.get("next", ""), "notifications:inbox"))


class ReadAllView(_Mine, View):
    def post(self, request):
        marked = notifications_mark_all_read(by=request.user)
        if marked:
            messages.success(request, _("All notifications are marked as read."))
        return redirect(_local(request, request.POST.get("next", ""), "notifications:inbox"))


class BadgeView(_Mine, View):
    """The header bell alone, for htmx to refresh it every minute."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            # Logged out in another tab (or the session ran out): htmx stops polling on 286 instead of swapping the
            # login page into the header.
            return HttpResponse(status=286)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if not request.htmx:
            raise Http404
        return render(request, "notifications/_badge.html", {"notification_badge": Badge(request.user)})
