"""Seed the method's rules with their defaults, so staff see every rule in the admin;
by key, never changing a stored value (chamber/method_rules.py has the definitions).
Each seeded rule starts its history, so its first change shows the old value too."""

from django.db import migrations
from django.utils import timezone

# The defaults when this migration was written; a rule added later seeds its own row.
DEFAULTS = {
    "rating_window": 5,
    "escalate_after": 10,
    "quarter_warning": 14,
    "min_ranked": 3,
    "group_warning_day": 20,
    "info_request_timeout": 5,
    "return_visit_after": 3,
}


def seed_rules(apps, schema_editor):
    MethodRule = apps.get_model("chamber", "MethodRule")
    HistoricalMethodRule = apps.get_model("chamber", "HistoricalMethodRule")
    for key, value in DEFAULTS.items():
        rule, created = MethodRule.objects.get_or_create(
            key=key, defaults={"value": value}
        )
        if created:
            HistoricalMethodRule.objects.create(
                id=rule.pk,
                key=key,
                value=value,
                history_date=timezone.now(),
                history_type="+",
                history_change_reason="默认值",  # the method's default (staff read zh-hans)
            )


class Migration(migrations.Migration):
    dependencies = [("chamber", "0012_method_rules")]

    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
