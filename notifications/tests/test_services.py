"""notify: who is told, once per key, the text in the reader's language, the channels after the commit."""

from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import NoReverseMatch
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from complaints.choices import Severity
from core.tests.factories import UserFactory, staff_user
from core.tests.helpers import sh
from notifications.choices import Event
from notifications.models import Notification
from notifications.services import Target, notification_mark_read, notifications_mark_all_read, notify

pytestmark = pytest.mark.django_db

INBOX = Target("notifications:inbox")


def tell(dealer, recipients, **extra):
    fields = {"target": INBOX, "params": {"number": "RO-1", "plate": "粤A10001"}, **extra}
    return notify(Event.QC_PASSED, recipients=recipients, dealer=dealer, **fields)


def test_each_recipient_is_told_once_but_not_the_actor_nor_an_inactive_user(dealer_a, advisor_a):
    foreman = staff_user(dealer_a, Role.FOREMAN)
    gone = UserFactory(dealers=[dealer_a], is_active=False)
    created = tell(dealer_a, [advisor_a, foreman, advisor_a, gone, None], actor=foreman)
    assert [(n.recipient, n.dealer, n.event, n.read_at) for n in created] == [
        (advisor_a, dealer_a, Event.QC_PASSED, None)
    ]
    assert Notification.objects.count() == 1


def test_a_key_sends_once_per_recipient(dealer_a, advisor_a):
    foreman = staff_user(dealer_a, Role.FOREMAN)
    assert len(tell(dealer_a, [advisor_a], key="reminder:1")) == 1
    assert [n.recipient for n in tell(dealer_a, [advisor_a, foreman], key="reminder:1")] == [foreman]
    assert tell(dealer_a, [advisor_a, foreman], key="reminder:1") == []
    assert len(tell(dealer_a, [advisor_a])) == 1  # without a key: every event is told
    assert Notification.objects.filter(recipient=advisor_a).count() == 2


def test_the_database_refuses_a_second_row_with_the_same_key(dealer_a, advisor_a):
    [first] = tell(dealer_a, [advisor_a], key="k")
    copy = Notification(recipient=advisor_a, dealer=dealer_a, event=first.event, target_url_name="notifications:inbox",
                        key="k")  # fmt: skip
    with pytest.raises(IntegrityError):
        copy.save()


def test_the_text_is_rendered_in_the_readers_language_at_display_time(dealer_a, advisor_a):
    [notification] = notify(
        Event.COMPLAINT_ASSIGNED, recipients=[advisor_a], dealer=dealer_a, target=INBOX,
        params={"number": "CP-A001-202506-0001", "category": gettext_lazy("Repair quality"),
                "severity": Severity.HIGH.label, "by": "王经理", "due": sh(2025, 6, 16, 12, 0)},
    )  # fmt: skip
    stored = Notification.objects.get(pk=notification.pk)
    with translation.override("en"):
        assert (stored.title, stored.body) == (
            "Complaint CP-A001-202506-0001 is yours",
            "Repair quality, High; assigned by 王经理. First contact due 2025-06-16 12:00.",
        )
    with translation.override("zh-hans"):  # the labels kept in every language: the Chinese reader reads Chinese
        assert stored.body.startswith("维修质量, 高") or stored.body.startswith("维修质量，高")
        assert "王经理" in stored.body and "2025-06-16 12:00" in stored.body


def test_a_parameter_that_is_missing_reads_as_a_dash(dealer_a, advisor_a):
    [notification] = notify(Event.ORDER_APPROVED, recipients=[advisor_a], dealer=dealer_a, target=INBOX,
                            params={"number": "RO-9", "promised_at": None})  # fmt: skip
    with translation.override("en"):
        assert notification.body == "—, approved by the customer; promised —."


def test_dates_are_kept_as_days_and_other_objects_are_refused(dealer_a, advisor_a):
    [notification] = notify(Event.ACTION_DUE, recipients=[advisor_a], dealer=dealer_a, target=INBOX,
                            params={"subject": "A1", "due": date(2025, 7, 1)})  # fmt: skip
    assert notification.params["due"] == {"on": "2025-07-01"}
    with pytest.raises(TypeError, match="not portable"):
        notify(Event.ACTION_DUE, recipients=[advisor_a], dealer=dealer_a, target=INBOX, params={"subject": advisor_a})
    with pytest.raises(ValueError, match="unknown notification event"):
        notify("party", recipients=[advisor_a], dealer=dealer_a, target=INBOX)
    with pytest.raises(NoReverseMatch):
        notify(Event.ACTION_DUE, recipients=[advisor_a], dealer=dealer_a, target=Target("nowhere"))
    assert Notification.objects.count() == 1


def test_the_channels_get_each_new_notification_after_the_commit(
    dealer_a, advisor_a, channel_log, django_capture_on_commit_callbacks
):
    foreman = staff_user(dealer_a, Role.FOREMAN)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = tell(dealer_a, [advisor_a, foreman])
        assert channel_log() == []  # not before the commit
    for callback in callbacks:
        callback()
    log = channel_log()
    assert len(log) == 2
    assert log[0].startswith(f"notification {created[0].pk} [qc_passed] to advisor_a at {dealer_a.pk}: ")
    assert log[0].endswith("(/notifications/)") and "RO-1" in log[0] and "粤A10001" in log[0]
    assert log[1].startswith(f"notification {created[1].pk} [qc_passed] to foreman_A001")


def test_no_channel_no_delivery_and_a_failing_channel_does_not_stop_the_others(
    dealer_a, advisor_a, settings, channel_log, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_CHANNELS = []
    with django_capture_on_commit_callbacks(execute=True):
        tell(dealer_a, [advisor_a])
    assert channel_log() == []
    settings.NOTIFICATION_CHANNELS = ["notifications.tests.test_services.BrokenChannel",
                                      "notifications.channels.LoggingChannel"]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        tell(dealer_a, [advisor_a])
    assert any(line.startswith("channel BrokenChannel failed") for line in channel_log())
    assert sum(line.startswith("notification ") for line in channel_log()) == 1


class BrokenChannel:
    def send(self, message):
        raise ConnectionError("SMS gateway down")


def test_marking_read_once_and_only_ones_own(dealer_a, advisor_a, clock):
    other = staff_user(dealer_a, Role.FOREMAN)
    [mine] = tell(dealer_a, [advisor_a])
    [theirs] = tell(dealer_a, [other])
    clock(sh(2025, 6, 16, 10))
    notification_mark_read(notification=mine, by=advisor_a)
    clock(sh(2025, 6, 16, 11))
    notification_mark_read(notification=mine, by=advisor_a)
    assert Notification.objects.get(pk=mine.pk).read_at == sh(2025, 6, 16, 10)
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(notification=theirs, by=advisor_a)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_marks_the_users_unread_of_their_dealers(dealer_a, dealer_b, advisor_a):
    tell(dealer_a, [advisor_a])
    tell(dealer_a, [advisor_a])
    tell(dealer_b, [advisor_a])  # a dealer advisor_a no longer works for: not theirs to see any more
    tell(dealer_a, [staff_user(dealer_a, Role.FOREMAN)])
    assert notifications_mark_all_read(by=advisor_a) == 2
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
