"""Scheduled articles are published by beat every five minutes; by name, never deleting."""

from django.db import migrations


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # https://crontab.guru/#*/5_*_*_*_* : every five minutes
    every_five, _ = CrontabSchedule.objects.get_or_create(
        minute="*/5",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name="Publicity: publish scheduled articles",
        defaults={
            "task": "publicity.tasks.publish_due_articles",
            "crontab": every_five,
            "kwargs": "{}",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0003_article_fields"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
