"""Project-wide pytest configuration: the PostgreSQL lane and browser lane hooks live here."""

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# from live_server tests are safe here (see ../shared/recipes.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["core.tests.fixtures"]
