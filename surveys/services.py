"""Writes of satisfaction surveys: invitations with secret links, responses with their scores, templates.

The link's token is ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is stored, so the link
exists in clear only in the message sent to the customer. A lookup hashes the presented token and
finds the row by that hash (no character-by-character comparison of secrets, no enumeration: an
unknown, expired, replaced or used token all look the same to the caller).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from care.choices import MessagePurpose
from care.messaging import send_message
from core.dates import local_moment
from core.permissions import require
from core.services import save_next_version, save_versioned
from organization.models import Dealer
from repairs.choices import RepairOrderStatus
from repairs.models import RepairOrder
from surveys import scoring
from surveys.choices import CsiFactor, InvitationStatus, ResponseChannel
from surveys.models import (
    DEFAULT_VALIDITY_DAYS,
    DealerSurveySettings,
    Question,
    Questionnaire,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from surveys.shipped import DEFAULT_CODE, install_shipped
from todo.choices import TaskKind
from todo.services import task_create

logger = logging.getLogger(__name__)
SURVEYED_ORDER_STATUSES = frozenset({RepairOrderStatus.DELIVERED, RepairOrderStatus.CLOSED})
TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def survey_path(token: str) -> str:
    return reverse("surveys:public", args=[token])


def survey_link(token: str, *, base_url: str | None = None) -> str:
    """The absolute link (``SURVEY_PUBLIC_BASE_URL`` or the request's site), else the path alone."""
    base = base_url if base_url is not None else getattr(settings, "SURVEY_PUBLIC_BASE_URL", "")
    return f"{base.rstrip('/')}{survey_path(token)}"


# --- which questionnaire -------------------------------------------------------------------------------------


def dealer_settings(dealer: Dealer) -> DealerSurveySettings:
    """The dealer's survey settings (defaults when never saved; not written)."""
    found = DealerSurveySettings.objects.filter(dealer=dealer).select_related("questionnaire").first()
    return found or DealerSurveySettings(dealer=dealer, validity_days=DEFAULT_VALIDITY_DAYS)


def default_questionnaire() -> Questionnaire | None:
    """The latest active shared CSI questionnaire.

    The migration installs the shipped questionnaires; a database emptied since (a flush) gets them
    back here, so a delivery never goes without its survey.
    """
    found = Questionnaire.objects.filter(dealer__isnull=True, code=DEFAULT_CODE, is_active=True).order_by("-version")
    questionnaire = found.first()
    if questionnaire is None and not Questionnaire.objects.filter(dealer__isnull=True, code=DEFAULT_CODE).exists():
        install_shipped(Questionnaire, Question)
        questionnaire = found.first()
    return questionnaire


def questionnaire_for_dealer(dealer: Dealer) -> Questionnaire:
    """The questionnaire the dealer's customers answer now: its chosen one, else the shared CSI."""
    chosen = dealer_settings(dealer).questionnaire
    questionnaire = chosen if chosen is not None and chosen.is_active else default_questionnaire()
    if questionnaire is None:
        raise ValidationError(_("No questionnaire is available: ask the administrator to install one."))
    return questionnaire


@transaction.atomic
def dealer_settings_update(
    *, dealer: Dealer, by: User, version: int | None, questionnaire: Questionnaire | None, **fields
) -> DealerSurveySettings:
    """Choose the dealer's questionnaire, link validity, sending channel and whether delivery sends a link."""
    require(
        by,
        "surveys.change_dealersurveysettings",
        dealer=dealer,
        message=_("Only a service manager changes the survey settings."),
    )
    if questionnaire is not None and questionnaire.dealer_id not in (None, dealer.pk):
        raise ValidationError({"questionnaire": _("This questionnaire belongs to another dealer.")})
    current, created = DealerSurveySettings.objects.get_or_create(dealer=dealer)
    for name, value in fields.items():
        setattr(current, name, value)
    current.questionnaire = questionnaire
    current._history_user = by
    if created:
        current.full_clean()
        current.save()
        return current
    return save_versioned(current, expected_version=version)


# --- invitations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation and its link: the only moment the link is known in clear."""

    invitation: SurveyInvitation
    token: str
    link: str


def mask_plate(plate: str) -> str:
    """粤A12345 -> 粤A·***45: enough for the customer to recognise the car, useless to anyone else."""
    plate = plate or ""
    if len(plate) <= 4:
        return "***"
    return f"{plate[:2]}·***{plate[-2:]}"


def invitation_text(*, order: RepairOrder, link: str, expires_at: datetime) -> str:
    """The message to the customer (Chinese: the customer's language is not known here)."""
    visit = timezone.localdate(order.delivered_at or order.arrived_at)
    return (
        f"【{order.dealer.name}】尊敬的{order.customer.name}，感谢您{visit:%m月%d日}到店"
        f"（车牌 {mask_plate(order.vehicle.plate)}）。请花两分钟评价本次服务：{link} "
        f"（{timezone.localdate(expires_at):%m月%d日}前有效）"
    )


def _issue(
    *, order: RepairOrder, by: User | None, replaces: SurveyInvitation | None = None, base_url: str | None = None
) -> IssuedInvitation:
    dealer_conf = dealer_settings(order.dealer)
    questionnaire = replaces.questionnaire if replaces is not None else questionnaire_for_dealer(order.dealer)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    invitation = SurveyInvitation(
        dealer=order.dealer, repair_order=order, customer=order.customer, questionnaire=questionnaire,
        token_hash=token_hash(token), created_at=now, created_by=by,
        expires_at=now + timedelta(days=dealer_conf.validity_days), replaces=replaces,
    )  # fmt: skip
    invitation._history_user = by
    invitation.save()
    link = survey_link(token, base_url=base_url)
    invitation.message = send_message(
        dealer=order.dealer, customer=order.customer, purpose=MessagePurpose.SURVEY_INVITATION,
        body=invitation_text(order=order, link=link, expires_at=invitation.expires_at),
        channel=dealer_conf.channel or None, by=by,
    )  # fmt: skip
    invitation.save(update_fields=["message"])
    return IssuedInvitation(invitation=invitation, token=token, link=link)


def survey_invite_after_delivery(*, order: RepairOrder, by: User | None) -> IssuedInvitation | None:
    """Called by repair_order_deliver inside its transaction: send the survey link unless the dealer turned it off.

    A delivery never fails because of the survey: without a usable questionnaire no link is sent (logged).
    """
    if not dealer_settings(order.dealer).invite_after_delivery:
        return None
    if SurveyResponse.objects.filter(repair_order=order).exists():
        return None
    try:
        questionnaire_for_dealer(order.dealer)
    except ValidationError:
        logger.warning("no questionnaire for dealer %s: no survey link sent for %s", order.dealer_id, order.pk)
        return None
    return _issue(order=order, by=by)


@transaction.atomic
def invitation_reissue(
    *, invitation: SurveyInvitation | None = None, order: RepairOrder | None = None, by: User, base_url=None
) -> IssuedInvitation:
    """Send a new link (the customer lost it or it expired); the previous open link stops working.

    Give the invitation to replace, or a delivered repair order that has none yet.
    """
    if invitation is not None:
        order = invitation.repair_order
    require(by, "surveys.change_surveyinvitation", dealer=order.dealer_id, message=_("You cannot send survey links."))
    order = RepairOrder.objects.select_related("dealer", "customer", "vehicle").select_for_update().get(pk=order.pk)
    if order.status not in SURVEYED_ORDER_STATUSES:
        raise ValidationError(_("A survey is sent once the car has been delivered."))
    if SurveyResponse.objects.filter(repair_order=order).exists():
        raise ValidationError(_("The customer has already answered the survey of this visit."))
    open_ones = SurveyInvitation.objects.filter(repair_order=order, status=InvitationStatus.SENT)
    previous = invitation or open_ones.order_by("-created_at").first()
    for old in open_ones:
        old.status = InvitationStatus.REPLACED
        old._history_user = by
        old.save(update_fields=["status"])
    return _issue(order=order, by=by, replaces=previous, base_url=base_url)


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The open invitation of this link, or None (unknown, expired, replaced and used links alike)."""
    if not token or len(token) > 128:
        return None
    invitation = (
        SurveyInvitation.objects.filter(token_hash=token_hash(token))
        .select_related("dealer", "repair_order__vehicle", "questionnaire")
        .first()
    )
    if invitation is None or invitation.status != InvitationStatus.SENT or invitation.expires_at <= timezone.now():
        return None
    return invitation


def public_survey_header(invitation: SurveyInvitation) -> dict:
    """What the public page may show about the visit: the dealer's name, the visit date, the masked plate."""
    order = invitation.repair_order
    return {
        "dealer_name": invitation.dealer.name,
        "visit_date": timezone.localdate(order.delivered_at or order.arrived_at),
        "plate": mask_plate(order.vehicle.plate),
        "expires_at": invitation.expires_at,
    }


# --- responses -----------------------------------------------------------------------------------------------

ERROR_MESSAGES = {
    "required": lambda e: _("Please answer this question."),
    "not_a_number": lambda e: _("Choose a number on the scale."),
    "out_of_range": lambda e: _("Choose a number from %(low)s to %(high)s.") % {"low": e.low, "high": e.high},
    "unknown_option": lambda e: _("Choose one of the options offered."),
    "not_text": lambda e: _("Please write your answer as text."),
    "too_long": lambda e: _("Please keep it under %(n)s characters.") % {"n": e.high},
}


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(questionnaire.questions.order_by("position", "id"))


def check_answers(questionnaire: Questionnaire, answers: dict, questions: list[Question] | None = None):
    """Checked answers, or a ValidationError whose fields are the question codes."""
    questions = questions if questions is not None else questions_of(questionnaire)
    checked, errors = scoring.check_answers([q.spec() for q in questions], answers or {})
    if errors:
        raise ValidationError({code: ERROR_MESSAGES[e.code](e) for code, e in errors.items()})
    return questions, checked


def next_working_day_end(dealer: Dealer, now: datetime) -> datetime:
    day = timezone.localdate(now)
    weekdays = dealer.working_weekdays or list(range(1, 8))
    for _step in range(7):
        day += timedelta(days=1)
        if day.isoweekday() in weekdays:
            break
    return local_moment(day, dealer.closes_at)


def _open_low_score_task(response: SurveyResponse, by: User | None) -> None:
    if response.follow_up_task_id is not None:
        return
    order = response.repair_order
    items = ", ".join(response.low_score_items)
    response.follow_up_task = task_create(
        dealer=response.dealer, kind=TaskKind.SURVEY_LOW_SCORE,
        title=f"{TaskKind.SURVEY_LOW_SCORE.label}: {order.number} {order.customer} ({items})"[:200],
        due_at=next_working_day_end(response.dealer, response.submitted_at), role=Role.FOLLOWUP_SPECIALIST,
        by=by, customer=response.customer, vehicle=response.vehicle, repair_order=order,
    )  # fmt: skip
    response.save(update_fields=["follow_up_task"])


def score_decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


@transaction.atomic
def survey_record_response(
    *,
    invitation_or_order: SurveyInvitation | RepairOrder,
    answers: dict,
    channel: str,
    by: User | None = None,
    language: str = "",
    submitted_at: datetime | None = None,
) -> SurveyResponse:
    """Record a customer's answers (from the link, or taken by phone by ``by``) with their scores.

    Refused when the answers do not fit the questions (errors by question code), when the link is no
    longer open (also the second of two simultaneous submits: the invitation is claimed by a
    conditional UPDATE) and when the visit already has a response. A low score opens one call-back task.
    """
    now = timezone.now()
    if isinstance(invitation_or_order, SurveyInvitation):
        invitation = invitation_or_order
        if channel != ResponseChannel.LINK:
            raise ValidationError({"channel": _("An invitation is answered through its link.")})
        order = RepairOrder.objects.select_related("dealer", "customer", "vehicle").get(pk=invitation.repair_order_id)
        questionnaire = invitation.questionnaire
    else:
        invitation, order = None, invitation_or_order
        if channel != ResponseChannel.PHONE or by is None:
            raise ValidationError({"channel": _("Without a link, a survey is taken by phone by a member of staff.")})
        require(by, "surveys.add_surveyresponse", dealer=order.dealer_id, message=_("You cannot take phone surveys."))
        order = RepairOrder.objects.select_related("dealer", "customer", "vehicle").get(pk=order.pk)
        if order.status not in SURVEYED_ORDER_STATUSES:
            raise ValidationError(_("A survey is taken once the car has been delivered."))
        open_invitation = order.survey_invitations.filter(status=InvitationStatus.SENT, expires_at__gt=now).first()
        questionnaire = open_invitation.questionnaire if open_invitation else questionnaire_for_dealer(order.dealer)
    questions, checked = check_answers(questionnaire, answers)
    if invitation is not None:
        claimed = SurveyInvitation.objects.filter(
            pk=invitation.pk, status=InvitationStatus.SENT, expires_at__gt=now
        ).update(status=InvitationStatus.ANSWERED, answered_at=now)
        if not claimed:
            raise ValidationError(_("This survey is closed."), code="closed")
    if SurveyResponse.objects.filter(repair_order=order).exists():
        raise ValidationError(_("The customer has already answered the survey of this visit."), code="answered")
    result = scoring.score_response([q.spec() for q in questions], checked, questionnaire.factor_weights)
    response = SurveyResponse(
        dealer=order.dealer, questionnaire=questionnaire, invitation=invitation, repair_order=order,
        customer=order.customer, vehicle=order.vehicle, channel=channel,
        taken_by=by if channel == ResponseChannel.PHONE else None, language=language[:10],
        submitted_at=submitted_at or now, csi_score=score_decimal(result.csi), nps_score=result.nps,
        nps_category=result.nps_category,
        factor_scores={f: round(s, 2) for f, s in result.factor_scores.items()},
        dimension_scores={d: round(s, 2) for d, s in result.dimension_scores.items()},
        low_score=result.low, low_score_items=result.low_items,
    )  # fmt: skip
    response._history_user = by
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # a concurrent response for the same visit won
        raise ValidationError(
            _("The customer has already answered the survey of this visit."), code="answered"
        ) from exc
    by_code = {q.code: q for q in questions}
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            response=response,
            question=by_code[a.code],
            value_number=a.number,
            value_text=a.text,
            value_choices=a.choices,
            score=score_decimal(a.score),
            low=a.low,
            dimension=by_code[a.code].dimension,
            csi_factor=by_code[a.code].csi_factor,
        )
        for a in result.answers
    )
    # The visit is answered: any other link of it stops working.
    SurveyInvitation.objects.filter(repair_order=order, status=InvitationStatus.SENT).update(
        status=InvitationStatus.CLOSED
    )
    if response.low_score:
        _open_low_score_task(response, by)
    return response


# --- questionnaire versions ----------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_new_version(
    *,
    source: Questionnaire,
    dealer: Dealer,
    by: User,
    name_zh: str,
    name_en: str,
    factor_weights: dict[str, float],
    questions: dict[str, dict],
    use_now: bool = False,
) -> Questionnaire:
    """Copy a questionnaire to a new version of the dealer's own with edited names, weights and question texts.

    ``questions`` maps a question code to the changed fields (text_zh, text_en, weight, required);
    the published source is never changed, and responses keep pointing at the version answered.
    """
    require(by, "surveys.add_questionnaire", dealer=dealer, message=_("Only a service manager changes questionnaires."))
    if source.dealer_id not in (None, dealer.pk):
        raise ValidationError(_("This questionnaire belongs to another dealer."))
    errors = {}
    weights = {}
    for factor, weight in (factor_weights or {}).items():
        if factor not in CsiFactor.values:
            errors["factor_weights"] = _("Unknown CSI factor %(factor)s.") % {"factor": factor}
            continue
        weight = Decimal(str(weight))
        if weight < 0 or weight > 100:
            errors["factor_weights"] = _("A factor weight is between 0 and 100.")
        weights[factor] = float(weight)
    used = set(source.questions.exclude(csi_factor="").values_list("csi_factor", flat=True))
    if used and not any(weights.get(f, 0) > 0 for f in used):
        errors["factor_weights"] = _("At least one CSI factor needs a weight above zero.")
    if not (name_zh or "").strip():
        errors["name_zh"] = _("Give the questionnaire a name.")
    if errors:
        raise ValidationError(errors)
    # Two copies at once would both count the same latest version and hit the unique (dealer, code, version):
    # the dealer row is the lock (an aggregate cannot be locked, and there may be no row yet to lock).
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
    latest = Questionnaire.objects.filter(dealer=dealer, code=source.code).aggregate(latest=Max("version"))["latest"]
    shared_latest = Questionnaire.objects.filter(dealer__isnull=True, code=source.code).aggregate(
        latest=Max("version")
    )["latest"]
    copy = Questionnaire(
        dealer=dealer, code=source.code, version=max(latest or 0, shared_latest or 0, source.version) + 1,
        name_zh=name_zh.strip(), name_en=(name_en or "").strip(), intro_zh=source.intro_zh,
        intro_en=source.intro_en, factor_weights=weights, previous=source, created_by=by,
    )  # fmt: skip
    copy._history_user = by
    copy.full_clean()
    copy.save()
    new_questions = []
    for question in questions_of(source):
        changes = questions.get(question.code, {})
        question.pk, question.id, question.questionnaire = None, None, copy
        for name in ("text_zh", "text_en", "weight", "required"):
            if name in changes:
                setattr(question, name, changes[name])
        try:
            question.full_clean(exclude=["questionnaire"])
        except ValidationError as exc:
            raise ValidationError({question.code: exc.messages}) from exc
        new_questions.append(question)
    Question.objects.bulk_create(new_questions)
    if use_now:
        current, created = DealerSurveySettings.objects.select_for_update().get_or_create(dealer=dealer)
        current.questionnaire = copy
        current._history_user = by
        if created:
            current.save()
        else:  # a settings form opened before must not silently put the old questionnaire back
            save_next_version(current, clean=False)
    return copy
