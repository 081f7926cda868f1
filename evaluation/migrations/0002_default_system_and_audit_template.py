"""Load the default indicator system (kpi-catalog.md, no OEM) and the service-system audit checklist.

Idempotent: an existing default system or template (same name / code) is left alone. The rows stay on a
reverse migration (they are data other rows refer to); migrating back past 0001 drops the tables anyway.
"""

from django.db import migrations


def load(apps, schema_editor):
    from evaluation.defaults import load_audit_template, load_default_system

    load_default_system(apps)
    load_audit_template(apps)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
