"""`{% todo_figures as figures %}`: the petitions in the day's work (今日待办) for the
staff dashboard; `{% review_steps %}`: each review step's last run and next run."""

from django import template
from django.utils import timezone

from petitions import selectors, today
from petitions.today import Figure

register = template.Library()


@register.simple_tag
def petitions_version() -> str:
    """The data's version and the day (`selectors.data_version`): the key under which
    the dashboard keeps its petitions' figures and worklists. One query."""
    return f"{selectors.data_version()}:{timezone.localdate()}"


@register.simple_tag
def todo_figures() -> list[Figure]:
    """The figures of petitions in today's work, each linking to its list. One query."""
    return today.todo_figures(on=timezone.localdate())


@register.inclusion_tag("petitions/includes/review_steps.html")
def review_steps() -> dict:
    """The review cycle's clock: when each step last ran and when it runs next."""
    return {"steps": today.review_steps()}


@register.inclusion_tag("petitions/includes/clock_worklists.html")
def clock_worklists() -> dict:
    """回访, 延期 and 待企业补充: the petitions waiting for staff, each row linking to the
    form on its page; the lists with nothing in them are left out. One query per list."""
    return {
        "worklists": [w for w in today.worklists(on=timezone.localdate()) if w.rows]
    }
