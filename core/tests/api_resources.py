"""The API's own routes, which are no resource of an app (core/tests/test_api_resources.py)."""

RESOURCES: list = []

NOT_COVERED = {
    "api-root": "the router's index of the endpoints, no rows",
    "api-token": "the login that hands out a token (customers/tests/test_api.py: token authentication)",
}
