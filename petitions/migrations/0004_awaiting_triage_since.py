"""The daily study's triage clock restarts when a department returns a petition."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def from_receipt(apps, schema_editor):
    Petition = apps.get_model("petitions", "Petition")
    Petition.objects.update(awaiting_triage_since=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0003_categories_and_schedule'),
    ]

    operations = [
        migrations.AddField(
            model_name='petition',
            name='awaiting_triage_since',
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="When it came in, or came back from a department: the daily study's clock.", verbose_name='awaiting triage since'),
        ),
        migrations.RunPython(from_receipt, migrations.RunPython.noop),
    ]
