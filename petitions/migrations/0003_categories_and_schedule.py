"""The usual petition categories with their time limits, and the review cycle's beat schedule.

Both by get_or_create (categories by code, tasks by name) and never deleting: staff own
the categories, the time limits and the times in the admin afterwards.
"""

from django.db import migrations

# code, name (Chinese, as staff use them), normal and urgent limits in working days
CATEGORIES = [
    ("financing", "融资信贷", 10, 3),
    ("land", "土地规划", 15, 5),
    ("approvals", "审批服务", 10, 3),
    ("policy", "政策咨询", 5, 2),
    ("market", "市场拓展", 10, 3),
    ("labour", "用工人才", 10, 3),
    ("rights", "权益保护", 10, 3),
    ("infrastructure", "基础设施", 15, 5),
    ("other", "其他", 10, 3),
]

# name, task, crontab (minute, hour, day_of_week, day_of_month, month_of_year)
SCHEDULES = [
    # https://crontab.guru/#30_8_*_*_* : every day 08:30; the step skips days off, so
    # make-up working days (调休) on a weekend are studied too.
    ("Petitions: daily study", "petitions.tasks.run_daily_study", ("30", "8", "*", "*", "*")),
    # https://crontab.guru/#0_8_*_*_1 : Monday 08:00, before the daily study
    ("Petitions: weekly dispatch", "petitions.tasks.run_weekly_dispatch", ("0", "8", "1", "*", "*")),
    # https://crontab.guru/#0_7_1_*_* : the 1st of each month, 07:00
    ("Petitions: monthly summary", "petitions.tasks.run_monthly_summary", ("0", "7", "*", "1", "*")),
    # https://crontab.guru/#30_7_1_1,4,7,10_* : a quarter's first day, 07:30
    (
        "Petitions: quarterly clear-to-zero",
        "petitions.tasks.run_quarterly_clearance",
        ("30", "7", "*", "1", "1,4,7,10"),
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    for order, (code, name, days, urgent) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "working_days": days, "urgent_working_days": urgent,
                      "sort_order": order * 10},
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, (minute, hour, dow, dom, moy) in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week=dow, day_of_month=dom, month_of_year=moy,
            timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": "{}"}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0002_events_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
