"""重复诉求 on a petition's staff page: `{% merge_suggestions petition %}` lists its
likely repeats across enterprises and channels, each with a form to merge into it."""

from django import template

from petitions import repeats

register = template.Library()


@register.inclusion_tag("petitions/includes/merge_suggestions.html", takes_context=True)
def merge_suggestions(context, petition) -> dict:
    """The petition's likely repeats (petitions.repeats.likely_duplicates), each open
    one with a merge form whose reason, for the enterprise, names its number. Two
    queries."""
    found = repeats.likely_duplicates([petition]).get(petition.pk, [])
    return {
        "petition": petition,
        "found": [(d, repeats.merge_reason(d.petition.number)) for d in found],
        "csrf_token": context.get("csrf_token"),
    }
