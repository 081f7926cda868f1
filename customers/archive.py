"""The archive completeness rule (建档完整): which fields make a customer archive complete.

KPI D5 (timely archive) counts new customers whose archive was complete within two
days of their first visit, so the first moment of completeness is stored on the
customer (``archive_completed_at``) and never moved later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from customers.choices import Consent, CustomerKind

# (field, label) the customer itself must have filled in.
CUSTOMER_REQUIRED = (
    ("name", _("name")),
    ("mobile", _("mobile")),
    ("address", _("address")),
)
# (field, label) at least one of the customer's vehicles must have filled in.
VEHICLE_REQUIRED = (
    ("vin", _("VIN")),
    ("plate", _("licence plate")),
    ("brand", _("brand")),
    ("model_name", _("model")),
    ("purchase_date", _("purchase date")),
    ("mileage_km", _("current mileage")),
)


@dataclass(frozen=True)
class ArchiveStatus:
    """Whether a customer's archive is complete, and what is missing if not."""

    complete: bool
    missing: tuple[str, ...]


def archive_status(customer, vehicles) -> ArchiveStatus:
    """Evaluate the completeness rule for a customer and their current vehicles."""
    missing: list[str] = [str(label) for field, label in CUSTOMER_REQUIRED if not getattr(customer, field)]
    if customer.kind == CustomerKind.COMPANY and not customer.contact_person:
        missing.append(str(_("contact person")))
    if customer.consent == Consent.UNKNOWN:
        missing.append(str(_("consent to be contacted")))
    vehicles = list(vehicles)
    if not vehicles:
        missing.append(str(_("at least one vehicle")))
    else:
        best = min(
            ([str(label) for field, label in VEHICLE_REQUIRED if getattr(v, field) in (None, "")] for v in vehicles),
            key=len,
        )
        missing.extend(str(_("vehicle %(field)s") % {"field": label}) for label in best)
    return ArchiveStatus(complete=not missing, missing=tuple(missing))
