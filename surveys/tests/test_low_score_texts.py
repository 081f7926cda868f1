"""Low-scored survey items are listed by the question's text (in the reader's language), not by its code."""

from __future__ import annotations

import re
from html import escape

import pytest

from core.tests.helpers import login
from surveys.models import Question
from surveys.tests.factories import followup
from surveys.tests.test_views import answered

pytestmark = pytest.mark.django_db


def test_low_score_items_read_as_question_texts(dealer_a, advisor_a, django_assert_max_num_queries):
    response = answered(dealer_a, advisor_a, SA1=1)
    assert response.low_score_items[:1] == ["SA1"]
    question = Question.objects.get(questionnaire=response.questionnaire, code="SA1")
    client = login(followup(dealer_a))
    detail = client.get(f"/surveys/responses/{response.pk}/").content.decode()
    badge = re.search(r'<dt>Low score</dt><dd><span class="badge red">(.*?)</span>', detail).group(1)
    assert escape(question.text_en) in badge and "SA1" not in badge
    results = client.get("/surveys/results/").content.decode()
    low_row = re.search(rf"<tr><td><a [^>]*>[^<]*</a></td><td>{response.repair_order.number}</td>.*?</tr>", results)
    assert escape(question.text_en) in low_row.group(0) and "SA1" not in low_row.group(0)
    zh = login(followup(dealer_a), language=None).get(f"/surveys/responses/{response.pk}/").content.decode()
    assert escape(question.text_zh) in zh
