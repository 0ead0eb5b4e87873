"""每月一题 on other pages: `{% petition_topics petition %}` on a petition's staff and
department pages, `{% supervised_tasks run %}` on a daily study's report, and the
`names` filter that lists departments."""

from django import template
from django.utils import timezone
from django.utils.translation import pgettext

from chamber.roles import roles_of
from petitions import topics
from petitions.models import TopicTask

register = template.Library()


@register.filter
def names(departments) -> str:
    """Departments' names in a list: "区教育局、区财政局"."""
    return pgettext("list separator", ", ").join(d.name for d in departments)


@register.inclusion_tag("petitions/includes/petition_topics.html", takes_context=True)
def petition_topics(context, petition) -> dict:
    """The monthly topics that cover this petition, each a link for those who may open
    it. Two queries (none shown when there is none)."""
    roles = roles_of(context["request"].user)
    found = topics.petition_topics(petition_id=petition.pk)
    for topic in found:
        topic.may_open = topics.may_see(
            roles, topic, {d.pk for d in topic.departments.all()}
        )
    return {"topics": found}


@register.inclusion_tag("petitions/includes/supervised_tasks.html")
def supervised_tasks(run) -> dict:
    """The topics' tasks a daily study marked for supervision. One query."""
    pks = (run.report or {}).get("topic_tasks_supervised") or []
    tasks = list(
        TopicTask.objects.filter(pk__in=pks)
        .select_related("topic", "department")
        .order_by("due_on", "pk")
        if pks
        else []
    )
    return {"tasks": tasks, "today": timezone.localdate()}
