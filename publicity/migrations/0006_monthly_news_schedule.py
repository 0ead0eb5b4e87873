"""The members' monthly news is planned by beat on the 1st of each month at 09:00.

Created by name and never overwritten, so staff own the time in the admin afterwards;
the reverse removes only this task (and its crontab if nothing else uses it).
"""

from django.db import migrations

NAME = "Publicity: monthly news to members"
# https://crontab.guru/#0_9_1_*_* : at 09:00 on the 1st of every month
CRON = {
    "minute": "0",
    "hour": "9",
    "day_of_week": "*",
    "day_of_month": "1",
    "month_of_year": "*",
    "timezone": "Asia/Shanghai",
}


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    monthly, _ = CrontabSchedule.objects.get_or_create(**CRON)
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "publicity.tasks.plan_monthly_news",
            "crontab": monthly,
            "kwargs": "{}",
        },
    )


def remove_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()
    CrontabSchedule.objects.filter(**CRON, periodictask__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publicity", "0005_pictures_showcases_newsletter"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
