"""The figure columns of quality alerts are gone (0007 moved them into the reasons); an indicator of a dealer has
at most one unresolved alert."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0007_merge_indicator_alerts"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalqualityalert",
            name="previous_value",
        ),
        migrations.RemoveField(
            model_name="historicalqualityalert",
            name="threshold",
        ),
        migrations.RemoveField(
            model_name="historicalqualityalert",
            name="value",
        ),
        migrations.RemoveField(
            model_name="qualityalert",
            name="previous_value",
        ),
        migrations.RemoveField(
            model_name="qualityalert",
            name="threshold",
        ),
        migrations.RemoveField(
            model_name="qualityalert",
            name="value",
        ),
        migrations.AddConstraint(
            model_name="qualityalert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "indicator"), ("status__in", ["open", "action_planned"])),
                fields=("dealer", "indicator_code"),
                name="uniq_qalert_unresolved_indicator",
            ),
        ),
    ]
