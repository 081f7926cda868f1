"""Project-wide pytest configuration: lane markers, the reused test database and the Playwright browser set-up."""

import fcntl
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

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


# ---- The test database: kept between local runs, built afresh in CI ------------------------------------------------
# pyproject's addopts say --reuse-db: a local run migrates the test database once (about a minute, the migrations'
# model rendering) and the next runs start at once. SQLite's test database is then a file here (in memory it could
# not outlive the run), one per xdist worker. It is built afresh when any migration file changed (a branch switch,
# a rewritten migration). --create-db (scripts/test.sh: CI) gives fresh throw-away databases as before: in memory
# for SQLite, dropped at the end on PostgreSQL; the kept SQLite file stays for the next local run. A kept database
# is left with the rows the migrations wrote (MigratedRows below). A second run while one holds the database (two
# terminals) gets a throw-away database of its own.
REUSED_DB_DIR = Path(__file__).resolve().parent / ".pytest_cache" / "test-db"


@dataclass(frozen=True)
class ReusedDatabase:
    """How this run treats the test database: keep it for the next run, or build it afresh first."""

    keep: bool
    rebuild: bool = False
    stamp: Path | None = None  # holds the migrations' digest while the kept database matches them
    digest: str = ""


def _migrations_digest() -> str:
    """One hash of every installed app's migration files: the schema and the rows the test database starts with."""
    from django.apps import apps

    digest = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for path in sorted(Path(app.path, "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _flushes(item) -> bool:
    """Does the test run in real transactions, so that Django empties every table after it?"""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    transactional = marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    return bool(transactional) or bool(fixtures & {"transactional_db", "live_server"})


@pytest.fixture(scope="session")
def reused_test_db(request):
    """Name the default test database (a file for SQLite, per xdist worker) and hold it for this run."""
    from django.conf import settings

    fresh = request.config.getvalue("create_db")
    reuse = request.config.getvalue("reuse_db") and not fresh
    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    sqlite = database["ENGINE"] == "django.db.backends.sqlite3"
    if reuse and sqlite and not test.get("NAME"):
        REUSED_DB_DIR.mkdir(parents=True, exist_ok=True)
        test["NAME"] = str(REUSED_DB_DIR / "sqlite.sqlite3")
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")  # _gw0, _gw1 ... under xdist
    name = test.get("NAME") or f"test_{database['NAME']}"
    key = "-".join(str(part) for part in (database["ENGINE"].rsplit(".", 1)[-1], database.get("HOST") or "local",
                                          database.get("PORT") or "", Path(name).name))  # fmt: skip
    stamp = REUSED_DB_DIR / f"{key}.migrations"
    if not reuse:
        if fresh and not sqlite:  # the fresh database takes the kept one's name and is dropped at the end
            stamp.unlink(missing_ok=True)
        yield ReusedDatabase(keep=False)
        return
    REUSED_DB_DIR.mkdir(parents=True, exist_ok=True)
    lock = (REUSED_DB_DIR / f"{key}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another run holds it: this one builds its own and drops it at the end
        lock.close()
        if sqlite:
            test["NAME"] = None  # in memory
        else:
            test["NAME"] = f"{name}_{os.getpid()}"
        yield ReusedDatabase(keep=False)
        return
    digest = _migrations_digest()
    rebuild = not stamp.exists() or stamp.read_text() != digest
    if rebuild:
        stamp.unlink(missing_ok=True)
        if sqlite:
            for suffix in ("-wal", "-shm"):  # a stale write-ahead log must not meet a new database file
                Path(name + suffix).unlink(missing_ok=True)
    try:
        yield ReusedDatabase(keep=True, rebuild=rebuild, stamp=stamp, digest=digest)
    finally:
        lock.close()


@pytest.fixture(scope="session")
def django_db_keepdb(reused_test_db) -> bool:
    return reused_test_db.keep


@pytest.fixture(scope="session")
def django_db_createdb(request, reused_test_db) -> bool:
    return request.config.getvalue("create_db") or reused_test_db.rebuild


class MigratedRows:
    """The rows the migrations wrote (indicator system, questionnaires, role groups ...), to put back after a flush.

    A test in real transactions ends with Django emptying every table. Run alone, each later test would find these
    rows; in one process pytest-django puts such tests last, but an xdist worker runs whole modules in the order it
    gets them, so the rows are put back before the next test that uses the database in a transaction of its own.
    """

    current = None  # this session's

    def __init__(self, django_db_blocker, rows: str):
        self.blocker = django_db_blocker
        self.rows = rows
        self.flushed = False

    def restore(self) -> None:
        from django.contrib.contenttypes.models import ContentType
        from django.core.management import call_command
        from django.db import connection

        with self.blocker.unblock():
            call_command("flush", interactive=False, verbosity=0, reset_sequences=False, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(self.rows)
        ContentType.objects.clear_cache()  # the flush's post_migrate made content types with other ids
        self.flushed = False


def _uses_db(item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        fixtures & {"db", "transactional_db", "live_server"}
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, reused_test_db, django_db_blocker, request):
    """pytest-django's set-up, keeping the migrations' rows to put back after tests that flush the tables."""
    from django.db import connection

    flushing = any(_flushes(item) for item in request.session.items)
    if flushing:
        if reused_test_db.keep:  # until the rows are back, the kept database does not count as reusable
            reused_test_db.stamp.unlink(missing_ok=True)
        with django_db_blocker.unblock():
            rows = (
                getattr(connection, "_test_serialized_contents", None) or connection.creation.serialize_db_to_string()
            )
        MigratedRows.current = MigratedRows(django_db_blocker, rows)
    elif reused_test_db.keep:
        reused_test_db.stamp.write_text(reused_test_db.digest)
    yield
    if flushing:
        if reused_test_db.keep:
            if MigratedRows.current.flushed:
                MigratedRows.current.restore()
            reused_test_db.stamp.write_text(reused_test_db.digest)
        MigratedRows.current = None


@pytest.fixture
def migrated_rows(transactional_db):
    """A test in real transactions that needs the migrations' rows (indicator system, audit template, role groups…)
    gets them back when an earlier such test emptied the tables."""
    rows = MigratedRows.current
    if rows is not None and rows.flushed:
        rows.restore()


# ---- One demo dataset for the tests that read it ------------------------------------------------------------------
# The demo (3 dealers, 3 months to 31 October 2026, seed 5) takes seconds to build; the tests that ask for
# `demo_dataset` share one build. It lives in a transaction opened before their tests' own (so each test's writes are
# rolled back as always) and rolled back as soon as the next test does not ask for it. Collection puts these tests
# next to each other and xdist sends their modules to one worker (--dist loadfile, below), so a run builds it once.
DEMO_ARGS = ["--force", "--dealers", "3", "--months", "3", "--seed", "5", "--until", "2026-10-31"]
DEMO_FIXTURE = "demo_dataset"


class SharedDemo:
    """The open transaction holding the built demo, while the tests that read it run."""

    open_one = None  # the SharedDemo whose transaction is open

    def __init__(self, django_db_blocker):
        self.blocker = django_db_blocker
        self.atomic = None

    def build(self) -> None:
        from io import StringIO

        from django.core.management import call_command
        from django.db import transaction

        if self.atomic is not None:
            return
        with self.blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            SharedDemo.open_one = self
            try:
                call_command("demo_data", *DEMO_ARGS, stdout=StringIO())
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        from django.db import transaction

        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None
        SharedDemo.open_one = None


@pytest.fixture(scope="session")
def shared_demo(django_db_setup, django_db_blocker):
    demo = SharedDemo(django_db_blocker)
    yield demo
    demo.close()  # before the database's own teardown, also when a run stops early (-x)


@pytest.fixture(scope="module")
def demo_dataset(shared_demo) -> None:
    """The shared demo is in the database (module scope: set up before the test's own transaction)."""
    shared_demo.build()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if SharedDemo.open_one is not None and (nextitem is None or DEMO_FIXTURE not in nextitem.fixturenames):
        SharedDemo.open_one.close()
    rows = MigratedRows.current
    if rows is not None:
        rows.flushed = rows.flushed or _flushes(item)
        if rows.flushed and nextitem is not None and _uses_db(nextitem) and not _flushes(nextitem):
            rows.restore()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, except that the modules that mention the shared demo are one unit of work (one worker)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from functools import cache

    from xdist.scheduler import LoadFileScheduling

    @cache
    def reads_shared_demo(module: str) -> bool:
        # The controller does not collect, so it reads the module (xdist_group + loadgroup would say this, but
        # pytest 9.2 ignores the group xdist 3.8 writes into the node id: pytest-xdist issue 1386).
        path = config.rootpath / module
        return path.suffix == ".py" and path.is_file() and DEMO_FIXTURE in path.read_text(encoding="utf-8")

    class DemoModulesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return "shared demo" if reads_shared_demo(module) else module

    return DemoModulesTogether(config, log)


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(config, items):
    demo = [item for item in items if DEMO_FIXTURE in getattr(item, "fixturenames", ())]
    if demo:
        first = items.index(demo[0])
        rest = [item for item in items if DEMO_FIXTURE not in getattr(item, "fixturenames", ())]
        items[:] = rest[:first] + demo + rest[first:]

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
