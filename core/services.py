"""Service helpers shared by every domain: optimistic locking and domain errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _


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


def save_versioned(instance: models.Model, *, expected_version: int | None) -> models.Model:
    """Save ``instance`` only if its stored version is still ``expected_version``; bump the version."""
    instance.version = lock_version(instance, expected_version=expected_version) + 1
    instance.full_clean()
    instance.save()
    return instance
