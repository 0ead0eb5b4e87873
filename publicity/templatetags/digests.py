from datetime import timedelta

from django import template
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from chamber.models import OutgoingMessage
from publicity.models import DigestDelivery

register = template.Library()

# Planning hands a digest to the outbox in its own transaction; one still pending an
# hour later was left by the upgrade to the outbox (failed before it, or its task lost).
NOT_HANDED_OVER_AFTER = timedelta(hours=1)


@register.simple_tag
def failed_digests(limit: int = 20) -> list[DigestDelivery]:
    """Weekly digests that could not be sent, for the staff dashboard, each with the
    reason in `last_error`: their message failed after its retries, or they never
    reached the outbox. One query."""
    stuck = timezone.now() - NOT_HANDED_OVER_AFTER
    return list(
        DigestDelivery.objects.filter(
            Q(message__status=OutgoingMessage.Status.FAILED)
            | Q(status=DigestDelivery.Status.PENDING, created_at__lt=stuck)
        )
        .select_related("official__user", "official__department", "message")
        .annotate(
            last_error=Coalesce(
                F("message__last_error"),
                Value(gettext("Not handed to the outbox.")),
                output_field=TextField(),
            )
        )
        .order_by("-week_start", "pk")[:limit]
    )


@register.simple_tag
def showcases_waiting() -> int:
    """How many enterprise showcases wait for a member of staff's approval."""
    from publicity.models import Showcase

    return Showcase.objects.filter(status=Showcase.Status.PENDING).count()
