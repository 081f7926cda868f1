"""The packages API endpoints for the generic API tests (core/tests/api_resources.py)."""

from accounts.choices import Role
from core.tests.api_kit import ApiResource, role, serial
from packages.models import ServicePackageItem
from packages.tests.factories import oil_service, operation, vw

RESOURCES = [
    # Applying a package to a repair order is an action: packages/tests/test_api.py.
    ApiResource(
        basename="service-package",
        make=lambda dealer: oil_service(dealer, code=f"P{next(serial):04d}"),
        reader=role(Role.SERVICE_ADVISOR),
        writer=role(Role.SERVICE_MANAGER),
        create=lambda dealer: {
            "dealer": dealer.pk,
            "code": f"P{next(serial):04d}",
            "name": "B类保养",
            "brand": vw(dealer).pk,
            "first_due_km": 20000,
            "every_km": 20000,
            "items": [{"kind": "labour", "operation": operation(dealer).pk}],
        },
        dealer_field="dealer",
        patch=lambda row: {"name": "A类保养（新）", "fixed_price": "499.00", "pricing": "fixed"},
        refused_writes_change=(ServicePackageItem,),
    ),
]
