"""`{% my_next_activity member %}`: on a member's home page, the next activity they signed
up for, or else the next one open for sign-up."""

from django import template
from django.db.models import Q
from django.utils import timezone

from activities.models import NEXT_ACTIVITY_FRAGMENT, Activity, Registration
from chamber import pagecache

register = template.Library()


@register.simple_tag
def my_next_activity(member) -> str:
    """The card of the member's next activity: from the cache (per member and day,
    forgotten when their registrations change; an activity's own edits show within
    the minute), or one or two queries."""
    return pagecache.personal_fragment(
        NEXT_ACTIVITY_FRAGMENT,
        member.pk,
        "activities/includes/my_next_activity.html",
        lambda: _next_activity(member),
    )


def _next_activity(member) -> dict:
    """The member's own place (or waiting-list place) at the first published activity
    that has not ended; else the first activity open for sign-up. One or two queries."""
    now = timezone.now()
    registration = (
        Registration.objects.filter(member=member, attendee_name="")
        .exclude(status=Registration.Status.CANCELLED)
        .filter(activity__status=Activity.Status.PUBLISHED, activity__ends_at__gte=now)
        .select_related("activity__series")
        .order_by("activity__starts_at", "pk")
        .first()
    )
    if registration is not None:
        return {"registration": registration, "activity": registration.activity}
    open_for_signup = (
        Activity.objects.published()
        .filter(starts_at__gt=now)
        .filter(Q(signup_opens_at__isnull=True) | Q(signup_opens_at__lte=now))
        .filter(Q(signup_closes_at__isnull=True) | Q(signup_closes_at__gt=now))
        .select_related("series")
        .order_by("starts_at", "pk")
        .first()
    )
    return {"registration": None, "activity": open_for_signup}
