"""Survey services: the link (secret, single use, expiry), answers, scores, the low-score task, versions."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.choices import Role
from care.choices import MessagePurpose
from care.models import OutboundMessage
from core.tests.factories import UserFactory
from core.tests.helpers import raises_because
from surveys import services
from surveys.choices import InvitationStatus, ResponseChannel
from surveys.models import DealerSurveySettings, Questionnaire, SurveyAnswer, SurveyInvitation, SurveyResponse
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, followup, invite, manager, servqual
from todo.choices import TaskKind, TaskStatus
from todo.models import Task

pytestmark = pytest.mark.django_db
LINK = ResponseChannel.LINK


def test_the_link_token_is_long_random_and_stored_only_as_its_hash(dealer_a, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    issued = invite(order, advisor_a)
    assert len(issued.token) >= 43  # 32 random bytes, URL-safe
    assert issued.link.endswith(f"/s/{issued.token}/")
    stored = SurveyInvitation.objects.get()
    assert stored.token_hash == services.token_hash(issued.token) != issued.token
    assert len(stored.token_hash) == 64
    for field in stored._meta.concrete_fields:
        assert issued.token not in str(getattr(stored, field.attname))
    assert (
        not stored.history.filter(**{"repair_order": order})
        .values_list("status", flat=True)
        .exclude(status=InvitationStatus.SENT)
    )
    assert stored.expires_at - stored.created_at == timedelta(days=14)
    other = invite(delivered_order(dealer_a, advisor_a))
    assert other.token != issued.token
    message = OutboundMessage.objects.get(pk=stored.message_id)
    assert message.purpose == MessagePurpose.SURVEY_INVITATION and issued.link in message.body
    assert "粤A·***" in message.body and order.vehicle.plate not in message.body


def test_the_token_opens_only_its_own_open_invitation(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a))
    assert services.invitation_for_token(issued.token) == issued.invitation
    for wrong in (
        "",
        issued.token[:-1],
        issued.token + "x",
        issued.token.upper(),
        "a" * 500,
        services.token_hash(issued.token),
    ):
        assert services.invitation_for_token(wrong) is None


def test_an_answered_link_cannot_be_answered_again(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a))
    response = services.survey_record_response(invitation_or_order=issued.invitation, answers=GOOD_CSI, channel=LINK)
    assert response.invitation == issued.invitation
    assert SurveyInvitation.objects.get().status == InvitationStatus.ANSWERED
    assert services.invitation_for_token(issued.token) is None
    # A second submit with the invitation object still in hand (double click): refused, nothing added.
    with pytest.raises(ValidationError) as exc:
        services.survey_record_response(invitation_or_order=issued.invitation, answers=GOOD_CSI, channel=LINK)
    assert exc.value.code == "closed"
    assert SurveyResponse.objects.count() == 1 and SurveyAnswer.objects.filter(response=response).count() == 19


def test_an_expired_link_is_closed(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a, days_ago=20))
    SurveyInvitation.objects.filter(pk=issued.invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.invitation_for_token(issued.token) is None
    issued.invitation.refresh_from_db()
    assert issued.invitation.display_status == "expired"
    with raises_because(ValidationError, "This survey is closed."):
        services.survey_record_response(invitation_or_order=issued.invitation, answers=GOOD_CSI, channel=LINK)
    assert not SurveyResponse.objects.exists()


def test_validity_comes_from_the_dealer_settings(dealer_a, advisor_a):
    DealerSurveySettings.objects.create(dealer=dealer_a, validity_days=3)
    issued = invite(delivered_order(dealer_a, advisor_a))
    assert issued.invitation.expires_at - issued.invitation.created_at == timedelta(days=3)
    DealerSurveySettings.objects.filter(dealer=dealer_a).update(invite_after_delivery=False)
    assert invite(delivered_order(dealer_a, advisor_a)) is None


def test_reissue_replaces_the_old_link(dealer_a, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    first = invite(order)
    second = services.invitation_reissue(invitation=first.invitation, by=advisor_a)
    assert services.invitation_for_token(first.token) is None
    assert services.invitation_for_token(second.token) == second.invitation
    assert second.invitation.replaces == first.invitation
    assert SurveyInvitation.objects.get(pk=first.invitation.pk).status == InvitationStatus.REPLACED
    services.survey_record_response(invitation_or_order=second.invitation, answers=GOOD_CSI, channel=LINK)
    with raises_because(ValidationError, "The customer has already answered the survey of this visit."):
        services.invitation_reissue(invitation=second.invitation, by=advisor_a)


def test_reissue_needs_the_right_and_the_dealer(dealer_a, dealer_b, advisor_a, advisor_b):
    issued = invite(delivered_order(dealer_a, advisor_a))
    technician = UserFactory(roles=[Role.TECHNICIAN], dealers=[dealer_a])
    for user, reason in (
        (advisor_b, "You cannot change the data of this dealer."),
        (technician, "You cannot send survey links."),
    ):
        with raises_because(PermissionDenied, reason):
            services.invitation_reissue(invitation=issued.invitation, by=user)
    assert SurveyInvitation.objects.count() == 1


def test_scores_are_stored_on_the_response(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a))
    answers = {**GOOD_CSI, "SA1": 5, "SA2": 3, "IMP": ["price", "wait"], "TXT": "很好"}
    response = services.survey_record_response(
        invitation_or_order=issued.invitation, answers=answers, channel=LINK, language="en"
    )
    # Every 1–5 item 75 except SA1 100 and SA2 50; SQ3 yes = 100.
    # service_advisor = (100 + 50 + 75 + 75) / 4 = 75; service_quality = (75 + 75 + 100) / 3 = 83.33
    # CSI = (19·75 + 20·75 + 20·75 + 19·75 + 22·83.333) / 100 = 76.83
    assert response.factor_scores == {
        "service_initiation": 75.0, "service_advisor": 75.0, "service_facility": 75.0, "vehicle_pickup": 75.0,
        "service_quality": 83.33,
    }  # fmt: skip
    assert response.csi_score == Decimal("76.83")
    assert response.csi_1000 == Decimal("768.30")
    assert (response.nps_score, response.nps_category) == (9, "promoter")
    # attitude: SI3 75, SA1 100, VP4 75 → 83.33 ; competence: SA2 50, SA3 75, VP2 75, SQ1 75 → 68.75
    assert response.dimension_scores["attitude"] == 83.33
    assert response.dimension_scores["competence"] == 68.75
    assert response.dimension_scores["overall"] == pytest.approx(77.78)
    assert response.low_score is False and response.follow_up_task is None
    assert response.language == "en"
    stored = {a.question.code: a for a in response.answers.select_related("question")}
    assert stored["IMP"].value_choices == ["wait", "price"] and stored["IMP"].score is None
    assert stored["TXT"].value_text == "很好"
    assert stored["SA2"].score == Decimal("50.00") and stored["SA2"].dimension == "competence"


def test_answers_that_do_not_fit_are_refused_by_question(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a))
    bad = {**GOOD_CSI, "SA1": 6, "SQ3": "maybe", "NPS": None}
    with pytest.raises(ValidationError) as exc:
        services.survey_record_response(invitation_or_order=issued.invitation, answers=bad, channel=LINK)
    assert set(exc.value.message_dict) == {"SA1", "SQ3", "NPS"}
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get().status == InvitationStatus.SENT  # still open: the customer can fix it


def test_a_low_score_opens_one_call_back_task(dealer_a, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    issued = invite(order)
    response = services.survey_record_response(
        invitation_or_order=issued.invitation, answers={**GOOD_CSI, "SA1": 2, "NPS": 6}, channel=LINK
    )
    assert response.low_score and response.low_score_items == ["SA1", "NPS"]
    task = Task.objects.get(kind=TaskKind.SURVEY_LOW_SCORE)
    assert response.follow_up_task == task
    assert (task.dealer, task.repair_order, task.customer, task.vehicle) == (
        dealer_a,
        order,
        order.customer,
        order.vehicle,
    )
    assert task.role == Role.FOLLOWUP_SPECIALIST and task.status == TaskStatus.OPEN
    due = timezone.localtime(task.due_at)
    assert due.date() == timezone.localdate(response.submitted_at) + timedelta(days=1)  # every day is a working day
    assert due.time() == time(18, 0)
    # Once per response: the second submit is refused and makes no second task.
    with raises_because(ValidationError, "This survey is closed."):
        services.survey_record_response(
            invitation_or_order=issued.invitation, answers={**GOOD_CSI, "SA1": 1}, channel=LINK
        )
    services.survey_record_response(
        invitation_or_order=invite(delivered_order(dealer_a, advisor_a)).invitation, answers=GOOD_CSI, channel=LINK
    )
    assert Task.objects.filter(kind=TaskKind.SURVEY_LOW_SCORE).count() == 1


def test_the_task_is_due_on_the_next_working_day(dealer_a, advisor_a):
    dealer_a.working_days = "12345"
    dealer_a.save()
    dealer_a.refresh_from_db()
    friday = timezone.make_aware(timezone.datetime(2026, 11, 20, 15, 0))
    assert services.next_working_day_end(dealer_a, friday).date().isoformat() == "2026-11-23"


def test_phone_survey_by_the_follow_up_specialist(dealer_a, dealer_b, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    issued = invite(order)
    caller = followup(dealer_a)
    for user, reason in (
        (advisor_a, "You cannot take phone surveys."),
        (followup(dealer_b), "You cannot change the data of this dealer."),
    ):
        with raises_because(PermissionDenied, reason):
            services.survey_record_response(invitation_or_order=order, answers=GOOD_CSI, channel="phone", by=user)
    with raises_because(ValidationError, "Without a link, a survey is taken by phone by a member of staff."):
        services.survey_record_response(invitation_or_order=order, answers=GOOD_CSI, channel="phone")
    response = services.survey_record_response(invitation_or_order=order, answers=GOOD_CSI, channel="phone", by=caller)
    assert (response.channel, response.taken_by, response.invitation) == ("phone", caller, None)
    assert response.questionnaire == issued.invitation.questionnaire
    # The link of the visit closes: the customer cannot answer twice.
    assert SurveyInvitation.objects.get().status == InvitationStatus.CLOSED
    assert services.invitation_for_token(issued.token) is None
    with raises_because(ValidationError, "The customer has already answered the survey of this visit."):
        services.survey_record_response(invitation_or_order=order, answers=GOOD_CSI, channel="phone", by=caller)


def test_a_visit_not_delivered_is_not_surveyed(dealer_a, advisor_a):
    order = delivered_order(dealer_a, advisor_a)
    order.status = "ready"
    order.save()
    with raises_because(ValidationError, "A survey is taken once the car has been delivered."):
        services.survey_record_response(
            invitation_or_order=order, answers=GOOD_CSI, channel="phone", by=followup(dealer_a)
        )


def test_dealer_questionnaire_choice_and_new_version(dealer_a, dealer_b):
    boss = manager(dealer_a)
    assert services.questionnaire_for_dealer(dealer_a) == csi()
    services.dealer_settings_update(
        dealer=dealer_a, by=boss, version=None, questionnaire=servqual(), validity_days=7, channel="record",
        invite_after_delivery=True,
    )  # fmt: skip
    assert services.questionnaire_for_dealer(dealer_a) == servqual()
    assert services.questionnaire_for_dealer(dealer_b) == csi()
    with raises_because(PermissionDenied, "You cannot change the data of this dealer."):
        services.dealer_settings_update(dealer=dealer_b, by=boss, version=None, questionnaire=None)
    copy = services.questionnaire_new_version(
        source=csi(), dealer=dealer_a, by=boss, name_zh="本店CSI", name_en="Our CSI",
        factor_weights={**csi().factor_weights, "service_quality": 40},
        questions={"SA1": {"text_zh": "顾问是否热情？", "weight": Decimal("2")}}, use_now=True,
    )  # fmt: skip
    assert (copy.version, copy.dealer, copy.previous) == (2, dealer_a, csi())
    assert copy.factor_weights["service_quality"] == 40
    assert copy.questions.count() == csi().questions.count()
    assert copy.questions.get(code="SA1").text_zh == "顾问是否热情？"
    assert csi().questions.get(code="SA1").text_zh == "服务顾问的服务态度"  # the published version is unchanged
    assert services.questionnaire_for_dealer(dealer_a) == copy
    with raises_because(ValidationError, "At least one CSI factor needs a weight above zero."):
        services.questionnaire_new_version(
            source=csi(), dealer=dealer_a, by=boss, name_zh="x", name_en="", questions={},
            factor_weights={f: 0 for f in csi().factor_weights},
        )  # fmt: skip
    with raises_because(PermissionDenied, "Only a service manager changes questionnaires."):
        services.questionnaire_new_version(
            source=copy, dealer=dealer_a, by=followup(dealer_a), name_zh="x", name_en="", questions={},
            factor_weights=csi().factor_weights,
        )  # fmt: skip
    assert Questionnaire.objects.count() == 3


def test_delivery_sends_the_survey_link(dealer_a, advisor_a, vehicle_a):
    """The hook in repair_order_deliver: the real delivery path sends one link."""
    from repairs.tests.factories import make_order

    order = make_order(vehicle_a, advisor_a, "delivered")
    invitation = SurveyInvitation.objects.get(repair_order=order)
    assert invitation.status == InvitationStatus.SENT and invitation.created_by == advisor_a
    assert invitation.questionnaire == csi()
    assert (
        OutboundMessage.objects.filter(purpose=MessagePurpose.SURVEY_INVITATION, customer=order.customer).count() == 1
    )
