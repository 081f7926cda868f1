"""`manage.py analyze_db`: refresh the query planner's statistics (ANALYZE).

PostgreSQL's autovacuum does this by itself; an embedded SQLite installation should
run it after bulk loads and now and then (the SQLite planner picks the wrong index
without statistics, e.g. a dealer index plus a sort instead of the created-at index).
"""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Refresh the database planner statistics (ANALYZE)."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Planner statistics refreshed ({connection.vendor}).")
