"""The four kinds of article of the publicity week; by code, never deleting."""

from django.db import migrations

KINDS = [
    ("policy", "惠企政策"),
    ("exemplary", "优企案例"),
    ("story", "西市商业风云"),
    ("news", "新闻动态"),
]


def seed(apps, schema_editor):
    ArticleKind = apps.get_model("publicity", "ArticleKind")
    for order, (code, name) in enumerate(KINDS):
        ArticleKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("publicity", "0001_articles_and_digests")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
