"""``{% worker_missing as no_worker %}``: whether a page that waits for a background job waits in vain.

Pair it with ``{% include "core/_no_worker.html" %}`` for the warning (see templates/evaluation/_run_progress.html).
"""

from django import template

from core.workers import worker_running

register = template.Library()


@register.simple_tag
def worker_missing(queue_name: str = "default") -> bool:
    """True when no worker that serves ``queue_name`` has been seen recently (core.workers.worker_running)."""
    return not worker_running(queue_name=queue_name)
