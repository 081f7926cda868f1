"""Is a background worker running? One answer for every page that queues work (evaluation runs, exports, …).

``manage.py db_worker`` (``core.management.commands.db_worker``, django-tasks-db's worker with a heartbeat)
stamps a ``WorkerHeartbeat`` row every ``BEAT_EVERY``; a worker seen within ``ALIVE_WITHIN`` counts as running.
A worker that stops cleanly removes its row; one that was killed simply stops beating and is forgotten after a day.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.utils import timezone

from core.models import WorkerHeartbeat

BEAT_EVERY = timedelta(seconds=10)
ALIVE_WITHIN = timedelta(seconds=45)  # several missed beats (a busy SQLite file may refuse one now and then)
FORGET_AFTER = timedelta(days=1)

logger = logging.getLogger(__name__)


def record_heartbeat(
    *,
    worker_id: str,
    started_at: datetime,
    queues: list[str],
    excluded_queues: list[str] | None = None,
    backend: str = "default",
    now: datetime | None = None,
) -> None:
    """Stamp this worker as alive (creates its row on the first beat) and forget workers gone for a day."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "backend": backend,
            "queues": list(queues),
            "excluded_queues": list(excluded_queues or []),
            "started_at": started_at,
            "last_seen_at": now,
        },
    )
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - FORGET_AFTER).delete()


def remove_heartbeat(*, worker_id: str) -> None:
    """A worker that stops cleanly says so at once (the pages warn immediately, not after ``ALIVE_WITHIN``)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def live_workers(*, queue_name: str = "default", backend: str = "default", now: datetime | None = None):
    """The workers seen within ``ALIVE_WITHIN`` that take tasks from ``queue_name`` of ``backend``."""
    now = now or timezone.now()
    recent = WorkerHeartbeat.objects.filter(last_seen_at__gte=now - ALIVE_WITHIN, backend=backend)
    return [worker for worker in recent.order_by("started_at") if worker.serves(queue_name)]


def worker_running(*, queue_name: str = "default", backend: str = "default", now: datetime | None = None) -> bool:
    """Whether a background worker will pick up a task queued now on ``queue_name``."""
    return bool(live_workers(queue_name=queue_name, backend=backend, now=now))


class Heartbeat:
    """A daemon thread that stamps the worker's row every ``BEAT_EVERY``, also while a long task runs."""

    def __init__(self, *, worker_id: str, queues: list[str], excluded_queues: list[str], backend: str):
        self.worker_id = worker_id
        self.fields = {"queues": queues, "excluded_queues": excluded_queues, "backend": backend}
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()  # at once, so a page opened right after the start already sees the worker
        self._thread.start()

    def beat(self) -> None:
        try:
            record_heartbeat(worker_id=self.worker_id, started_at=self.started_at, **self.fields)
        except DatabaseError as exc:  # e.g. SQLite busy with a long write: the next beat will do
            logger.warning("worker heartbeat not recorded: %s", exc)

    def _run(self) -> None:
        try:
            while not self._stop.wait(BEAT_EVERY.total_seconds()):
                self.beat()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        try:
            remove_heartbeat(worker_id=self.worker_id)
        except DatabaseError as exc:
            logger.warning("worker heartbeat not removed: %s", exc)
