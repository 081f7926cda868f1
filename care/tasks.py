"""Background tasks of customer care (django-tasks): schedule ``find_care_reminders`` once a day."""

from django.utils import timezone
from django_tasks import task

from care.reminders import generate_reminders
from organization.models import Dealer


@task()
def find_care_reminders() -> int:
    """Create the reminders due in the next 30 days for every active dealer; returns how many are new."""
    today = timezone.localdate()
    return sum(generate_reminders(dealer=d, today=today) for d in Dealer.objects.filter(is_active=True))
