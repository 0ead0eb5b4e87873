"""`{% my_open_petitions member %}`: on a member's home page, their enterprise's open
petitions, each with its status and its next step (`petitions.next_step`)."""

from django import template
from django.db.models import Case, Count, IntegerField, Value, When, Window
from django.utils import timezone

from petitions import selectors
from petitions.models import Petition
from petitions.next_step import next_step

register = template.Library()

# The home page lists this many; "My petitions" holds the rest.
SHOWN = 5
# What a row does not show: left in the database.
_LONG_TEXTS = (
    "description",
    "department_reply",
    "follow_up_plan",
    "answer",
    "rating_comment",
)


@register.inclusion_tag("petitions/includes/my_open_petitions.html")
def my_open_petitions(member) -> dict:
    """The enterprise's open petitions, those waiting for its rating first, then the
    newest; at most SHOWN, with the number of all. One query."""
    today = timezone.localdate()
    waiting_for_rating = Case(  # or for its answer to a request (待企业补充)
        When(
            status__in=(Petition.Status.REPLIED, Petition.Status.AWAITING_INFO),
            then=Value(0),
        ),
        default=Value(1),
        output_field=IntegerField(),
    )
    shown = list(
        selectors.enterprise_petitions(enterprise_id=member.enterprise_id)
        .open()
        .defer(*_LONG_TEXTS)
        .annotate(open_count=Window(Count("pk")))
        .order_by(waiting_for_rating, "-created_at", "-pk")[:SHOWN]
    )
    for petition in shown:
        petition.next_step = next_step(petition, on=today)
        petition.late = petition.is_overdue(today)
    return {
        "petitions": shown,
        "open_count": shown[0].open_count if shown else 0,
        "more": bool(shown) and shown[0].open_count > len(shown),
    }
