"""`{% duty_weeks %}`: this week's representative on duty and the next ones (home page)."""

from django import template
from django.utils import timezone

from members import selectors
from members.models import DutyStudio

register = template.Library()


@register.inclusion_tag("members/includes/duty_weeks.html")
def duty_weeks(weeks: int = 3) -> dict:
    today = timezone.localdate()
    return {
        "shifts": selectors.duty_weeks_ahead(on=today, weeks=weeks),
        "today": today,
        "studio": DutyStudio.objects.first(),
    }
