"""Demo surveys: a link after every delivered visit, answer rates and scores that differ between dealers."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from organization.models import Dealer
from repairs.models import RepairOrder
from surveys import selectors
from surveys.models import SurveyInvitation, SurveyResponse
from todo.choices import TaskKind
from todo.models import Task

pytestmark = pytest.mark.django_db


def test_demo_surveys_differ_between_good_and_weak_dealers():
    out = StringIO()
    call_command("demo_data", "--force", "--dealers", "3", "--months", "3", "--seed", "5", stdout=out)
    assert "survey invitations" in out.getvalue()
    delivered = RepairOrder.objects.filter(delivered_at__isnull=False)
    assert SurveyInvitation.objects.count() == delivered.count() > 0
    assert not SurveyResponse.objects.filter(submitted_at__gt=timezone.now()).exists()
    assert all(
        r.submitted_at >= r.repair_order.delivered_at for r in SurveyResponse.objects.select_related("repair_order")
    )
    dealers = list(Dealer.objects.order_by("pk"))
    end = timezone.localdate()
    start = end - timedelta(days=95)
    results = selectors.dealer_results([d.pk for d in dealers], start, end)
    good, weak = results[dealers[0].pk], results[dealers[2].pk]
    assert good["response_rate"] > weak["response_rate"]
    assert good["nps"] > weak["nps"] + 10
    kpis = {dealer_id: row["kpis"] for dealer_id, row in results.items()}
    assert kpis[dealers[0].pk]["C1"].value > kpis[dealers[2].pk]["C1"].value
    assert kpis[dealers[0].pk]["E1"].value > kpis[dealers[1].pk]["E1"].value + 30
    assert kpis[dealers[0].pk]["C2"].value > kpis[dealers[2].pk]["C2"].value
    # Every demo dealer asks with the CSI questionnaire; both channels and low-score tasks are there.
    assert set(SurveyResponse.objects.values_list("questionnaire__code", flat=True)) == {"CSI"}
    assert set(SurveyResponse.objects.values_list("channel", flat=True)) == {"link", "phone"}
    low = SurveyResponse.objects.filter(low_score=True)
    assert low.exists() and low.filter(follow_up_task__isnull=True).count() == 0
    assert Task.objects.filter(kind=TaskKind.SURVEY_LOW_SCORE).count() == low.count()
    assert SurveyResponse.objects.filter(low_score=False, follow_up_task__isnull=False).count() == 0
