"""The five kinds of awareness (五种意识) of the 12345+N method, as rows activities are tagged with."""

from django.db import migrations

FIVE = [
    ("responsibility", "责任意识"),
    ("innovation", "创新意识"),
    ("unity", "团结意识"),
    ("service", "服务意识"),
    ("win-win", "合作共赢意识"),
]


def add(apps, schema_editor):
    Awareness = apps.get_model("activities", "Awareness")
    for order, (code, name) in enumerate(FIVE, start=1):
        Awareness.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_activities")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
