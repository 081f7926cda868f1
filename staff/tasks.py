"""Background tasks of staff (django-tasks): schedule ``find_expiring_certificates`` once a day."""

from django_tasks import task

from staff.services import certificate_expiry_tasks


@task()
def find_expiring_certificates() -> int:
    """Put a to-do on the service manager's list for every certificate expiring within 30 days; returns how many."""
    return len(certificate_expiry_tasks())
