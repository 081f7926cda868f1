"""Project-wide pytest configuration: lane markers and the Playwright browser set-up."""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from live_server tests are safe here (see ../shared/recipes.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["core.tests.fixtures"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs real concurrent transactions: runs in the PostgreSQL lane")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    """Drive Debian's chromium (playwright cannot download its own browsers here)."""
    if browser_name in (None, "chromium"):
        return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}
    return browser_type_launch_args
