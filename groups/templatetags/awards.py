"""`{% published_awards member=… %}` / `{% published_awards group=… %}`: a winner's awards."""

from django import template

from groups.models import Award

register = template.Library()


@register.inclusion_tag("groups/includes/award_badges.html")
def published_awards(member=None, group=None) -> dict:
    awards = Award.objects.filter(published_at__isnull=False).select_related("kind")
    if member is not None:
        awards = awards.filter(member=member)
    elif group is not None:
        awards = awards.filter(group=group)
    else:
        awards = awards.none()
    return {"awards": list(awards.order_by("-year", "kind__sort_order"))}
