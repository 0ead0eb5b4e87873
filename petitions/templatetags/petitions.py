from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chamber.ranking import rank_label
from petitions import models, rates
from petitions.models import Petition, Section

register = template.Library()

SECTION_BADGES = {
    Section.TO_TRIAGE: "text-bg-warning",
    Section.WITH_CHAMBER: "text-bg-info",
    Section.OVERDUE: "text-bg-danger",
    Section.NEW: "text-bg-primary",
    Section.DUE_THIS_WEEK: "text-bg-warning",
    Section.IN_PROGRESS: "text-bg-primary",
    Section.AWAITING_INFO: "text-bg-warning",
    Section.AWAITING_REVIEW: "text-bg-info",
    Section.ANSWERED: "text-bg-success",
    Section.ENDED: "text-bg-secondary",
}


@register.filter
def section(petition: Petition) -> Section:
    """Where the petition stands today (Beijing): the same word as the page's section."""
    return Section(petition.section(timezone.localdate()))


@register.filter
def section_badge(section: str) -> str:
    return SECTION_BADGES.get(section, "text-bg-secondary")


@register.filter
def rating_label(code: str) -> str:
    """The rating's label in the reader's language ("satisfied" → "满意")."""
    try:
        return Petition.Rating(code).label
    except ValueError:
        return ""


@register.filter
def solved_label(code: str) -> str:
    """The enterprise's answer to "was the problem solved" in the reader's language."""
    try:
        return Petition.Solved(code).label
    except ValueError:
        return ""


@register.filter
def channel_label(code: str) -> str:
    return models.channel_label(code)


STAT_LABELS = {
    "intake": _("received"),
    "untriaged": _("not triaged in time"),
    "due_next_working_day": _("due next working day"),
    "newly_supervised": _("newly supervised"),
    "closed_without_rating": _("closed without rating"),
    "open": _("open at departments"),
    "due_this_week": _("due this week"),
    "overdue": _("overdue"),
    "escalated": _("escalated"),
    "uncleared": _("not cleared"),
    "answered": _("answers given"),
    # the 三率 and the return visit rate, as petitions/rates.py names them
    **{r.key: r.label for r in rates.HEADLINE},
    "bounces": _("returned by departments"),
    "median_days": _("median working days to reply"),
    "p90_days": _("90th percentile of working days to reply"),
}
# Figures shown on the cycle page's cards; the reports show all of them.
CARD_STATS = tuple(STAT_LABELS)


@register.filter
def stat_label(key: str) -> str:
    return STAT_LABELS.get(key, "")


@register.filter
def card_stats(stats: dict) -> list[tuple[str, object]]:
    """The figures of a run worth a line on its card, labelled, in a fixed order; a rate
    with its numerator and denominator ("80.0%（12/15）")."""
    return [
        (STAT_LABELS[k], rates.figure(stats, k) if k in rates.BY_KEY else stats[k])
        for k in CARD_STATS
        if k in stats and stats[k] is not None
    ]


@register.filter
def rank_of(row: dict) -> str:
    """A report row's place: "4", "并列第4" when shared, "—" when not ranked."""
    if row.get("rank") is None:
        return "—"
    return rank_label(row["rank"], row.get("tied", False))


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None


@register.simple_tag
def petition_of_entry(entry):
    """The petition a duty-log appeal became, if any (the duty log page links to it)."""
    return (
        Petition.objects.filter(duty_log_entry_id=entry.pk).only("pk", "number").first()
    )
