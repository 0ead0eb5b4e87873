"""`{% duty_desk %}`: for staff, this week's representative on duty (tap to call) and
today's visitors in the duty log; `{% open_swaps %}`: swap requests nobody has taken."""

from datetime import timedelta

from django import template
from django.utils import timezone

from chamber import workdays
from members import duty_log_selectors
from members.models import SwapRequest

register = template.Library()


@register.inclusion_tag("members/includes/duty_desk.html")
def duty_desk(limit: int = 10) -> dict:
    """This week's shift and today's first `limit` visits, newest first. Four queries."""
    today = timezone.localdate()
    shift = duty_log_selectors.current_shift(on=today)
    visits = duty_log_selectors.log_entries().filter(
        visited_at__gte=workdays.start_of_day(today),
        visited_at__lt=workdays.start_of_day(today + timedelta(days=1)),
    )
    return {
        "shift": shift,
        "representative": shift.representative if shift else None,
        "visits": list(visits[:limit]),
        "visit_count": visits.count(),
    }


@register.inclusion_tag("members/includes/open_swaps.html")
def open_swaps(limit: int = 10) -> dict:
    """Swap requests still waiting for a taker, the nearest week first. One query."""
    swaps = SwapRequest.objects.filter(status=SwapRequest.Status.OPEN).select_related(
        "shift", "requested_by__user"
    )
    return {"swaps": list(swaps.order_by("shift__week_start", "pk")[:limit])}
