"""The survey link leaves only with a committed delivery; a questionnaire put to use moves the settings version."""

from decimal import Decimal

import pytest
from django.db import transaction

from care.choices import MessageChannel, MessagePurpose, MessageStatus
from care.messaging import LoggingSender
from care.models import OutboundMessage
from core.services import ConflictError
from repairs import services as repairs
from repairs.choices import PaymentMethod
from repairs.tests.factories import make_order
from surveys import services
from surveys.models import DealerSurveySettings, SurveyInvitation
from surveys.tests.factories import csi, manager

pytestmark = pytest.mark.django_db
SENT: list[tuple[int, str]] = []


class RecordingSender(LoggingSender):
    """The SMS gateway of these tests: remembers what it was asked to send."""

    def send(self, message):
        SENT.append((message.pk, message.body))
        return super().send(message)


@pytest.fixture
def sms_gateway(settings, dealer_a):
    SENT.clear()
    settings.CARE_MESSAGE_SENDERS = {MessageChannel.SMS: "surveys.tests.test_sending.RecordingSender"}
    DealerSurveySettings.objects.create(dealer=dealer_a, channel=MessageChannel.SMS)
    yield SENT
    SENT.clear()


def deliver(order, advisor):
    owed = repairs.repair_order_totals(order=order).customer.total
    return repairs.repair_order_deliver(
        order=order, by=advisor, version=order.version, work_explained=True,
        payment_method=PaymentMethod.CARD if owed > 0 else PaymentMethod.NONE,
    )  # fmt: skip


def test_a_delivery_that_rolls_back_sends_no_survey_link(
    dealer_a, advisor_a, vehicle_a, sms_gateway, django_capture_on_commit_callbacks
):
    order = make_order(vehicle_a, advisor_a, "ready")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        deliver(order, advisor_a)
        assert SurveyInvitation.objects.filter(repair_order=order).exists()
        raise RuntimeError("the request failed after the delivery")
    assert sms_gateway == []
    assert not SurveyInvitation.objects.filter(repair_order=order).exists()
    assert not OutboundMessage.objects.filter(purpose=MessagePurpose.SURVEY_INVITATION).exists()


def test_a_committed_delivery_sends_the_link_once_after_commit(
    dealer_a, advisor_a, vehicle_a, sms_gateway, django_capture_on_commit_callbacks
):
    order = make_order(vehicle_a, advisor_a, "ready")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver(order, advisor_a)
        message = OutboundMessage.objects.get(purpose=MessagePurpose.SURVEY_INVITATION)
        assert message.status == MessageStatus.RECORDED and sms_gateway == []  # saved, not yet sent
    for callback in callbacks:
        callback()
    invitation = SurveyInvitation.objects.get(repair_order=order)
    assert invitation.message == message
    assert [pk for pk, _body in sms_gateway] == [message.pk]
    message.refresh_from_db()
    assert (message.status, message.detail) == (MessageStatus.SENT, "logged")


def test_reissue_inside_a_failed_transaction_sends_nothing(
    dealer_a, advisor_a, vehicle_a, sms_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order(vehicle_a, advisor_a, "delivered")
    assert len(sms_gateway) == 1
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_reissue(order=order, by=manager(dealer_a))
        raise RuntimeError("rolled back")
    assert len(sms_gateway) == 1
    assert SurveyInvitation.objects.filter(repair_order=order).count() == 1


def test_using_a_new_questionnaire_version_conflicts_with_an_open_settings_form(dealer_a):
    boss = manager(dealer_a)
    opened = services.dealer_settings_update(
        dealer=dealer_a, by=boss, version=None, questionnaire=None, validity_days=7, channel="record",
        invite_after_delivery=True,
    )  # fmt: skip
    form_version = opened.version
    copy = services.questionnaire_new_version(
        source=csi(), dealer=dealer_a, by=boss, name_zh="本店CSI", name_en="Our CSI",
        factor_weights=csi().factor_weights, questions={"SA1": {"weight": Decimal("2")}}, use_now=True,
    )  # fmt: skip
    current = DealerSurveySettings.objects.get(dealer=dealer_a)
    assert (current.questionnaire, current.version) == (copy, form_version + 1)
    with pytest.raises(ConflictError):  # the form opened before would silently put the old questionnaire back
        services.dealer_settings_update(
            dealer=dealer_a, by=boss, version=form_version, questionnaire=None, validity_days=7, channel="record",
            invite_after_delivery=True,
        )  # fmt: skip
    current.refresh_from_db()
    assert current.questionnaire == copy
