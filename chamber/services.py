from datetime import datetime

from django.utils import timezone

from chamber.models import Heartbeat


def record_heartbeat(*, name: str, now: datetime | None = None) -> Heartbeat:
    """Record that the named background process is alive; running it again only moves the time."""
    heartbeat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now or timezone.now()}
    )
    return heartbeat
