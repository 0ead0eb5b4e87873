"""Handing planned e-mails to the outbox: the weekly digests and the monthly news share it.

A delivery row (DigestDelivery, NewsletterDelivery) is planned once per recipient and
period. In the same transaction its e-mail is written to the outbox (chamber.outbox)
under a key naming the delivery, and the row is linked to that message; from then on the
outbox sends it once, retries it, and shows staff when it failed. A delivery with nothing
left to say ends as NOTHING, without a message. Handing over twice writes nothing twice:
only pending rows are handed over, and the outbox writes a key once.
"""

from collections.abc import Callable

from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from chamber import outbox
from chamber.models import OutgoingMessage

# What a delivery's e-mail is: the template's name, its context and, for some, headers
# of its own; None for nothing.
Built = tuple[str, dict] | tuple[str, dict, dict] | None


def hand_over(
    deliveries: list,
    built: dict[int, Built],
    *,
    key: str,
    recipient: Callable,
) -> list[int]:
    """Write the e-mails `built` for `deliveries` (pending rows of one model, locked by
    the caller's transaction) to the outbox under `key` + the delivery's id, and link
    each delivery to its message; one built as None has nothing to send. Returns the
    deliveries handed over. The same queries whatever the number of deliveries."""
    if not deliveries:
        return []
    model = type(deliveries[0])
    notices = []
    for delivery in deliveries:
        if built[delivery.pk] is not None:
            name, context, *headers = built[delivery.pk]
            notices.append(
                outbox.Notice(
                    f"{key}{delivery.pk}",
                    name,
                    recipient(delivery),
                    context,
                    headers[0] if headers else {},
                )
            )
    outbox.queue_all(notices)
    handed = [d.pk for d in deliveries if built[d.pk] is not None]
    if handed:
        # The message of each delivery, found by its key (written now, or before by a
        # hand-over that met this one): one UPDATE, whatever the number.
        message = OutgoingMessage.objects.filter(
            key=Concat(Value(key), Cast(OuterRef("pk"), CharField()))
        ).values("pk")[:1]
        model.objects.filter(pk__in=handed, status=model.Status.PENDING).update(
            status=model.Status.IN_OUTBOX, message=Subquery(message)
        )
    nothing = [d.pk for d in deliveries if built[d.pk] is None]
    if nothing:
        model.objects.filter(pk__in=nothing, status=model.Status.PENDING).update(
            status=model.Status.NOTHING
        )
    return handed
