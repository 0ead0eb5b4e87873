"""Load the demo district: departments, enterprises, and one login per role."""

import logging
from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from chamber.models import OutgoingMessage


class Command(BaseCommand):
    help = "Create the demo data and logins (demo-staff, demo-member, demo-rep, demo-official, demo-leader)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with a known password; with DEBUG off, pass --force."
            )
        with _history_recorded_as_sent(), transaction.atomic():
            # Each app keeps its own demo data in <app>/demo.py; installed order is dependency order.
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is not None:
                    import_module(module_name).seed(password=settings.DEMO_PASSWORD)
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for username, what in DEMO_LOGINS:
            self.stdout.write(f"  {username:<14} {what}")


@contextmanager
def _history_recorded_as_sent():
    """The demo's past was told at the time: the notices its history queues (dispatch
    notices, answers, digests of past weeks) run at once, after the seed commits,
    through the real sending code, so each is claimed and recorded as sent; the mail
    itself is dropped. `make run` then starts with an empty var/mail/, and nothing sends
    the past later (the lost-delivery sweep finds every delivery sent). SMS and WeChat
    messages of the past are dropped the same way."""
    from chamber.celery import app

    eager = app.conf.task_always_eager
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    app.conf.task_always_eager = True
    trace.setLevel(logging.WARNING)  # a line per past notice says nothing to the reader
    before = OutgoingMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            SMS_BACKEND="chamber.channels.DiscardBackend",
            WECHAT_BACKEND="chamber.channels.DiscardBackend",
        ):
            yield
        # An SMS of the past decided at night waits for 08:00 (the quiet hours): it was
        # told at the time all the same.
        OutgoingMessage.objects.filter(
            pk__gt=before, status=OutgoingMessage.Status.QUEUED
        ).update(status=OutgoingMessage.Status.SENT, sent_at=timezone.now())
    finally:
        app.conf.task_always_eager = eager
        trace.setLevel(level)


DEMO_LOGINS = [
    ("demo-staff", "secretariat staff: staff dashboard and admin"),
    ("demo-member", "member entrepreneur of 营口辽河装备制造有限公司"),
    ("demo-rep", "representative (副会长) on the duty rota"),
    ("demo-official", "official of 西市区教育局"),
    ("demo-leader", "district leader"),
]
