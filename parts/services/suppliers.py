"""Suppliers (供应商): create and edit (optimistic lock); their delivery performance is parts.selectors.suppliers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.permissions import require
from core.services import lock_version, save_next_version
from organization.models import Dealer
from parts.models import Supplier

ADD_SUPPLIER = "parts.add_supplier"
CHANGE_SUPPLIER = "parts.change_supplier"
EDITABLE_FIELDS = ("code", "name", "contact", "phone", "lead_time_days")


def _clean(values: dict) -> dict:
    values = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    for name in ("code", "name", "contact", "phone"):
        if name in values:
            values[name] = (values[name] or "").strip()
    errors = {}
    if "code" in values and not values["code"]:
        errors["code"] = [_("Give the supplier a code.")]
    if "name" in values and not values["name"]:
        errors["name"] = [_("Give the supplier a name.")]
    lead = values.get("lead_time_days")
    if lead is not None and (int(lead) < 0 or int(lead) > 365):
        errors["lead_time_days"] = [_("The lead time is between 0 and 365 days.")]
    if errors:
        raise ValidationError(errors)
    return values


def _duplicate_code(dealer_id: int, code: str, exclude_pk: int | None = None) -> bool:
    return Supplier.objects.filter(dealer_id=dealer_id, code=code).exclude(pk=exclude_pk).exists()


def _duplicate_error(code: str) -> ValidationError:
    return ValidationError({"code": [_("The dealer already has a supplier with code %(code)s.") % {"code": code}]})


@transaction.atomic
def supplier_create(*, dealer: Dealer, by: User, **values) -> Supplier:
    """Add a supplier to a dealer (code unique per dealer)."""
    require(by, ADD_SUPPLIER, dealer=dealer, message=_("Your role may not change suppliers."))
    values = _clean({"lead_time_days": 7, "contact": "", "phone": "", **values})
    if _duplicate_code(dealer.pk, values["code"]):
        raise _duplicate_error(values["code"])
    supplier = Supplier(dealer=dealer, **values)
    supplier._history_user = by
    try:
        with transaction.atomic():
            supplier.save()
    except IntegrityError as exc:  # a concurrent create of the same code
        raise _duplicate_error(values["code"]) from exc
    return supplier


@transaction.atomic
def supplier_update(*, supplier: Supplier, by: User, version: int | None, **values) -> Supplier:
    """Change a supplier's code, name, contact or lead time; refused (409) if someone saved it since ``version``."""
    require(by, CHANGE_SUPPLIER, dealer=supplier.dealer_id, message=_("Your role may not change suppliers."))
    lock_version(supplier, expected_version=version)
    supplier = Supplier.objects.get(pk=supplier.pk)
    values = _clean(values)
    if "code" in values and _duplicate_code(supplier.dealer_id, values["code"], exclude_pk=supplier.pk):
        raise _duplicate_error(values["code"])
    for name, value in values.items():
        setattr(supplier, name, value)
    return save_next_version(supplier, by=by, clean=False)
