"""The AHP methods' English labels without the Chinese terms (the Chinese UI says 和积法 / 方根法)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0009_comparable_reproducible_runs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalpairwisematrix",
            name="method",
            field=models.CharField(
                choices=[
                    ("eigenvector", "Principal eigenvector"),
                    ("arithmetic", "Arithmetic mean"),
                    ("geometric", "Geometric mean"),
                ],
                default="eigenvector",
                max_length=12,
                verbose_name="AHP method",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="ahp_method",
            field=models.CharField(
                choices=[
                    ("eigenvector", "Principal eigenvector"),
                    ("arithmetic", "Arithmetic mean"),
                    ("geometric", "Geometric mean"),
                ],
                default="eigenvector",
                max_length=12,
                verbose_name="AHP method",
            ),
        ),
        migrations.AlterField(
            model_name="pairwisematrix",
            name="method",
            field=models.CharField(
                choices=[
                    ("eigenvector", "Principal eigenvector"),
                    ("arithmetic", "Arithmetic mean"),
                    ("geometric", "Geometric mean"),
                ],
                default="eigenvector",
                max_length=12,
                verbose_name="AHP method",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="ahp_method",
            field=models.CharField(
                choices=[
                    ("eigenvector", "Principal eigenvector"),
                    ("arithmetic", "Arithmetic mean"),
                    ("geometric", "Geometric mean"),
                ],
                default="eigenvector",
                max_length=12,
                verbose_name="AHP method",
            ),
        ),
    ]
