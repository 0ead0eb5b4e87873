"""Seed the worker heartbeat in beat's schedule; by name, never deleting, so staff edits stay."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name="Worker heartbeat",
        defaults={"task": "chamber.tasks.record_heartbeat", "interval": every_minute, "kwargs": "{}"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("chamber", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
