"""每月一题 pages: the year's topics, a topic, picking or changing one, a task done, the
topic concluded (petitions/topics.py).

Staff and district leaders see every topic and pick, change and conclude them; an
official sees the topics their department leads or co-operates in (another's is 404)
and marks its tasks done; members and representatives are refused (403).
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chamber.decorators import role_required
from chamber.roles import Role, roles_of
from petitions import forms_topics, topics
from petitions.models import MonthlyTopic, Petition, ReviewRun, TopicTask

topic_readers = role_required(Role.STAFF, Role.LEADER, Role.OFFICIAL)
topic_managers = role_required(Role.STAFF, Role.LEADER)


def _year(request: HttpRequest, today: date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


@topic_readers
def topic_list(request: HttpRequest) -> HttpResponse:
    """The year's topics, by month; with `?overdue=1`, the tasks past their due date
    (the staff dashboard's figure links here)."""
    roles, today = roles_of(request.user), timezone.localdate()
    visible = topics.visible_topics(roles)
    if request.GET.get("overdue") == "1":
        context = {"overdue": topics.overdue_tasks(on=today, topics=visible)}
    else:
        year = _year(request, today)
        context = {
            "overdue": None,
            "year": year,
            "topics": topics.year_topics(topics=visible, year=year, on=today),
        }
    context.update({"today": today, "may_manage": topics.may_manage(roles)})
    return render(request, "petitions/topic_list.html", context)


def _get_topic_for_user(request: HttpRequest, pk: int) -> tuple[MonthlyTopic, list]:
    """The topic and its co-operating departments, if the user may see it; 404 otherwise."""
    topic = get_object_or_404(
        MonthlyTopic.objects.select_related("lead_department", "created_by"), pk=pk
    )
    departments = list(topic.departments.order_by("sort_order", "name"))
    if not topics.may_see(roles_of(request.user), topic, {d.pk for d in departments}):
        raise Http404
    return topic, departments


def _petition_link(roles, petition: Petition, department_id: int | None) -> str:
    if roles.is_staff:
        return reverse("petitions:staff_detail", args=[petition.pk])
    if (
        department_id is not None
        and petition.department_id == department_id
        and petition.dispatched_at is not None
    ):
        return reverse("petitions:department_detail", args=[petition.pk])
    return ""


@topic_readers
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic, departments = _get_topic_for_user(request, pk)
    roles, today = roles_of(request.user), timezone.localdate()
    page = topics.topic_page(topic)
    department_id = topics.department_of(roles)
    for task in page["tasks"]:
        task.topic = topic
        task.late = task.is_late(today)
        task.may_mark_done = (
            topic.is_open and not task.is_done and topics.may_mark_done(roles, task)
        )
    for petition in page["petitions"]:
        petition.href = _petition_link(roles, petition, department_id)
    may_manage = topics.may_manage(roles)
    context = {
        "topic": topic,
        **page,
        "departments": departments,
        "today": today,
        "may_manage": may_manage,
        "show_enterprise": may_manage,
        "done_form": forms_topics.TaskDoneForm(auto_id="done_%s"),
        "close_form": forms_topics.CloseTopicForm(auto_id="close_%s")
        if may_manage and topic.is_open
        else None,
        "open_tasks": sum(not t.is_done for t in page["tasks"]),
    }
    return render(request, "petitions/topic_detail.html", context)


def _candidate_initial(request: HttpRequest) -> dict:
    """The topic form filled from a monthly summary's candidate (`?run=…&candidate=…`)."""
    try:
        run_pk, index = int(request.GET["run"]), int(request.GET["candidate"])
    except (KeyError, ValueError):
        return {}
    run = ReviewRun.objects.filter(pk=run_pk, kind=ReviewRun.Kind.MONTHLY).first()
    candidate = topics.candidate_of(run, index) if run is not None else None
    if candidate is None:
        return {}
    numbers = Petition.objects.filter(pk__in=candidate["petitions"]).order_by("pk")
    title = candidate["name"]
    if candidate["kind"] == "matter":
        title = title.partition(" ")[2] or title
    return {
        "month": topics.topic_month_of(run),
        "title": title,
        "lead_department": candidate.get("department_id"),
        "petitions": " ".join(numbers.values_list("number", flat=True)),
    }


def _task_initial(tasks: list[TopicTask]) -> list[dict]:
    return [
        {
            "task": t.pk,
            "text": t.text,
            "department": t.department_id,
            "owner": t.owner,
            "due_on": t.due_on,
        }
        for t in tasks
    ]


def _topic_form(
    request: HttpRequest, topic: MonthlyTopic | None, initial: dict
) -> HttpResponse:
    """The topic form, new or changed; saved, it leads to the topic's page."""
    open_tasks = (
        list(topic.tasks.filter(done_at__isnull=True)) if topic is not None else []
    )
    tasks = {t.pk: t for t in open_tasks}
    data = request.POST if request.method == "POST" else None
    form = forms_topics.TopicForm(data, initial=initial)
    formset = forms_topics.task_formset(
        tasks=tasks,
        creating=topic is None,
        data=data,
        initial=_task_initial(open_tasks),
    )
    if data is not None and form.is_valid() and formset.is_valid():
        rows = [{**row, "task": row.get("task")} for row in formset.rows()]
        try:
            saved = topics.save_topic(
                actor=request.user, topic=topic, tasks=rows, **form.cleaned_data
            )
        except topics.TopicError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The topic was saved."))
            return redirect(saved)
    context = {"form": form, "formset": formset, "topic": topic}
    return render(
        request,
        "petitions/topic_form.html",
        context,
        status=400 if data is not None else 200,
    )


@topic_managers
def topic_new(request: HttpRequest) -> HttpResponse:
    """Pick the month's topic; from a monthly summary's candidate, the form comes filled."""
    initial = _candidate_initial(request) or {
        "month": timezone.localdate().replace(day=1)
    }
    return _topic_form(request, None, initial)


@topic_managers
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic, departments = _get_topic_for_user(request, pk)
    if not topic.is_open:
        messages.error(request, _("This topic is concluded; it cannot be changed."))
        return redirect(topic)
    initial = {
        "month": topic.month,
        "title": topic.title,
        "lead_department": topic.lead_department_id,
        "departments": [d.pk for d in departments],
        "problems": topic.problems,
        "petitions": " ".join(
            topic.petitions.order_by("pk").values_list("number", flat=True)
        ),
    }
    return _topic_form(request, topic, initial)


@require_POST
@topic_readers
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a task done: staff, leaders, and officials of the lead department or of the
    department in charge of it."""
    task = get_object_or_404(
        TopicTask.objects.select_related("topic", "topic__lead_department"), pk=pk
    )
    topic, _departments = _get_topic_for_user(request, task.topic_id)
    if not topics.may_mark_done(roles_of(request.user), task):
        raise PermissionDenied
    form = forms_topics.TaskDoneForm(request.POST)
    if form.is_valid():
        try:
            topics.mark_task_done(
                task=task, actor=request.user, note=form.cleaned_data["note"]
            )
        except topics.TopicError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The task was marked done."))
    else:
        messages.error(request, _("The note is too long."))
    return redirect(topic)


@require_POST
@topic_managers
def topic_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Conclude the topic with its result, once every task is done."""
    topic, _departments = _get_topic_for_user(request, pk)
    form = forms_topics.CloseTopicForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the topic achieved."))
        return redirect(topic)
    try:
        topics.close_topic(
            topic=topic, actor=request.user, result=form.cleaned_data["result"]
        )
    except topics.TopicError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The topic was concluded."))
    return redirect(topic)
