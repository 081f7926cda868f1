"""The demo's notifications: each tells of a real event of the demo, dated at it, to the right person; the desk and
the workshop have unread ones (the bell shows a count) and older ones are read."""

from datetime import timedelta

import pytest
from django.db.models import Count, F

from notifications.choices import Event
from notifications.models import Notification
from repairs.models import AdditionalItem, QcInspection, RepairOrder

pytestmark = pytest.mark.django_db


def test_the_demo_notifications_tell_of_real_events_to_the_right_people(demo_dataset):
    notifications = list(Notification.objects.select_related("recipient", "dealer"))
    wrong = []
    for n in notifications:
        if n.event == Event.QC_PASSED:
            order = RepairOrder.objects.get(pk=n.target_args[0])
            ok = QcInspection.objects.filter(order=order, passed=True, inspected_at=n.created_at).exists()
            ok = ok and n.recipient_id == order.advisor_id
        elif n.event == Event.ORDER_APPROVED:
            order = RepairOrder.objects.get(pk=n.target_args[0])
            ok = order.approved_at == n.created_at and "foreman" in n.recipient.role_codes
        elif n.event == Event.ADDITION_RAISED:
            ok = AdditionalItem.objects.filter(order_id=n.target_args[0], order__advisor=n.recipient,
                                               raised_at=n.created_at).exists()  # fmt: skip
        else:
            ok = n.event in Event.values
        ok = ok and n.recipient.dealer_memberships.filter(dealer=n.dealer).exists()
        if not ok:
            wrong.append((n.event, n.recipient.username, n.created_at))
    assert wrong == []
    events = {n.event for n in notifications}
    assert {Event.QC_PASSED, Event.ORDER_APPROVED} <= events  # the small demo's last two days raise no addition
    unread = Notification.objects.filter(read_at__isnull=True)
    assert unread.filter(event=Event.QC_PASSED).exists() and unread.filter(event=Event.ORDER_APPROVED).exists()
    assert not Notification.objects.filter(read_at__lt=F("created_at")).exists()
    end = max(n.created_at for n in notifications)
    workshop = [Event.QC_PASSED, Event.ORDER_APPROVED, Event.ADDITION_RAISED]
    assert not unread.filter(event__in=workshop, created_at__lt=end - timedelta(days=2)).exists()
    per_person = unread.values("recipient").annotate(n=Count("id"))
    assert max(row["n"] for row in per_person) < 60  # a bell to read, not a flood
