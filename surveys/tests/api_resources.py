"""The surveys' API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role
from core.tests.factories import staff_user
from surveys import services
from surveys.tests.factories import GOOD_CSI, csi, delivered_order, invite

specialist = role(Role.FOLLOWUP_SPECIALIST)


def dealer_version(dealer):
    """A dealer's own version of the shipped CSI questionnaire (the shared ones are read by every dealer)."""
    return services.questionnaire_new_version(
        source=csi(), dealer=dealer, by=staff_user(dealer, Role.SERVICE_MANAGER), name_zh="本店版", name_en="Ours",
        questions={}, factor_weights=csi().factor_weights,
    )  # fmt: skip


def answered(dealer):
    issued = invite(delivered_order(dealer))
    return services.survey_record_response(invitation_or_order=issued.invitation, answers=GOOD_CSI, channel="link")


RESOURCES = [
    ApiResource(basename="survey-questionnaire", make=dealer_version, reader=specialist),
    ApiResource(basename="survey-response", make=answered, reader=specialist),
    # Re-issuing a link is an action: surveys/tests/test_api.py.
    ApiResource(basename="survey-invitation", make=lambda dealer: invite(delivered_order(dealer)).invitation),
]

NOT_COVERED = {
    "public-survey": "no login and no dealer: the holder of a link answers its survey (surveys/tests/test_public.py)",
}
