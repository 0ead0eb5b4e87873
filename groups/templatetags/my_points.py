"""`{% my_points member %}`: on a member's home page, their points and rank this year and
their group's average and rank (the standings of `groups.selectors`)."""

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext

from groups import selectors

register = template.Library()

# Standings change with each check-in, yet every member's home reads them: computed once
# a minute for all members, as the duty weeks (members.selectors.duty_weeks_ahead).
STANDINGS_SECONDS = 60


def _standings(year: int) -> dict:
    """The year's ranks of every member and every group, as plain values. Two queries,
    at most once a minute."""
    key = f"groups:home-standings:{year}"
    found = cache.get(key)
    if found is None:
        members = selectors.member_standings(year=year)
        groups = selectors.group_standings(year=year)
        found = {
            "members": {
                m.pk: {
                    "points": m.points,
                    "rank": m.rank,
                    "tied": m.tied,
                    "group_id": m.group_id,
                }
                for m in members
            },
            "groups": {
                g.pk: {
                    "pk": g.pk,
                    "number": g.number,
                    "name": g.name,
                    "average": g.average,
                    "rank": g.rank,
                    "tied": g.tied,
                }
                for g in groups
            },
        }
        cache.set(key, found, STANDINGS_SECONDS)
    return found


@register.inclusion_tag("groups/includes/my_points.html")
def my_points(member) -> dict:
    year = timezone.localdate().year
    standings = _standings(year)
    mine = standings["members"].get(member.pk)
    group = standings["groups"].get(mine["group_id"]) if mine else None
    if group is not None:
        group = {**group, "label": gettext("Group %(n)d") % {"n": group["number"]}}
    return {
        "year": year,
        "mine": mine,
        "member_count": len(standings["members"]),
        "group": group,
        "group_count": len(standings["groups"]),
    }
