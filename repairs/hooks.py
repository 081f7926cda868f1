"""What other domains do at a repair order's events: explicit, ordered hook lists, not signals.

Repairs sits below parts, care, surveys and staff (see .importlinter) and never imports them. The delivery
service instead runs ``settings.REPAIRS_HOOKS["delivered"]`` (first follow-up call, then the survey invitation),
the approval services ``"approved"`` (the parts counter reserves or special-orders the part lines) and the
order page asks ``"uncertified_technicians"`` (KPI C4's warning before dispatch). Each entry is a dotted path,
called in the listed order inside the caller's transaction: a hook's error rolls the event back, and a hook
that sends something defers the sending itself (``transaction.on_commit``). ``manage.py check`` imports them all.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

EVENTS = ("approved", "delivered", "uncertified_technicians", "delivering", "next_service", "technician_profiles")


def run(event: str, **kwargs) -> list:
    """Call the hooks of ``event`` in their declared order with ``kwargs``; their results, in that order."""
    return [import_string(path)(**kwargs) for path in settings.REPAIRS_HOOKS[event]]


@checks.register()
def check_hooks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every event has a hook list and every hook imports (a typo fails ``manage.py check``, not a delivery)."""
    hooks = getattr(settings, "REPAIRS_HOOKS", {})
    errors = [
        checks.Error(f"settings.REPAIRS_HOOKS has no {event!r} list", id="repairs.E001")
        for event in EVENTS
        if event not in hooks
    ]
    for event, paths in hooks.items():
        for path in paths:
            try:
                import_string(path)
            except ImportError as error:
                errors.append(checks.Error(f"REPAIRS_HOOKS[{event!r}]: {error}", id="repairs.E002"))
    return errors
