"""Compile locale/*.po to .mo: with gettext's msgfmt when present, else in Python (polib)."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translations; works on a machine without gettext installed."

    def handle(self, *args, **options) -> None:
        if shutil.which("msgfmt"):
            call_command(
                "compilemessages",
                ignore_patterns=[".venv/*", "node_modules/*"],
                verbosity=0,
            )
            self.stdout.write("Translations compiled with msgfmt.")
            return
        import polib

        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                polib.pofile(str(po_path)).save_as_mofile(
                    str(po_path.with_suffix(".mo"))
                )
                count += 1
        self.stdout.write(
            f"{count} translation files compiled with polib (msgfmt not found)."
        )
