"""Assertion helpers shared by the tests of several apps."""

from customers.models import Customer, Vehicle, VehicleOwnership
from organization.models import Dealer


def archive_snapshot() -> dict:
    """Every row of the archive and the number of history records: equal before and after = nothing changed."""
    state = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Dealer, Customer, Vehicle, VehicleOwnership)
    }
    state["history"] = [Customer.history.count(), Vehicle.history.count(), VehicleOwnership.history.count()]
    return state
