"""`{% duty_weeks %}`: this week's representative on duty and the next ones (home page);
`{% my_duty_week member as shift %}`: the member's own duty week under way, if any."""

from django import template
from django.utils import timezone

from members import selectors
from members.models import DutyShift, DutyStudio, Member
from members.services.duty_log import shift_on_duty

register = template.Library()


@register.inclusion_tag("members/includes/duty_weeks.html")
def duty_weeks(weeks: int = 3) -> dict:
    today = timezone.localdate()
    return {
        "shifts": selectors.duty_weeks_ahead(on=today, weeks=weeks),
        "today": today,
        "studio": DutyStudio.objects.first(),
    }


@register.simple_tag
def my_duty_week(member: Member | None) -> DutyShift | None:
    """The member's duty week (Monday to Sunday) holding today: the home page leads with it."""
    if member is None:
        return None
    return shift_on_duty(member=member, on=timezone.localdate())
