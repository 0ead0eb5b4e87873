"""Sending one planned e-mail once: the weekly digests and the monthly news share it.

A delivery row (DigestDelivery, NewsletterDelivery: status, claimed_at, attempts,
sent_at, last_error) is claimed by a conditional update before anything is sent, so a
task delivered twice sends once; a claim older than settings.DELIVERY_STALE_CLAIM (longer
than a task may run) belongs to a worker that died while sending and may be taken again:
the broker hands the dead worker's task to another, which finds the claim and looks again
when it is stale (`claim_expires_at`). A failed send gives the claim back for the task's
retry; a delivery with nothing left to say ends as NOTHING, without an e-mail.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone


def stale_claim() -> timedelta:
    return timedelta(seconds=settings.DELIVERY_STALE_CLAIM)


def send_once(
    rows: QuerySet,
    delivery_id: int,
    *,
    now: datetime | None,
    build: Callable,
) -> bool:
    """Claim the delivery of `rows` (its model's queryset, with what `build` reads
    selected), build its message and send it; True when this call sent it."""
    model = rows.model
    now = now or timezone.now()
    claimed = (
        model.objects.filter(pk=delivery_id, status=model.Status.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - stale_claim()))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False  # sent already, or being sent by another worker right now
    delivery = rows.get(pk=delivery_id)
    try:
        message = build(delivery, now=now)
        if message is not None:
            message.send()
    except Exception as exc:
        # Give the claim back so the task's retry can take it.
        model.objects.filter(pk=delivery_id).update(
            claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:300]
        )
        raise
    if message is None:  # settled, unsubscribed or left since it was planned
        model.objects.filter(pk=delivery_id).update(
            status=model.Status.NOTHING, last_error=""
        )
        return False
    model.objects.filter(pk=delivery_id).update(
        status=model.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def claim_expires_at(model, delivery_id: int) -> datetime | None:
    """When another worker's claim on a pending delivery goes stale; None when the
    delivery is settled (sent, failed, nothing to send) or nobody holds it."""
    claimed_at = (
        model.objects.filter(pk=delivery_id, status=model.Status.PENDING)
        .values_list("claimed_at", flat=True)
        .first()
    )
    return claimed_at + stale_claim() if claimed_at else None


# A task still retrying has finished within the hour (its waits add up to half an hour);
# a pending row older than that, with no live claim, lost its task with a worker (the
# filesystem broker does not hand a dead worker's task to another). Older than a week,
# it is old news: staff see it pending in the admin and may send it again.
LOST_AFTER = timedelta(hours=1)
LOOK_BACK = timedelta(days=7)


def lost_ids(model, *, now: datetime | None = None) -> list[int]:
    """Pending deliveries of `model` whose task was lost: planned more than an hour and
    less than a week ago, and claimed by nobody (or by a worker that died)."""
    now = now or timezone.now()
    return list(
        model.objects.filter(
            status=model.Status.PENDING,
            created_at__lt=now - LOST_AFTER,
            created_at__gte=now - LOOK_BACK,
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - stale_claim()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _has_failed_at(model) -> bool:
    return any(f.name == "failed_at" for f in model._meta.get_fields())


def mark_failed(model, delivery_id: int, *, error: str) -> None:
    """After the last retry: the row shows as failed, where staff can send it again."""
    fields = {
        "status": model.Status.FAILED,
        "claimed_at": None,
        "last_error": error[:300],
    }
    if _has_failed_at(model):
        fields["failed_at"] = timezone.now()
    model.objects.filter(pk=delivery_id, status=model.Status.PENDING).update(**fields)


def reset_for_resend(delivery) -> None:
    """Staff send a delivery again: back to pending, unclaimed, not sent."""
    model = type(delivery)
    fields = {"status": model.Status.PENDING, "claimed_at": None, "sent_at": None}
    if _has_failed_at(model):
        fields["failed_at"] = None
    model.objects.filter(pk=delivery.pk).update(**fields)
