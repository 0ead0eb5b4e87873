"""Seed the staff's daily digest of petition events in beat's schedule (petitions.tasks);
by name, never deleting, so staff edits stay. The step skips days off itself."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # https://crontab.guru/#15_8_*_*_* : every day at 08:15 Asia/Shanghai; days off send
    # nothing, so make-up working days (调休) on a weekend get their digest too.
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="15",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Petitions: staff's daily digest of events",
        defaults={
            "task": "petitions.tasks.send_staff_digests",
            "crontab": morning,
            "kwargs": "{}",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("chamber", "0009_user_petition_notices"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
