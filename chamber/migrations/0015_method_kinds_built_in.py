"""Seed the method's lists with the built-in entries (their names stay the portal's own,
translated, until staff rename them), so staff see and order every entry in the admin.
Each seeded entry starts its history."""

from django.db import migrations
from django.utils import timezone

# The built-in codes when this migration was written, in their order.
BUILT_IN = {
    "petition_channel": (
        "online",
        "duty_studio",
        "reception_hall",
        "consultation_day",
        "opinion_form",
        "phone",
    ),
    "campaign_kind": ("publicity_week", "service_month", "other"),
    "platform_kind": ("base", "station", "small_chamber", "outside_chamber"),
}


def seed_kinds(apps, schema_editor):
    MethodKind = apps.get_model("chamber", "MethodKind")
    HistoricalMethodKind = apps.get_model("chamber", "HistoricalMethodKind")
    for group, codes in BUILT_IN.items():
        for order, code in enumerate(codes):
            kind, created = MethodKind.objects.get_or_create(
                group=group, code=code, defaults={"sort_order": order * 10}
            )
            if created:
                HistoricalMethodKind.objects.create(
                    id=kind.pk,
                    group=group,
                    code=code,
                    name="",
                    is_active=True,
                    sort_order=kind.sort_order,
                    history_date=timezone.now(),
                    history_type="+",
                    history_change_reason="内置",  # built in (staff read zh-hans)
                )


class Migration(migrations.Migration):
    dependencies = [("chamber", "0014_method_kinds")]

    operations = [migrations.RunPython(seed_kinds, migrations.RunPython.noop)]
