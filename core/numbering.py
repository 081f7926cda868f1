"""Document numbering for every domain: a per-dealer, per-period sequence such as ``WC-GZ01-202611-0007``."""

from __future__ import annotations

from datetime import date, datetime

from django.db import models, transaction
from django.utils import timezone


def next_number(
    model: type[models.Model],
    *,
    dealer,
    when: date | datetime,
    prefix: str,
    digits: int = 4,
    field: str = "number",
    dealer_field: str | None = "dealer",
) -> str:
    """The next number of a dealer's documents of ``model`` in the period of ``when``.

    ``prefix`` is the number before its sequence, formatted with ``dealer`` (the dealer's code) and ``when`` (the
    local date), e.g. ``"WC-{dealer}-{when:%Y%m}-"``; the sequence counts on from the highest number with that
    prefix, ``digits`` wide. The dealer row stays locked until the transaction commits, so two desks of one dealer
    numbering at the same moment queue instead of taking the same number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must be called inside transaction.atomic()")
    type(dealer)._default_manager.select_for_update().filter(pk=dealer.pk).first()
    day = timezone.localtime(when).date() if isinstance(when, datetime) else when
    start = prefix.format(dealer=dealer.code, when=day)
    documents = model._default_manager.filter(**{f"{field}__startswith": start})
    if dealer_field is not None:
        documents = documents.filter(**{dealer_field: dealer})
    last = documents.order_by(f"-{field}").values_list(field, flat=True).first()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{start}{sequence:0{digits}d}"
