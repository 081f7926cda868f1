"""Real concurrent transactions on PostgreSQL: a double-click sends the same answers twice at the same moment."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from surveys import services
from surveys.models import SurveyAnswer, SurveyResponse
from surveys.tests.factories import GOOD_CSI, delivered_order, invite
from todo.models import Task

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_submits_of_one_link_at_once_record_one_response(dealer_a, advisor_a):
    issued = invite(delivered_order(dealer_a, advisor_a))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            invitation = services.invitation_for_token(issued.token)  # each request looks the link up itself
            barrier.wait(timeout=10)
            services.survey_record_response(
                invitation_or_order=invitation, answers={**GOOD_CSI, "NPS": 2}, channel="link"
            )
            result = "recorded"
        except ValidationError as exc:
            result = exc.code or "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["closed", "recorded"]
    response = SurveyResponse.objects.get()
    assert SurveyAnswer.objects.filter(response=response).count() == 19
    assert Task.objects.filter(kind="survey_low_score").count() == 1


def test_two_copies_of_a_questionnaire_at_once_get_consecutive_versions(dealer_a):
    from surveys.models import Questionnaire
    from surveys.tests.factories import csi, manager

    boss, source = manager(dealer_a), csi()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def copy(name: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.questionnaire_new_version(
                source=source, dealer=dealer_a, by=boss, name_zh=name, name_en="", questions={},
                factor_weights=source.factor_weights,
            )  # fmt: skip
            result = "copied"
        except Exception as exc:  # an IntegrityError here is the bug: the service must serialise the copies
            result = type(exc).__name__
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=copy, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["copied", "copied"]
    assert sorted(Questionnaire.objects.filter(dealer=dealer_a).values_list("version", flat=True)) == [2, 3]
