"""What the staff scorecard asks the evaluation: explicit hooks, not imports (``settings.STAFF_HOOKS``).

Staff sits below evaluation (see .importlinter) and never imports it. The scorecard ranks people only on figures
with enough records — the evaluation's rule (``enough_data``) and minimum (``SystemVersion.min_sample`` of the
version each dealer is evaluated with: ``min_samples``) — judges each indicator over the evaluation's period
(``judged_period``: B1 a month late) and links a figure to its records (``records_url``: the drill-down filtered
to the person, when the reader may open it). Each entry is one dotted path; ``manage.py check`` imports them all.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

HOOKS = ("min_samples", "enough_data", "judged_period", "records_url")


def get(name: str):
    """The function of the hook ``name``."""
    return import_string(settings.STAFF_HOOKS[name])


def call(name: str, *args, **kwargs):
    """Call the hook ``name`` with the arguments; its result."""
    return get(name)(*args, **kwargs)


@checks.register()
def check_hooks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every hook is configured and imports (a typo fails ``manage.py check``, not the scorecard page)."""
    hooks = getattr(settings, "STAFF_HOOKS", {})
    errors = [
        checks.Error(f"settings.STAFF_HOOKS has no {name!r}", id="staff.E001") for name in HOOKS if name not in hooks
    ]
    for name, path in hooks.items():
        try:
            import_string(path)
        except ImportError as error:
            errors.append(checks.Error(f"STAFF_HOOKS[{name!r}]: {error}", id="staff.E002"))
    return errors
