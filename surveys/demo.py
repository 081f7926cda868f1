"""Demo surveys: a link after every delivered demo visit, answers whose rate and scores differ by dealer.

Dealers take the quality profile of repairs.demo in the same order (good, middling, weak): a good
dealer's customers answer more often and score higher, so C1, C2, E1 and E2 differ between dealers.
Every demo dealer asks with the shipped CSI after-sales questionnaire, so their scores compare like
with like (SERVQUAL stays available for a dealer to choose). Customers answer the link between 08:00
and 22:00; the follow-up specialist takes phone answers during opening hours. Rows are built in bulk
with their own timestamps; the scores come from surveys.scoring like live ones.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from simple_history.utils import bulk_create_with_history

from accounts.choices import Role
from care.choices import MessageChannel, MessagePurpose, MessageStatus
from care.models import OutboundMessage
from core.demo import DemoContext
from repairs.choices import JobType
from repairs.models import RepairOrder
from surveys import scoring
from surveys.choices import InvitationStatus, ResponseChannel
from surveys.models import (
    DEFAULT_VALIDITY_DAYS,
    DealerSurveySettings,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from surveys.services import (
    default_questionnaire,
    invitation_text,
    next_working_day_end,
    score_decimal,
    survey_path,
    token_hash,
)
from todo.choices import TaskKind, TaskStatus
from todo.models import Task


@dataclass(frozen=True)
class SurveyProfile:
    """How a dealer's customers answer."""

    answer_rate: float  # share of visits answered (link or phone)
    mood: float  # mean 1–5 rating
    fixed: float  # share of repairs fixed the first time
    phone_share: float  # share of the answers taken by phone


PROFILES = [
    SurveyProfile(0.62, 4.55, 0.96, 0.35),
    SurveyProfile(0.48, 4.15, 0.9, 0.3),
    SurveyProfile(0.33, 3.55, 0.8, 0.25),
]
COMMENTS = [
    "服务很好，谢谢",
    "等待时间有点长",
    "顾问解释得很清楚",
    "价格偏高",
    "休息区可以再舒适一些",
    "希望提前电话告知进度",
]


def _token(ctx: DemoContext) -> str:
    return base64.urlsafe_b64encode(ctx.rng.getrandbits(256).to_bytes(32, "big")).rstrip(b"=").decode()


ANSWER_HOURS = (8, 22)  # when people answer a survey link on their phone (local time)


def _link_answer_time(ctx: DemoContext, dealer, moment: datetime) -> datetime:
    """``moment`` if it falls between 08:00 and 22:00 local time, else a time in those hours the next day."""
    zone = ctx.calendar(dealer).zone
    local = moment.astimezone(zone)
    if ANSWER_HOURS[0] <= local.hour < ANSWER_HOURS[1]:
        return local
    day = local.date() + timedelta(days=1) if local.hour >= ANSWER_HOURS[1] else local.date()
    minutes = ctx.rng.randint(ANSWER_HOURS[0] * 60, ANSWER_HOURS[1] * 60 - 1)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)


def _answers(ctx: DemoContext, profile: SurveyProfile, questions, order) -> dict:
    rng = ctx.rng
    base = rng.gauss(profile.mood, 0.55)
    out = {}
    for q in questions:
        if q.kind == "likert5":
            out[q.code] = max(1, min(5, round(base + rng.gauss(0, 0.45))))
        elif q.kind == "likert10":
            out[q.code] = max(1, min(10, round(1 + (base - 1) / 4 * 9 + rng.gauss(0, 0.7))))
        elif q.kind == "nps":
            out[q.code] = max(0, min(10, round(base * 2 + rng.gauss(0, 1.0))))
        elif q.kind == "single":
            if order.job_type in (JobType.MAINTENANCE, JobType.INSPECTION):
                out[q.code] = "na"
            else:
                out[q.code] = "yes" if rng.random() < profile.fixed else "no"
        elif q.kind == "multi" and rng.random() < 0.5:
            out[q.code] = rng.sample([str(o["value"]) for o in q.options], rng.randint(1, 2))
        elif q.kind == "text" and rng.random() < 0.2:
            out[q.code] = rng.choice(COMMENTS)
    return out


def create_surveys(ctx: DemoContext) -> None:
    """Invitations after the delivered demo visits; answers by link or phone; call-back tasks after low scores."""
    csi = default_questionnaire()
    if csi is None:
        ctx.say("  no shipped questionnaire: surveys skipped")
        return
    totals = {"invitations": 0, "responses": 0, "low": 0}
    example_link = ""
    for index, dealer in enumerate(ctx.dealers, start=1):
        profile = PROFILES[(index - 1) % len(PROFILES)]
        questionnaire = csi
        DealerSurveySettings.objects.create(dealer=dealer, questionnaire=None)  # the shipped default
        questions = list(questionnaire.questions.order_by("position", "id"))
        specs = [q.spec() for q in questions]
        by_code = {q.code: q for q in questions}
        caller = ctx.users.get(f"care{index}")
        orders = list(
            RepairOrder.objects.filter(dealer=dealer, delivered_at__isnull=False)
            .select_related("dealer", "customer", "vehicle")
            .order_by("delivered_at", "id")
        )
        invitations, messages, responses, answer_sets = [], [], [], []
        for order in orders:
            token = _token(ctx)
            sent = order.delivered_at
            invitation = SurveyInvitation(
                dealer=dealer, repair_order=order, customer=order.customer, questionnaire=questionnaire,
                token_hash=token_hash(token), created_at=sent, expires_at=sent + timedelta(days=DEFAULT_VALIDITY_DAYS),
            )  # fmt: skip
            link = survey_path(token)
            messages.append(
                OutboundMessage(
                    dealer=dealer,
                    customer=order.customer,
                    channel=MessageChannel.RECORD,
                    purpose=MessagePurpose.SURVEY_INVITATION,
                    recipient=order.customer.mobile,
                    body=invitation_text(order=order, link=link, expires_at=invitation.expires_at),
                    status=MessageStatus.RECORDED,
                )
            )
            invitations.append(invitation)
            if ctx.rng.random() >= profile.answer_rate:
                if invitation.expires_at > ctx.latest and not example_link:
                    example_link = link
                continue
            by_phone = caller is not None and ctx.rng.random() < profile.phone_share
            if by_phone:  # the specialist's survey call, a working day 3–7 days after delivery
                day = sent.astimezone(ctx.calendar(dealer).zone).date() + timedelta(days=ctx.rng.randint(3, 7))
                if ctx.working_day(dealer, day) > ctx.until:
                    continue
                submitted = ctx.open_moment(dealer, day, earliest=time(9))
            else:
                submitted = _link_answer_time(ctx, dealer, sent + timedelta(days=ctx.rng.uniform(0.1, 6)))
            if submitted > ctx.latest or submitted > invitation.expires_at:
                continue
            checked, errors = scoring.check_answers(specs, _answers(ctx, profile, questions, order))
            if errors:  # the generator always fits the questions; a change of template must not pass silently
                raise RuntimeError(f"demo answers do not fit {questionnaire}: {errors}")
            result = scoring.score_response(specs, checked, questionnaire.factor_weights)
            if by_phone:
                invitation.status = InvitationStatus.CLOSED
            else:
                invitation.status, invitation.answered_at = InvitationStatus.ANSWERED, submitted
            responses.append(
                SurveyResponse(
                    dealer=dealer,
                    questionnaire=questionnaire,
                    repair_order=order,
                    customer=order.customer,
                    vehicle=order.vehicle,
                    channel=ResponseChannel.PHONE if by_phone else ResponseChannel.LINK,
                    taken_by=caller if by_phone else None,
                    language="zh-hans",
                    submitted_at=submitted,
                    csi_score=score_decimal(result.csi),
                    nps_score=result.nps,
                    nps_category=result.nps_category,
                    factor_scores={f: round(v, 2) for f, v in result.factor_scores.items()},
                    dimension_scores={d: round(v, 2) for d, v in result.dimension_scores.items()},
                    low_score=result.low,
                    low_score_items=result.low_items,
                )
            )
            answer_sets.append((invitation, result))
        created_messages = OutboundMessage.objects.bulk_create(messages, batch_size=1000)
        for invitation, message in zip(invitations, created_messages, strict=True):
            invitation.message = message
        bulk_create_with_history(invitations, SurveyInvitation, default_user=ctx.admin, batch_size=1000)
        for message, invitation in zip(created_messages, invitations, strict=True):
            message.created_at = invitation.created_at
        OutboundMessage.objects.bulk_update(created_messages, ["created_at"], batch_size=1000)
        for response, (invitation, _result) in zip(responses, answer_sets, strict=True):
            if response.channel == ResponseChannel.LINK:
                response.invitation = invitation
        bulk_create_with_history(responses, SurveyResponse, default_user=ctx.admin, batch_size=1000)
        answers, tasks = [], []
        for response, (_invitation, result) in zip(responses, answer_sets, strict=True):
            for a in result.answers:
                q = by_code[a.code]
                answers.append(
                    SurveyAnswer(
                        response=response,
                        question=q,
                        value_number=a.number,
                        value_text=a.text,
                        value_choices=a.choices,
                        score=score_decimal(a.score),
                        low=a.low,
                        dimension=q.dimension,
                        csi_factor=q.csi_factor,
                    )
                )
            if response.low_score:
                due = next_working_day_end(dealer, response.submitted_at)
                done = due < ctx.latest and ctx.rng.random() < 0.8
                tasks.append(
                    Task(
                        dealer=dealer,
                        kind=TaskKind.SURVEY_LOW_SCORE,
                        title=f"{TaskKind.SURVEY_LOW_SCORE.label}: {response.repair_order.number} {response.customer}",
                        due_at=due,
                        role=Role.FOLLOWUP_SPECIALIST,
                        customer=response.customer,
                        vehicle=response.vehicle,
                        repair_order=response.repair_order,
                        status=TaskStatus.DONE if done else TaskStatus.OPEN,
                        done_at=min(due, ctx.latest) if done else None,
                        outcome="已致电客户致歉并约定复检" if done else "",
                    )
                )
        SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
        low_responses = [r for r in responses if r.low_score]
        bulk_create_with_history(tasks, Task, default_user=ctx.admin)
        for response, task in zip(low_responses, tasks, strict=True):
            response.follow_up_task = task
        SurveyResponse.objects.bulk_update(low_responses, ["follow_up_task"], batch_size=1000)
        totals["invitations"] += len(invitations)
        totals["responses"] += len(responses)
        totals["low"] += len(low_responses)
    ctx.say(
        f"  {totals['invitations']} survey invitations, {totals['responses']} responses, {totals['low']} low scores"
    )
    if example_link:
        ctx.say(f"  an open demo survey link: {example_link}")
