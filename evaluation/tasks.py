"""Background tasks of quality alerts (django-tasks): ``escalate_quality_alerts`` runs daily (``core.schedule``)."""

from django_tasks import task

from evaluation.services.alerts import alerts_escalate


@task()
def escalate_quality_alerts() -> dict:
    """Escalate every quality alert left without an improvement action too long; returns the alert ids per level."""
    result = alerts_escalate()
    return {"to_manager": result.to_manager, "to_region": result.to_region}


@task()
def remind_improvement_actions_due() -> dict:
    """Tell the owners of improvement actions due within two days (once per due date)."""
    from evaluation.notices import remind_due

    return {"reminded": remind_due()}
