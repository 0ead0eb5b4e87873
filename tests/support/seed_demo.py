"""The demo data (manage.py seed_demo), as the demo tests seed it."""

import io

from django.core.management import call_command


def seed() -> str:
    """Seed the demo data again (force); what the command printed."""
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()
