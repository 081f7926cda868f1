"""Background tasks of complaints (django-tasks): schedule ``escalate_overdue_complaints`` every few minutes."""

from django_tasks import task

from complaints.services import escalate_overdue


@task()
def escalate_overdue_complaints() -> dict:
    """Escalate every complaint whose deadline passed; returns the numbers escalated to each level."""
    result = escalate_overdue()
    return {"to_manager": result.to_manager, "to_region": result.to_region}
