"""Readable change history (who changed what, when) from django-simple-history records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
_HIDDEN = {"version", "updated_at", "archive_complete", "archive_completed_at", "mileage_recorded_at", "consent_at"}


@dataclass
class HistoryEntry:
    """One saved change of a record."""

    when: object
    who: object
    action: str
    reason: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def _display(record, field_name: str):
    model_field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = getattr(record, field_name, None)
        return related if related is not None else value
    return value


def history_entries(instance, *, limit: int = 50) -> list[HistoryEntry]:
    """The instance's latest ``limit`` changes, newest first, each with its field differences."""
    records = list(
        instance.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(entries) == limit:
            break
        entry = HistoryEntry(
            when=newer.history_date,
            who=newer.history_user,
            action=str(_TYPES.get(newer.history_type, newer.history_type)),
            reason=newer.history_change_reason or "",
        )
        if older is not None and newer.history_type == "~":
            # Every tracked field, not only editable ones: status, stamps and signatures are set by services
            # (simple-history's diff_against compares editable fields only).
            for field in newer.tracked_fields:
                if field.name in _HIDDEN or field.many_to_many:
                    continue
                if getattr(older, field.attname) != getattr(newer, field.attname):
                    label = instance._meta.get_field(field.name).verbose_name
                    entry.changes.append((str(label), _display(older, field.name), _display(newer, field.name)))
        entries.append(entry)
    return entries
