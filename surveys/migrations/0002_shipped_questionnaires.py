"""Install the two shipped questionnaires (CSI after-sales, SERVQUAL); see surveys/shipped.py."""

from django.db import migrations


def install(apps, schema_editor):
    from surveys.shipped import install_shipped

    install_shipped(apps.get_model("surveys", "Questionnaire"), apps.get_model("surveys", "Question"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
