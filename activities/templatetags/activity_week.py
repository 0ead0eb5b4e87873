"""`{% week_activities %}`: for staff, this week's activities with their sign-ups
against the places, and the way to each one's check-in (签到)."""

from datetime import timedelta

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity, Registration
from chamber import workdays

register = template.Library()


@register.inclusion_tag("activities/includes/week_activities.html")
def week_activities(limit: int = 20) -> dict:
    """Published activities starting this week (Monday to Sunday), in order. One query."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    signed_up = Registration.Status.REGISTERED
    activities = (
        Activity.objects.published()
        .filter(
            starts_at__gte=workdays.start_of_day(monday),
            starts_at__lt=workdays.start_of_day(monday + timedelta(days=7)),
        )
        .select_related("series")
        .annotate(
            taken=Count("registrations", filter=Q(registrations__status=signed_up)),
            waiting=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.WAITING),
            ),
        )
        .order_by("starts_at", "pk")
    )
    return {"activities": list(activities[:limit]), "now": timezone.now()}
