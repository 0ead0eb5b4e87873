"""每月一题 (issue 18, item 8): the monthly summary proposes topics, staff or a leader
pick one with its tasks and petitions, the tasks are followed until done (the lead
department's digest, supervision when overdue), and the quarter lists them.

March 2026 is the month summarised (it has no public holiday):

    category 融资难    F1 resolved · F2 resolved, rated unsatisfied · F3 partly · F4 open
                       · F5 open, returned once
    category 用地难    L1 open, returned twice · L2 resolved, returned once · L3 resolved
                       · M1 merged into a February petition of 用地难 (resolved)
    category 审批难    A1 open · A2 and A3 (no category) merged into A1: a repeated matter
    category 其他事项  X1 resolved
"""

from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions import review, services, topics
from petitions.models import (
    Category,
    MonthlyTopic,
    Petition,
    TopicEvent,
    TopicTask,
)
from publicity import digests
from publicity.models import DigestDelivery
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    LeaderFactory,
    OfficialFactory,
    PetitionFactory,
)
from tests.support.smtp import rendered
from tests.support.words import zh

S = Petition.Status
O = Petition.Outcome  # noqa: E741 - not an ambiguous name here
K = TopicEvent.Kind
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def page(client, url: str):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def march(staff):
    """The month of the module's docstring: the petitions by name."""
    f, land, a, x = (
        CategoryFactory(code="t-financing", name="融资难"),
        CategoryFactory(code="t-land", name="用地难"),
        CategoryFactory(code="t-approvals", name="审批难"),
        CategoryFactory(code="t-other", name="其他事项"),
    )
    p = {}
    for n in range(1, 6):
        p[f"F{n}"] = PetitionFactory(category=f, created_at=at(date(2026, 3, n + 1)))
    for n in range(1, 4):
        p[f"L{n}"] = PetitionFactory(category=land, created_at=at(date(2026, 3, 9)))
    p["A1"] = PetitionFactory(category=a, created_at=at(date(2026, 3, 10)))
    p["A2"] = PetitionFactory(category=None, created_at=at(date(2026, 3, 11)))
    p["A3"] = PetitionFactory(category=None, created_at=at(date(2026, 3, 12)))
    p["X1"] = PetitionFactory(category=x, created_at=at(date(2026, 3, 13)))
    p["FEB"] = PetitionFactory(category=land, created_at=at(date(2026, 2, 20)))
    p["M1"] = PetitionFactory(category=None, created_at=at(date(2026, 3, 16)))
    resolved = [p[k].pk for k in ("F1", "F2", "L2", "L3", "X1", "FEB")]
    Petition.objects.filter(pk__in=resolved).update(outcome=O.RESOLVED)
    Petition.objects.filter(pk=p["F2"].pk).update(rating=Petition.Rating.UNSATISFIED)
    Petition.objects.filter(pk=p["F3"].pk).update(outcome=O.PARTLY)
    Petition.objects.filter(pk__in=[p["F5"].pk, p["L2"].pk]).update(bounce_count=1)
    Petition.objects.filter(pk=p["L1"].pk).update(bounce_count=2)
    for key, into in (("A2", "A1"), ("A3", "A1"), ("M1", "FEB")):
        services.merge_petition(
            petition=p[key],
            into=p[into],
            actor=staff,
            reason="同一事项，合并办理。",
            now=at(date(2026, 3, 20)),
        )
    return p


def _direct(petitions) -> dict:
    """A group's figures said once more in plain filters: a merged petition counts with
    the one it was merged into."""
    own = Q(merged_into__isnull=True)
    unresolved = (own & (~Q(outcome=O.RESOLVED) | Q(rating="unsatisfied"))) | (
        ~own
        & (~Q(merged_into__outcome=O.RESOLVED) | Q(merged_into__rating="unsatisfied"))
    )
    bounced = (own & Q(bounce_count__gt=0)) | (
        ~own & Q(merged_into__bounce_count__gt=0)
    )
    return {
        "count": petitions.count(),
        "unresolved": petitions.filter(unresolved).count(),
        "bounced": petitions.filter(bounced).count(),
        "petitions": sorted(petitions.values_list("pk", flat=True)),
    }


def test_the_candidates_equal_direct_queries_on_the_months_petitions(march):
    found = topics.candidates(first=MARCH[0], last=MARCH[1])

    month = Petition.objects.filter(
        created_at__gte=at(MARCH[0], 0), created_at__lt=at(date(2026, 4, 1), 0)
    ).annotate(carried=Coalesce("merged_into__category_id", "category_id"))
    by_name = {(c["kind"], c["name"]): c for c in found}
    # 其他事项 (one resolved petition) and the February matter (one petition) are no candidates
    assert list(by_name) == [
        ("category", "融资难"),
        ("category", "用地难"),
        ("category", "审批难"),
        ("matter", f"{march['A1'].number} {march['A1'].title}"),
    ]
    for (kind, name), candidate in by_name.items():
        if kind == "category":
            group = month.filter(carried=Category.objects.get(name=name).pk)
        else:
            group = month.filter(Q(pk=march["A1"].pk) | Q(merged_into=march["A1"]))
        figures = {key: candidate[key] for key in ("count", "unresolved", "bounced")}
        assert {**figures, "petitions": sorted(candidate["petitions"])} == _direct(
            group
        )
    assert [by_name[("category", "融资难")][k] for k in ("count", "unresolved")] == [
        5,
        4,
    ]
    assert by_name[("category", "用地难")]["tops"] == ["count", "bounced"]


def test_the_monthly_report_offers_its_candidates_to_pick_as_the_months_topic(
    march, client, staff
):
    with time_machine.travel(at(date(2026, 4, 1), 7), tick=False):
        run = review.run_monthly_summary(on=date(2026, 4, 1))
    client.force_login(staff)

    report = page(client, reverse("petitions:report", args=[run.pk])).content.decode()
    pick = f"{reverse('petitions:topic_new')}?run={run.pk}&amp;candidate=0"
    assert zh("Candidates for next month's topic") in report
    assert "融资难" in report and pick in report

    form = page(client, pick.replace("&amp;", "&")).context["form"]
    assert form.initial["month"] == date(2026, 4, 1)
    assert form.initial["title"] == "融资难"
    assert set(form.initial["petitions"].split()) == {
        march[f"F{n}"].number for n in range(1, 6)
    }


def _form_data(lead, other, petitions, **extra) -> dict:
    return {
        "month": "2026-04",
        "title": "融资难题集中破解",
        "lead_department": lead.pk,
        "departments": [other.pk],
        "problems": "贷款审批慢\n抵押物认定难",
        "petitions": " ".join(p.number for p in petitions),
        "tasks-TOTAL_FORMS": "3",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "30",
        "tasks-0-text": "梳理企业贷款需求清单",
        "tasks-0-department": lead.pk,
        "tasks-0-due_on": "2026-04-15",
        "tasks-1-text": "召开银企对接会",
        "tasks-1-owner": "商会秘书处",
        "tasks-1-due_on": "2026-04-30",
        **extra,
    }


def test_staff_pick_the_topic_with_its_tasks_and_petitions_and_each_petition_shows_it(
    client, staff
):
    lead, other = DepartmentFactory(name="西市区金融办"), DepartmentFactory()
    official = OfficialFactory(department=lead)
    covered = PetitionFactory.create_batch(2)
    client.force_login(staff)

    response = client.post(
        reverse("petitions:topic_new"), _form_data(lead, other, covered)
    )

    topic = MonthlyTopic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:topic", args=[topic.pk])
    assert (topic.month, topic.lead_department, topic.created_by) == (
        date(2026, 4, 1),
        lead,
        staff,
    )
    assert list(topic.departments.all()) == [other]
    assert set(topic.petitions.all()) == set(covered)
    assert [(t.text, t.department, t.owner) for t in topic.tasks.all()] == [
        ("梳理企业贷款需求清单", lead, ""),
        ("召开银企对接会", None, "商会秘书处"),
    ]
    assert list(topic.events.values_list("kind", flat=True)) == [
        K.CREATED,
        K.TASK_ADDED,
        K.TASK_ADDED,
    ]
    shown = page(client, reverse("petitions:topic", args=[topic.pk])).content.decode()
    assert "抵押物认定难" in shown and "商会秘书处" in shown
    staff_page = page(client, reverse("petitions:staff_detail", args=[covered[0].pk]))
    assert "融资难题集中破解" in staff_page.content.decode()
    # the department's page of a covered petition dispatched to it shows the topic too
    Petition.objects.filter(pk=covered[0].pk).update(
        department=lead, dispatched_at=timezone.now()
    )
    client.force_login(official.user)
    department_page = page(
        client, reverse("petitions:department_detail", args=[covered[0].pk])
    )
    assert "融资难题集中破解" in department_page.content.decode()


def test_a_second_topic_for_the_same_month_is_refused_with_the_form_kept(client, staff):
    lead, other = DepartmentFactory(), DepartmentFactory()
    client.force_login(staff)
    client.post(reverse("petitions:topic_new"), _form_data(lead, other, []))

    again = client.post(
        reverse("petitions:topic_new"), _form_data(lead, other, [], title="另一题")
    )

    assert again.status_code == 400
    assert MonthlyTopic.objects.count() == 1
    assert again.context["form"]["title"].value() == "另一题"


def _topic(staff, lead, *, month=date(2026, 3, 1), tasks=None, petitions=()):
    return topics.save_topic(
        actor=staff,
        month=month,
        title="融资难题集中破解",
        lead_department=lead,
        departments=[],
        problems="贷款审批慢",
        petitions=petitions,
        tasks=tasks
        or [
            {
                "text": "梳理企业贷款需求清单",
                "department": lead,
                "owner": "",
                "due_on": date(2026, 3, 6),
            }
        ],
        now=at(date(2026, 3, 2)),
    )


def test_who_may_see_pick_and_mark_done(client, staff, alice, official):
    topic = _topic(staff, official.department)
    task = topic.tasks.get()
    outsider = OfficialFactory()
    url = reverse("petitions:topic", args=[topic.pk])
    done = reverse("petitions:topic_task_done", args=[task.pk])

    client.force_login(alice.user)  # a member
    assert client.get(reverse("petitions:topics")).status_code == 403
    assert client.get(url).status_code == 403
    assert client.get(reverse("petitions:topic_new")).status_code == 403
    client.force_login(outsider.user)  # another department's official
    assert client.get(url).status_code == 404
    assert client.post(done).status_code == 404
    assert client.get(reverse("petitions:topic_new")).status_code == 403
    client.force_login(LeaderFactory().user)
    assert client.get(reverse("petitions:topic_new")).status_code == 200
    assert (
        client.get(reverse("petitions:topic_edit", args=[topic.pk])).status_code == 200
    )
    client.force_login(official.user)  # the lead department's official
    assert client.get(url).status_code == 200
    assert client.post(done, {"note": "清单已报送。"}).status_code == 302

    task.refresh_from_db()
    assert task.done_by == official.user and task.done_note == "清单已报送。"


def test_a_task_done_leaves_a_record_once(staff, official):
    task = _topic(staff, official.department).tasks.get()

    topics.mark_task_done(
        task=task, actor=official.user, note="已完成。", now=at(date(2026, 3, 9))
    )
    with pytest.raises(topics.TopicError):
        topics.mark_task_done(task=task, actor=staff, now=at(date(2026, 3, 10)))

    (event,) = TopicEvent.objects.filter(kind=K.TASK_DONE)
    assert (event.task, event.actor, event.note) == (task, official.user, "已完成。")
    assert event.data == {"due_on": "2026-03-06", "late": True}
    with pytest.raises(Exception):  # noqa: B017 - ImmutableRecord refuses any change
        event.save()


def test_a_topic_is_concluded_only_with_every_task_done_and_that_is_recorded(
    staff, official
):
    topic = _topic(staff, official.department)

    with pytest.raises(topics.TopicError):
        topics.close_topic(topic=topic, actor=staff, result="已落实。")
    topics.mark_task_done(task=topic.tasks.get(), actor=staff)
    topics.close_topic(topic=topic, actor=staff, result="五家企业获得贷款。")

    topic.refresh_from_db()
    assert topic.status == MonthlyTopic.Status.CLOSED
    assert topic.events.last().kind == K.CLOSED
    assert topic.events.last().note == "五家企业获得贷款。"


def test_an_overdue_task_is_supervised_like_an_overdue_petition(
    client, staff, official
):
    topic = _topic(
        staff,
        official.department,
        tasks=[
            {"text": "逾期的任务", "department": None, "owner": "秘书处", "due_on": date(2026, 3, 5)},
            {"text": "已完成的任务", "department": None, "owner": "秘书处", "due_on": date(2026, 3, 5)},
            {"text": "未到期的任务", "department": None, "owner": "秘书处", "due_on": date(2026, 3, 9)},
        ],
    )  # fmt: skip
    late, done, _later = topic.tasks.all()
    topics.mark_task_done(task=done, actor=staff, now=at(date(2026, 3, 5)))

    with time_machine.travel(at(date(2026, 3, 9), 8, 30), tick=False):
        study = review.run_daily_study(on=date(2026, 3, 9))
        review.run_daily_study(on=date(2026, 3, 10))  # once
        client.force_login(staff)
        dashboard = page(client, reverse("staff_dashboard")).content.decode()
        listed = page(client, f"{reverse('petitions:topics')}?overdue=1")
        report = page(client, reverse("petitions:report", args=[study.pk]))

    late.refresh_from_db()
    assert late.supervised_on == date(2026, 3, 9)
    assert study.report["topic_tasks_supervised"] == [late.pk]
    assert study.stats["topic_tasks_supervised"] == 1
    assert TopicEvent.objects.filter(kind=K.SUPERVISION, task=late).count() == 1
    figure = f'href="{reverse("petitions:topics")}?overdue=1"'
    assert figure in dashboard
    assert zh("Monthly topic tasks overdue, to supervise") in dashboard
    assert [t.pk for t in listed.context["overdue"]] == [late.pk]
    assert "逾期的任务" in report.content.decode()


def test_the_lead_departments_weekly_digest_lists_the_open_tasks_until_done(
    staff, official
):
    topic = _topic(staff, official.department)
    week = date(2026, 3, 23)

    with time_machine.travel(at(week, 9), tick=False):
        digests.plan_weekly_digests(week_start=week, now=at(week, 9))
        delivery = DigestDelivery.objects.select_related("official__user").get(
            official=official
        )
        mail = rendered(digests.build_message(delivery, now=at(week, 9)), official.user)
        topics.mark_task_done(task=topic.tasks.get(), actor=official.user)
        after = digests.build_message(delivery, now=at(week, 9))

    assert "梳理企业贷款需求清单" in mail.body
    assert "融资难题集中破解" in mail.body
    assert reverse("petitions:topic", args=[topic.pk]) in mail.body
    assert after is None  # done: nothing left to tell the department


def test_the_quarterly_report_lists_each_topic_with_its_tasks_done_and_late(
    client, staff, official
):
    department = official.department
    january = _topic(
        staff,
        department,
        month=date(2026, 1, 1),
        tasks=[
            {"text": "按时完成", "department": department, "owner": "", "due_on": date(2026, 1, 20)},
            {"text": "逾期完成", "department": department, "owner": "", "due_on": date(2026, 1, 20)},
            {"text": "逾期未完成", "department": department, "owner": "", "due_on": date(2026, 2, 27)},
        ],
    )  # fmt: skip
    on_time, late_done, _open = january.tasks.all()
    topics.mark_task_done(task=on_time, actor=staff, now=at(date(2026, 1, 19)))
    topics.mark_task_done(task=late_done, actor=staff, now=at(date(2026, 1, 21)))
    _topic(staff, department, month=date(2026, 4, 1))  # next quarter's

    with time_machine.travel(at(date(2026, 4, 1), 7, 30), tick=False):
        run = review.run_quarterly_clearance(on=date(2026, 4, 1))
    client.force_login(staff)
    shown = page(client, reverse("petitions:report", args=[run.pk])).content.decode()

    assert run.report["topics"] == [
        {
            "id": january.pk,
            "month": "2026-01-01",
            "title": "融资难题集中破解",
            "lead": department.name,
            "status": "open",
            "tasks": 3,
            "done": 2,
            "late": 2,
            "open": 1,
        }
    ]
    assert zh("Monthly topics of the quarter") in shown
    assert reverse("petitions:topic", args=[january.pk]) in shown


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("petitions:topics"), {"year": 2026})
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["topics"])


def test_the_years_topics_cost_the_same_queries_for_2_and_10_topics(client, staff):
    departments = DepartmentFactory.create_batch(3)
    petitions = PetitionFactory.create_batch(3)
    for month in range(1, 11):
        topic = _topic(
            staff,
            departments[month % 3],
            month=date(2026, month, 1),
            petitions=petitions[: month % 3 + 1],
        )
        topic.departments.set(departments[:2])
        if month == 2:
            client.force_login(staff)
            client.get(reverse("petitions:topics"))  # warm-up: session and caches
            few = _list_queries(client)

    many = _list_queries(client)

    assert (few[1], many[1]) == (2, 10)
    assert few[0] == many[0], (few, many)
    assert TopicTask.objects.count() == 10


def test_changing_the_topic_records_what_it_was_and_a_new_due_date_is_supervised_anew(
    client, staff, official
):
    topic = _topic(staff, official.department)
    task = topic.tasks.get()
    TopicTask.objects.filter(pk=task.pk).update(supervised_on=date(2026, 3, 9))
    other = DepartmentFactory()
    client.force_login(staff)
    data = _form_data(official.department, other, [], month="2026-03")
    data.update(
        {
            "tasks-INITIAL_FORMS": "1",
            "tasks-0-task": task.pk,
            "tasks-0-text": task.text,
            "tasks-0-department": official.department.pk,
            "tasks-0-due_on": "2026-03-20",
            "tasks-1-department": other.pk,
        }
    )

    response = client.post(reverse("petitions:topic_edit", args=[topic.pk]), data)

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.due_on, task.supervised_on) == (date(2026, 3, 20), None)
    assert topic.tasks.count() == 2
    changed = topic.events.get(kind=K.CHANGED)
    assert changed.data["changed"] == ["departments", "problems"]
    assert changed.data["before"]["problems"] == "贷款审批慢"
    (moved,) = topic.events.filter(kind=K.TASK_CHANGED)
    assert moved.data["before"]["due_on"] == "2026-03-06"
    assert topic.events.filter(kind=K.TASK_ADDED).count() == 2  # the first, the new
