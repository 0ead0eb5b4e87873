"""`{% leader_glance %}`: on a district leader's home page, what is open, overdue and
escalated today, and the way to the leader's figures (`petitions:leader_home`)."""

from django import template
from django.utils import timezone

from petitions import leader

register = template.Library()


@register.inclusion_tag("petitions/includes/leader_glance.html")
def leader_glance() -> dict:
    """Two queries, whatever the number of petitions."""
    today = timezone.localdate()
    return {
        "now": leader.open_and_overdue({}, today=today)["all"],
        "escalations": leader.escalations_waiting(),
    }
