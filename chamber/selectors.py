from datetime import datetime, timedelta

from django.utils import timezone

from chamber.models import Heartbeat

# The worker heartbeat runs every minute; three missed beats mean the worker is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def worker_status(*, now: datetime | None = None) -> dict:
    """When the background worker last ran a task, and whether that is recent enough."""
    now = now or timezone.now()
    heartbeat = Heartbeat.objects.filter(name="worker").first()
    if heartbeat is None:
        return {"seen_at": None, "ok": False}
    return {
        "seen_at": heartbeat.beat_at,
        "ok": now - heartbeat.beat_at <= HEARTBEAT_STALE_AFTER,
    }
