"""Seed the activities' daily step in beat's schedule; by name, never deleting."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # https://crontab.guru/#0_9_*_*_* : every day at 09:00 Asia/Shanghai
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="9",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Activities: reminders and group duty warnings",
        defaults={"task": "activities.tasks.run_activities_day", "crontab": morning, "kwargs": "{}"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_awareness"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
