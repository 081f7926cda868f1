"""Service helpers shared by every domain: optimistic locking and domain errors."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

# ``by`` not given: the history user already set on the instance (or the request's) stays.
KEEP = object()


class ConflictError(ValidationError):
    """Someone else saved the record after the editor loaded it (optimistic lock)."""


def lock_version(instance: models.Model, *, expected_version: int | None) -> int:
    """Lock the stored row of ``instance`` and check it is still at ``expected_version``; return that version.

    Must run inside ``transaction.atomic()``: the row stays locked until commit, so two
    concurrent saves of the same version cannot both win.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_version() must be called inside transaction.atomic()")
    if expected_version is None:
        raise ValidationError({"version": _("The record version is required to save changes.")})
    current = (
        # No ordering: a default ordering over a nullable relation would join it, and FOR UPDATE refuses that.
        type(instance)
        .objects.select_for_update()
        .filter(pk=instance.pk)
        .order_by()
        .values_list("version", flat=True)
        .first()
    )
    if current is None:
        raise ValidationError(_("This record no longer exists."))
    if current != int(expected_version):
        raise ConflictError(
            _(
                "Someone else saved this record after you opened it (your version %(mine)s, now %(theirs)s). "
                "Reload the page to see their changes; nothing of yours was saved."
            ),
            code="conflict",
            params={"mine": expected_version, "theirs": current},
        )
    return current


def save_versioned(
    instance: models.Model,
    *,
    expected_version: int | None,
    by=KEEP,
    reason: str | None = None,
    update_fields: Iterable[str] | None = None,
    clean: bool = True,
) -> models.Model:
    """Save ``instance`` only if its stored version is still ``expected_version``; bump the version.

    ``by`` (a user, or None for the system) and ``reason`` go to the history row; ``update_fields`` saves only
    those fields (and the version); ``clean=False`` skips ``full_clean()`` where the service checked the fields.
    """
    instance.version = lock_version(instance, expected_version=expected_version)
    return save_next_version(instance, by=by, reason=reason, update_fields=update_fields, clean=clean)


def save_next_version(
    instance: models.Model,
    *,
    by=KEEP,
    reason: str | None = None,
    update_fields: Iterable[str] | None = None,
    clean: bool = True,
) -> models.Model:
    """Save ``instance`` one version up without checking the version again.

    For a service that already holds the row (``lock_version`` at its start, to read the state under the lock) and
    for a change the system makes itself (escalation, a linked record), which an editor's open form must notice.
    """
    instance.version += 1
    if by is not KEEP:
        instance._history_user = by
    if reason is not None:
        instance._change_reason = reason
    if clean:
        instance.full_clean()
    if update_fields is None:
        instance.save()
    else:
        instance.save(update_fields=[*dict.fromkeys([*update_fields, "version"])])
    return instance
