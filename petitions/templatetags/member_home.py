"""`{% my_open_petitions member %}`: on a member's home page, their enterprise's open
petitions, each with its status and its next step (`petitions.next_step`)."""

from django import template
from django.db.models import Case, Count, IntegerField, Value, When, Window
from django.utils import timezone

from chamber import pagecache
from petitions import selectors
from petitions.models import OPEN_PETITIONS_FRAGMENT, Petition
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


# Kept per enterprise and day (chamber/pagecache.py); a petition saved or bulk-updated
# forgets its enterprise's card (petitions.models: Petition.save, PetitionQuerySet.update).
FRAGMENT = OPEN_PETITIONS_FRAGMENT


@register.simple_tag
def my_open_petitions(member) -> str:
    """The card of the enterprise's open petitions: from the cache, or one query."""
    return pagecache.personal_fragment(
        FRAGMENT,
        member.enterprise_id,
        "petitions/includes/my_open_petitions.html",
        lambda: _open_petitions(member),
    )


def _open_petitions(member) -> dict:
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
