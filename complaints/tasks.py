"""Background tasks of complaints (django-tasks): schedule ``escalate_overdue_complaints`` every few minutes."""

from django_tasks import task

from complaints.services import escalate_overdue


@task()
def escalate_overdue_complaints() -> dict:
    """Escalate every complaint whose deadline passed; returns the numbers escalated to each level."""
    result = escalate_overdue()
    return {"to_manager": result.to_manager, "to_region": result.to_region}


@task()
def remind_complaint_deadlines() -> dict:
    """Tell the owners of complaints whose SLA clock runs out within one working hour (once per deadline)."""
    from complaints.notices import remind_deadlines

    return {"reminded": remind_deadlines()}
