"""Indicator definitions in two languages (``formula`` becomes ``formula_en``, ``formula_zh`` is new), units as
choices, and English labels without Chinese in them.

The Chinese definitions are filled on every indicator whose English definition is still the shipped one (the
default system and the OEM copies of it): the same definition, only its translation, so published versions keep
their meaning. The reverse leaves the texts (the columns go away with the reverse schema steps).
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def fill_chinese_definitions(apps, schema_editor):
    from evaluation.defaults import FORMULAS_ZH, INDICATORS

    indicator_model = apps.get_model("evaluation", "Indicator")
    for _dim, code, _zh, _en, _direction, _target, _floor, _unit, english in INDICATORS:
        indicator_model.objects.filter(code=code, formula_en=english, formula_zh="").update(
            formula_zh=FORMULAS_ZH[code]
        )


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_quality_alerts")]

    operations = [
        migrations.RenameField("indicator", "formula", "formula_en"),
        migrations.RenameField("historicalindicator", "formula", "formula_en"),
        migrations.AddField(
            model_name="historicalindicator",
            name="formula_zh",
            field=models.TextField(blank=True, verbose_name="how it is computed (Chinese)"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="formula_zh",
            field=models.TextField(blank=True, verbose_name="how it is computed (Chinese)"),
        ),
        migrations.AlterField(
            model_name="dealerevaluation",
            name="fuzzy_vector",
            field=models.JSONField(
                blank=True, null=True, verbose_name="fuzzy membership (excellent / good / fair / poor)"
            ),
        ),
        migrations.AlterField(
            model_name="dimension",
            name="source",
            field=models.CharField(
                choices=[("measured", "Measured from operational records"), ("audited", "Assessed by an audit")],
                default="measured",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="historicaldimension",
            name="source",
            field=models.CharField(
                choices=[("measured", "Measured from operational records"), ("audited", "Assessed by an audit")],
                default="measured",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="historicalindicator",
            name="formula_en",
            field=models.TextField(blank=True, verbose_name="how it is computed (English)"),
        ),
        migrations.AlterField(
            model_name="historicalindicator",
            name="unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("%", "%"),
                    ("min", "min"),
                    ("h", "h"),
                    ("score", "points (0–100)"),
                    ("points (0–1000)", "points (0–1000)"),
                    ("NPS", "NPS"),
                ],
                max_length=20,
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="historicalqualityalert",
            name="kind",
            field=models.CharField(
                choices=[("indicator", "Indicator"), ("complaint_cluster", "Complaint cluster")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="fuzzy_excellent_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("95"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Excellent",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="fuzzy_fair_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("75"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Fair",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="fuzzy_good_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("85"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Good",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="fuzzy_poor_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("60"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Poor",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="grade_excellent_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("90"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Excellent from",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="grade_fair_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("60"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Fair from",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="grade_good_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("80"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Good from",
            ),
        ),
        migrations.AlterField(
            model_name="historicalsystemversion",
            name="star_compliant_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("70"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Compliant from",
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="formula_en",
            field=models.TextField(blank=True, verbose_name="how it is computed (English)"),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="unit",
            field=models.CharField(
                blank=True,
                choices=[
                    ("%", "%"),
                    ("min", "min"),
                    ("h", "h"),
                    ("score", "points (0–100)"),
                    ("points (0–1000)", "points (0–1000)"),
                    ("NPS", "NPS"),
                ],
                max_length=20,
                verbose_name="unit",
            ),
        ),
        migrations.AlterField(
            model_name="qualityalert",
            name="kind",
            field=models.CharField(
                choices=[("indicator", "Indicator"), ("complaint_cluster", "Complaint cluster")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="fuzzy_excellent_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("95"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Excellent",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="fuzzy_fair_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("75"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Fair",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="fuzzy_good_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("85"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Good",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="fuzzy_poor_score",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("60"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="fuzzy score of Poor",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="grade_excellent_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("90"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Excellent from",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="grade_fair_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("60"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Fair from",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="grade_good_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("80"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Good from",
            ),
        ),
        migrations.AlterField(
            model_name="systemversion",
            name="star_compliant_min",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("70"),
                max_digits=5,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("100")),
                ],
                verbose_name="Compliant from",
            ),
        ),
        migrations.RunPython(fill_chinese_definitions, migrations.RunPython.noop),
    ]
