"""Demo complaints: every category, weaker dealers worse on A2, escalations, a crisis alert, nothing in the future."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from complaints.choices import Category, Status
from complaints.models import Complaint, ComplaintContact, CrisisAlert

pytestmark = pytest.mark.django_db


def test_demo_complaints():
    call_command("demo_data", "--force", "--dealers", "3", "--months", "3", "--seed", "5", "--until", "2025-06-30",
                 stdout=StringIO())  # fmt: skip
    complaints = Complaint.objects.all()
    assert set(complaints.values_list("category", flat=True)) == set(Category.values)
    assert complaints.filter(repair_order__isnull=False).exists()
    assert not complaints.filter(received_at__gt=timezone.now()).exists()
    assert not ComplaintContact.objects.filter(contacted_at__gt=timezone.now()).exists()
    assert complaints.filter(first_contact_at__gt=F("first_contact_due_at")).exists()  # some late contacts
    assert complaints.filter(escalation_level__gt=0).exists()
    assert complaints.filter(status=Status.RESOLVED, customer_agreed=True).exists()
    assert CrisisAlert.objects.exists()
    for c in complaints.select_related("dealer")[:20]:
        c.full_clean()
        assert c.first_contact_due_at <= c.feedback_due_at and c.received_at < c.first_contact_due_at
    rates = {
        row["dealer__code"]: row["on_time"] / row["n"]
        for row in complaints.values("dealer__code").annotate(
            n=Count("id"), on_time=Count("id", filter=Q(first_contact_at__lte=F("first_contact_due_at")))
        )
    }
    assert rates["GZ01"] > rates["SH01"]  # the good dealer answers faster than the weak one
