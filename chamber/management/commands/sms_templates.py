"""Print the SMS templates to register with the provider, one per kind of notice.

    python manage.py sms_templates            # a table to paste into the provider's console
    python manage.py sms_templates --env      # SMS_TEMPLATE_IDS to fill in with their ids

The texts use SITE_URL's host for the short links (a template's link is fixed up to the
code). The README's list is this command's output with SITE_URL=https://portal.example.cn.
"""

import json

from django.core.management.base import BaseCommand
from django.utils import translation

from chamber.channels.choices import OPT_OUT_KINDS
from chamber.channels.short_forms import SHORT_FORMS, template_text
from chamber.outbox_kinds import kind_label


class Command(BaseCommand):
    help = (
        "Print the SMS template of each kind of notice, to register with the provider."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--env",
            action="store_true",
            help="Print SMS_TEMPLATE_IDS with an empty id for each kind.",
        )

    def handle(self, *args, env: bool = False, **options) -> None:
        if env:
            ids = {kind: "" for kind in SHORT_FORMS}
            self.stdout.write(f"SMS_TEMPLATE_IDS='{json.dumps(ids)}'")
            return
        with translation.override("zh-hans"):
            self.stdout.write("| kind | 通知 | 模板类型 | 模板内容 |")
            self.stdout.write("|---|---|---|---|")
            for kind in SHORT_FORMS:
                category = "验证码" if kind == "sms-code" else "通知短信"
                if kind in OPT_OUT_KINDS:
                    category += "（可回T退订）"
                self.stdout.write(
                    f"| `{kind}` | {kind_label(kind)} | {category} | {template_text(kind)} |"
                )
