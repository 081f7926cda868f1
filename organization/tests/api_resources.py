"""The organisation's API endpoints for the generic API tests (core/tests/test_api_resources.py)."""

from core.tests.api_kit import ApiResource

RESOURCES = [
    # The dealers the user works for (or reads as a region manager): a dealer's "row" is the dealer itself.
    ApiResource(basename="dealer", make=lambda dealer: dealer, in_dealer=lambda row, dealer: row == dealer),
]
