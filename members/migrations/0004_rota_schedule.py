"""Seed the rota's daily step in beat's schedule; by name, never deleting, so staff edits stay."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # https://crontab.guru/#0_8_*_*_* : every day at 08:00 Asia/Shanghai
    morning, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Duty rota: reminders and lapsed swaps",
        defaults={"task": "members.tasks.run_rota_day", "crontab": morning, "kwargs": "{}"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_duty_rota"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
