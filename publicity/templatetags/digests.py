from django import template

from publicity.models import DigestDelivery

register = template.Library()


@register.simple_tag
def failed_digests(limit: int = 20) -> list[DigestDelivery]:
    """Weekly digests that failed after their retries, for the staff dashboard."""
    return list(
        DigestDelivery.objects.filter(status=DigestDelivery.Status.FAILED)
        .select_related("official__user", "official__department")
        .order_by("-week_start", "pk")[:limit]
    )


@register.simple_tag
def showcases_waiting() -> int:
    """How many enterprise showcases wait for a member of staff's approval."""
    from publicity.models import Showcase

    return Showcase.objects.filter(status=Showcase.Status.PENDING).count()
