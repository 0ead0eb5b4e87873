"""`{% session_poster_link activity %}`: on an activity's page, staff find the poster of
its opinion form when it is a consultation day or a reception-hall session (the
activities app cannot know which types take petitions; petitions.entry does)."""

from django import template
from django.urls import reverse

from petitions import entry

register = template.Library()


@register.inclusion_tag("petitions/includes/session_poster_link.html")
def session_poster_link(activity) -> dict:
    """The link to the session's QR poster, or nothing for another kind of activity."""
    if activity.status != activity.Status.PUBLISHED or not entry.session_channel(
        activity
    ):
        return {"href": ""}
    return {
        "href": reverse("petitions:session_poster", args=[activity.pk]),
        "sheets_href": reverse("petitions:opinion_sheets", args=[activity.pk]),
    }
