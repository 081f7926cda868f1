"""`manage.py db_worker`: django-tasks-db's worker, plus a heartbeat so pages can tell whether one is running.

Same options and behaviour as the library's command (this app is listed before ``django_tasks_db`` in
INSTALLED_APPS, so this one is found first). The heartbeat thread runs in the process that works the queue:
with ``--reload`` (the default under DEBUG) that is the reloader's child, not the watching parent.
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from core.workers import Heartbeat


class Command(db_worker.Command):
    help = db_worker.Command.help + " (and record a heartbeat: core.workers)"

    def handle(self, *args, **options):
        if options.get("reload") and not options.get("batch") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            return super().handle(*args, **options)  # the reloader's parent only watches files
        queues = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options.get("exclude_queues") else []
        heartbeat = Heartbeat(
            worker_id=options["worker_id"], queues=queues, excluded_queues=excluded, backend=options["backend_name"]
        )
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
