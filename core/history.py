"""Readable change history (who changed what, when) from django-simple-history records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

_TYPES = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
_HIDDEN = {"version", "updated_at", "archive_complete", "archive_completed_at", "mileage_recorded_at", "consent_at"}
_YES_NO = {True: _("Yes"), False: _("No")}
FILE_ATTACHED = _("file attached")

# What a change reason's code means, per model ("repairs.repairorder" → {"check_in": "Complete check-in"}): a
# state machine registers its moves' labels (core.state.StateMachine(model=...)), a domain may add its own codes.
_REASONS: dict[str, dict[str, object]] = {}


def register_reasons(model_label: str, labels: dict[str, object]) -> None:
    """Name the change-reason codes of a model's history (``"app_label.modelname"``): shown by their labels."""
    _REASONS.setdefault(model_label.lower(), {}).update(labels)


def reason_label(instance, reason: str) -> str:
    """A stored change reason in the user's language: ``"code"`` or ``"code: note"`` → ``"label — note"`` when
    the model registered the code; anything else as it was written."""
    labels = _REASONS.get(instance._meta.label_lower, {})
    code, sep, note = reason.partition(":")
    label = labels.get(code.strip())
    if label is None:
        return reason
    return f"{label} — {note.strip()}" if sep and note.strip() else str(label)


@dataclass
class HistoryEntry:
    """One saved change of a record."""

    when: object
    who: object
    action: str
    reason: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


def _display(record, field_name: str):
    """A field's value as people read it: choice labels, Yes/No, "file attached", lists of choices as labels.

    A model names the choices of its list fields (a JSONField of codes) in ``history_choices``
    (``{"documents_received": DocumentReceived}``).
    """
    model = record.instance_type
    model_field = model._meta.get_field(field_name)
    value = getattr(record, model_field.attname)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = getattr(record, field_name, None)
        return related if related is not None else value
    if isinstance(value, bool):
        return _YES_NO[value]
    if isinstance(model_field, models.FileField):
        return FILE_ATTACHED if value else ""
    if isinstance(value, (list, tuple)):
        choices = getattr(model, "history_choices", {}).get(field_name)
        labels = dict(choices.choices) if choices is not None else {}
        return "、".join(str(labels.get(item, item)) for item in value)
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
            reason=reason_label(instance, newer.history_change_reason or ""),
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
