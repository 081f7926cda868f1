"""Quality alerts: reasons of their own (one indicator alert, several reasons), the escalation stamps, and the
escalation setting of the indicator system version. The old figure columns go in 0008 after 0007 moved them."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("evaluation", "0005_indicator_definitions_in_two_languages"),
        ("organization", "0004_calendar_day_source"),
        ("todo", "0003_task_window_unreachable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertReason",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("below_floor", "Below its floor"), ("drop", "Score dropped")],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                (
                    "value",
                    models.FloatField(
                        blank=True,
                        help_text="The indicator's value (below floor) or its score (drop).",
                        null=True,
                        verbose_name="value",
                    ),
                ),
                (
                    "previous_value",
                    models.FloatField(
                        blank=True,
                        help_text="The score in the previous month's run (drop).",
                        null=True,
                        verbose_name="previous score",
                    ),
                ),
                (
                    "threshold",
                    models.FloatField(
                        blank=True,
                        help_text="The floor (below floor) or the alerting drop in points.",
                        null=True,
                        verbose_name="threshold",
                    ),
                ),
                ("found_at", models.DateTimeField(verbose_name="found at")),
            ],
            options={
                "verbose_name": "alert reason",
                "verbose_name_plural": "alert reasons",
                "ordering": ["found_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAlertReason",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("below_floor", "Below its floor"), ("drop", "Score dropped")],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                (
                    "value",
                    models.FloatField(
                        blank=True,
                        help_text="The indicator's value (below floor) or its score (drop).",
                        null=True,
                        verbose_name="value",
                    ),
                ),
                (
                    "previous_value",
                    models.FloatField(
                        blank=True,
                        help_text="The score in the previous month's run (drop).",
                        null=True,
                        verbose_name="previous score",
                    ),
                ),
                (
                    "threshold",
                    models.FloatField(
                        blank=True,
                        help_text="The floor (below floor) or the alerting drop in points.",
                        null=True,
                        verbose_name="threshold",
                    ),
                ),
                ("found_at", models.DateTimeField(verbose_name="found at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical alert reason",
                "verbose_name_plural": "historical alert reasons",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalqualityalert",
            name="escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="escalated to the service manager at"),
        ),
        migrations.AddField(
            model_name="historicalqualityalert",
            name="escalation_level",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Not escalated"), (1, "Service manager"), (2, "Region")],
                default=0,
                verbose_name="escalation level",
            ),
        ),
        migrations.AddField(
            model_name="historicalqualityalert",
            name="escalation_task",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="todo.task",
                verbose_name="escalation to-do",
            ),
        ),
        migrations.AddField(
            model_name="historicalqualityalert",
            name="open_since",
            field=models.DateTimeField(
                blank=True,
                help_text="When the alert was raised, or re-opened by a check that found its action not effective: the escalation counts from here.",
                null=True,
                verbose_name="open without an action since",
            ),
        ),
        migrations.AddField(
            model_name="historicalqualityalert",
            name="region_escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="escalated to the region at"),
        ),
        migrations.AddField(
            model_name="historicalsystemversion",
            name="alert_escalation_days",
            field=models.PositiveSmallIntegerField(
                default=7,
                help_text="A quality alert still open without an improvement action goes to the dealer's service managers (a to-do) after this many days, and to the region after twice as many.",
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)],
                verbose_name="escalate an alert without an action after (days)",
            ),
        ),
        migrations.AddField(
            model_name="qualityalert",
            name="escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="escalated to the service manager at"),
        ),
        migrations.AddField(
            model_name="qualityalert",
            name="escalation_level",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Not escalated"), (1, "Service manager"), (2, "Region")],
                default=0,
                verbose_name="escalation level",
            ),
        ),
        migrations.AddField(
            model_name="qualityalert",
            name="escalation_task",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="todo.task",
                verbose_name="escalation to-do",
            ),
        ),
        migrations.AddField(
            model_name="qualityalert",
            name="open_since",
            field=models.DateTimeField(
                blank=True,
                help_text="When the alert was raised, or re-opened by a check that found its action not effective: the escalation counts from here.",
                null=True,
                verbose_name="open without an action since",
            ),
        ),
        migrations.AddField(
            model_name="qualityalert",
            name="region_escalated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="escalated to the region at"),
        ),
        migrations.AddField(
            model_name="systemversion",
            name="alert_escalation_days",
            field=models.PositiveSmallIntegerField(
                default=7,
                help_text="A quality alert still open without an improvement action goes to the dealer's service managers (a to-do) after this many days, and to the region after twice as many.",
                validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(90)],
                verbose_name="escalate an alert without an action after (days)",
            ),
        ),
        migrations.AddIndex(
            model_name="qualityalert",
            index=models.Index(fields=["status", "escalation_level", "open_since"], name="qalert_escalation"),
        ),
        migrations.AddField(
            model_name="alertreason",
            name="alert",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reasons",
                to="evaluation.qualityalert",
                verbose_name="alert",
            ),
        ),
        migrations.AddField(
            model_name="alertreason",
            name="run",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="evaluation.evaluationrun",
                verbose_name="found by the run",
            ),
        ),
        migrations.AddField(
            model_name="historicalalertreason",
            name="alert",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="evaluation.qualityalert",
                verbose_name="alert",
            ),
        ),
        migrations.AddField(
            model_name="historicalalertreason",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalalertreason",
            name="run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="evaluation.evaluationrun",
                verbose_name="found by the run",
            ),
        ),
        migrations.AddConstraint(
            model_name="alertreason",
            constraint=models.UniqueConstraint(fields=("alert", "kind"), name="uniq_alert_reason_kind"),
        ),
    ]
