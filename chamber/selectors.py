from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from chamber.channels import rules
from chamber.models import Heartbeat, OutgoingMessage

# The worker heartbeat runs every minute; three missed beats mean the worker is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)
# A message due this long and still not sent: the sender is stuck (the dashboard says so).
OUTBOX_LATE_AFTER = timedelta(minutes=15)


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


def newest_heartbeat_at() -> datetime | None:
    """When any background process last proved it runs; None before the first beat."""
    return Heartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]


def outbox_status(*, now: datetime | None = None) -> dict:
    """The outbox at a glance, in one query: `failed` messages, messages due for longer
    than OUTBOX_LATE_AFTER (`late`), when the oldest due message fell due
    (`oldest_due_at`, None when nothing is due), and the SMS sent this month
    (`sms_this_month`, what the provider bills: chamber/channels/rules.py)."""
    now = now or timezone.now()
    due = Q(status=OutgoingMessage.Status.QUEUED, next_try_at__lte=now)
    this_month = rules.SMS_SENT & Q(sent_at__gte=rules.month_start(now))
    # Only failed and queued rows, and this month's SMS, count: the partial indexes
    # find them however many messages were sent.
    return OutgoingMessage.objects.filter(
        Q(status__in=(OutgoingMessage.Status.FAILED, OutgoingMessage.Status.QUEUED))
        | this_month
    ).aggregate(
        failed=Count("pk", filter=Q(status=OutgoingMessage.Status.FAILED)),
        late=Count("pk", filter=due & Q(next_try_at__lte=now - OUTBOX_LATE_AFTER)),
        oldest_due_at=Min("next_try_at", filter=due),
        sms_this_month=Count("pk", filter=this_month),
    )


def outbox_messages(
    *, status: str = "", kind: str = "", recipient: str = "", channel: str = ""
) -> QuerySet[OutgoingMessage]:
    """The staff's outbox, newest first, filtered; without the bodies (the caller
    paginates)."""
    messages = (
        OutgoingMessage.objects.select_related("user")
        .defer("body_text", "body_html")
        .order_by("-created_at", "-pk")
    )
    if status:
        messages = messages.filter(status=status)
    if kind:
        messages = messages.filter(kind=kind)
    if channel:
        messages = messages.filter(channel=channel)
    if recipient:
        messages = messages.filter(
            Q(address__icontains=recipient)
            | Q(user__full_name__icontains=recipient)
            | Q(user__username__icontains=recipient)
        )
    return messages
