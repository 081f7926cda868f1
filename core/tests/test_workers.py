"""Worker liveness: the heartbeat db_worker records, the one answer pages ask (core.workers), and the warning the
evaluation run page shows instead of a progress bar stuck at 0 % when nothing will run the queued job."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command, get_commands
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.choices import Role
from core import workers
from core.models import WorkerHeartbeat
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports"]}}


def beat(worker_id="w1", *, ago=timedelta(0), queues=("default",), excluded=(), backend="default"):
    workers.record_heartbeat(
        worker_id=worker_id, started_at=timezone.now() - ago, queues=list(queues), excluded_queues=list(excluded),
        backend=backend, now=timezone.now() - ago,
    )  # fmt: skip


def test_no_heartbeat_no_worker():
    assert workers.live_workers() == [] and not workers.worker_running()


def test_a_recent_heartbeat_is_a_running_worker_an_old_one_is_not():
    beat("fresh", ago=workers.ALIVE_WITHIN - timedelta(seconds=5))
    assert [w.worker_id for w in workers.live_workers()] == ["fresh"]
    later = timezone.now() + timedelta(seconds=10)
    assert not workers.worker_running(now=later)  # it stopped beating: gone after ALIVE_WITHIN
    beat("fresh")  # the next beat updates the same row
    assert WorkerHeartbeat.objects.count() == 1 and workers.worker_running(now=later)


def test_only_workers_that_serve_the_queue_and_backend_count():
    beat("reports-only", queues=["reports"])
    beat("other-backend", queues=["*"], backend="archive")
    assert not workers.worker_running(queue_name="default")
    assert workers.worker_running(queue_name="reports")
    beat("all-but-reports", queues=["*"], excluded=["reports"])
    assert [w.worker_id for w in workers.live_workers(queue_name="default")] == ["all-but-reports"]
    assert [w.worker_id for w in workers.live_workers(queue_name="reports")] == ["reports-only"]


def test_a_clean_stop_removes_the_row_and_workers_gone_for_a_day_are_forgotten():
    beat("killed", ago=workers.FORGET_AFTER + timedelta(minutes=1))
    beat("stopping")
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"stopping"}  # the beat forgot "killed"
    workers.remove_heartbeat(worker_id="stopping")
    assert not WorkerHeartbeat.objects.exists()


def test_heartbeat_thread_beats_at_start_and_removes_its_row_on_stop():
    heartbeat = workers.Heartbeat(worker_id="t1", queues=["default"], excluded_queues=[], backend="default")
    heartbeat.start()
    try:
        assert workers.worker_running()
        assert WorkerHeartbeat.objects.get().pid is not None
    finally:
        heartbeat.stop()
    assert not workers.worker_running() and not heartbeat._thread.is_alive()


@task()
def probe_worker_running() -> bool:
    """Run by the worker under test: is the worker that runs me visible to the pages?"""
    return workers.worker_running()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after a batch (PostgreSQL: a real one)
def test_db_worker_is_the_librarys_worker_with_a_heartbeat():
    assert get_commands()["db_worker"] == "core"
    with override_settings(TASKS=DB_TASKS):
        result = probe_worker_running.enqueue()
        call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--worker-id", "test-w",
                     verbosity=0, stdout=StringIO())  # fmt: skip
        result.refresh()
        assert result.status == "SUCCESSFUL" and result.return_value is True
        assert result.worker_ids == ["test-w"]
    assert not WorkerHeartbeat.objects.exists()  # it stopped: the pages know at once


@pytest.fixture
def queued_run(dealer_a):
    """A run of dealer A's OEM with the default indicator system (published by evaluation's migration), queued."""
    from evaluation.choices import SystemVersionStatus
    from evaluation.models import EvaluationRun, SystemVersion

    version = SystemVersion.objects.get(system__oem__isnull=True, status=SystemVersionStatus.PUBLISHED)
    today = timezone.localdate()
    return EvaluationRun.objects.create(
        oem=dealer_a.region.oem, system_version=version, period_start=today.replace(day=1), period_end=today,
        status=EvaluationRun.Status.QUEUED,
    )  # fmt: skip


def test_run_page_warns_when_no_worker_runs_and_shows_progress_when_one_does(client, dealer_a, queued_run):
    # the evaluating side follows a queued run (the evaluated side sees published runs only)
    evaluator = UserFactory(roles=[Role.ADMINISTRATOR], dealers=[dealer_a])
    client.force_login(evaluator)
    url = reverse("evaluation:run_detail", args=[queued_run.pk])
    page = client.get(url).content.decode()
    assert 'id="no-worker"' in page and "db_worker" in page and "<progress" not in page
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()  # the 2-second poll
    assert 'id="no-worker"' in partial and 'hx-trigger="every 2s"' in partial
    beat()
    page = client.get(url).content.decode()
    assert 'id="no-worker"' not in page and "<progress" in page


def test_make_run_starts_the_web_server_the_worker_and_the_scheduler():
    from pathlib import Path

    from django.conf import settings

    procfile = Path(settings.BASE_DIR, "Procfile.dev").read_text().splitlines()
    processes = dict(line.split(": ", 1) for line in procfile if line and not line.startswith("#"))
    assert set(processes) == {"web", "worker", "scheduler"}
    for name, words in {"web": ["runserver"], "worker": ["db_worker"], "scheduler": ["run_schedule", "--loop"]}.items():
        command = processes[name].split()  # exec: the shell honcho starts becomes the process (signals reach it)
        assert command[:3] == ["exec", ".venv/bin/python", "manage.py"] and all(word in command for word in words)
        assert command[3] in get_commands()
    makefile = Path(settings.BASE_DIR, "Makefile").read_text()
    assert "honcho start -f Procfile.dev" in makefile
