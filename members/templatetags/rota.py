"""`{% duty_weeks %}`: this week's representative on duty and the next ones (home page);
`{% my_duty_card member user %}`: a representative's home leads with their duty week."""

from django import template
from django.utils import timezone

from members import duty_log_selectors, selectors
from members.models import DutyStudio, Member
from members.services.duty_log import shift_on_duty

register = template.Library()

# The duty card names this many of the week's visitors; the duty log holds them all.
LATEST_VISITS = 3


@register.inclusion_tag("members/includes/duty_weeks.html")
def duty_weeks(weeks: int = 3) -> dict:
    today = timezone.localdate()
    return {
        "shifts": selectors.duty_weeks_ahead(on=today, weeks=weeks),
        "today": today,
        "studio": DutyStudio.objects.first(),
    }


@register.inclusion_tag("members/includes/my_duty_card.html")
def my_duty_card(member: Member, user) -> dict:
    """The member's duty week (Monday to Sunday) holding today, if any, with the visitors
    `user` registered in it (登记来访: their number and the latest few), and the member's
    next duty week. Two queries, four during the duty week, whatever the number of visits."""
    today = timezone.localdate()
    shift = shift_on_duty(member=member, on=today)
    visits, visit_count = [], 0
    if shift is not None:
        entries = duty_log_selectors.log_entries(shift=shift).filter(recorded_by=user)
        visits = list(entries[:LATEST_VISITS])
        visit_count = entries.count()
    return {
        "shift": shift,
        "visits": visits,
        "visit_count": visit_count,
        "next_shift": duty_log_selectors.next_shift(member=member, on=today),
    }
