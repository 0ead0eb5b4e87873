"""The staff dashboard leads with the day's work (今日待办; issue 18, item 1).

Each figure is the number of petitions in one item of the day's work, and it links to
the staff list filtered by the same rule (`petitions/today.py`): the list holds exactly
the petitions counted. Below come the week (the representative on duty and today's
visitors, this week's activities, swap requests nobody took) and the review cycle's
last and next runs. Staff land on the dashboard after logging in.

The day is Wednesday 2026-03-04, 10:00 in Beijing: a working day after a working day.
"""

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from activities.models import Registration
from chamber import workdays
from chamber.models import OutgoingMessage
from members.models import SwapRequest
from petitions import services, today
from petitions.models import (
    Escalation,
    InfoRequest,
    Petition,
    PetitionEvent,
    ReviewRun,
)
from publicity.models import Showcase
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CategoryFactory,
    DutyLogEntryFactory,
    DutyShiftFactory,
    EnterpriseFactory,
    LeaderFactory,
    MemberFactory,
    PetitionFactory,
    StaffFactory,
    UserFactory,
    copy_petitions_up_to,
)
from tests.support.downloads import fetch
from tests.support.pages import text
from tests.support.words import zh

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=BEIJING)  # Wednesday
TODAY = NOW.date()
S = Petition.Status
HAS_INSTRUCTIONS = hasattr(PetitionEvent.Kind, "INSTRUCTION")


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


# --- the seeded day -----------------------------------------------------------------------


def accepted(staff, *, handling: str = "department", **kwargs) -> Petition:
    return services.accept_petition(
        petition=PetitionFactory(**kwargs),
        actor=staff,
        category=CategoryFactory(code="approvals-10", working_days=10),
        priority="normal",
        handling=handling,
    )


def dispatched(staff, department, **kwargs) -> Petition:
    return services.dispatch_petition(
        petition=accepted(staff, **kwargs), department=department, actor=staff
    )


def replied(staff, official, **kwargs) -> Petition:
    petition = dispatched(staff, official.department, **kwargs)
    services.sign_petition(petition=petition, actor=official.user)
    return services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已协调解决。"
    )


def answered(staff, official, **kwargs) -> Petition:
    petition = replied(staff, official, **kwargs)
    return services.answer_petition(petition=petition, actor=staff, answer="已解决。")


def answered_at(petition: Petition, when: datetime) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(answered_at=when)
    return petition


def asked_enterprise(staff, official, when: datetime, **kwargs) -> Petition:
    """待企业补充: signed for, then the enterprise asked for something at `when`."""
    petition = dispatched(staff, official.department, **kwargs)
    services.sign_petition(petition=petition, actor=official.user)
    services.ask_enterprise(
        petition=petition, actor=official.user, request="请补充材料", now=when
    )
    return petition


def asked_extension(staff, official, **kwargs) -> Petition:
    petition = dispatched(staff, official.department, **kwargs)
    services.ask_extension(
        petition=petition,
        actor=official.user,
        reason="需现场踏勘",
        proposed_due=petition.due_on + timedelta(days=7),
    )
    return petition


def due_on(petition: Petition, day: date) -> Petition:
    Petition.objects.filter(pk=petition.pk).update(due_on=day)
    return petition


def escalate(petition: Petition) -> Escalation:
    run, _created = ReviewRun.objects.get_or_create(
        kind=ReviewRun.Kind.WEEKLY,
        period_start=date(2026, 3, 2),
        defaults={"period_end": date(2026, 3, 8)},
    )
    return Escalation.objects.create(
        petition=petition,
        run=run,
        reason=Escalation.Reason.OVERDUE,
        period_start=run.period_start,
        department=petition.department,
    )


@pytest.fixture
def day(clock, staff, official, leader):
    """One petition in each item of the day's work (a few in two), and some in none."""
    unsatisfied = answered(staff, official, title="不满意：回复未解决问题")
    services.rate_petition(
        solved="solved",
        petition=unsatisfied,
        rating="unsatisfied",
        comment="问题仍未解决",
        actor=None,
    )
    late_since = at(date(2026, 3, 2), 16)  # before Tuesday began: a whole working day
    yesterday = at(date(2026, 3, 3), 9)  # on Tuesday: within one working day
    returned = dispatched(staff, official.department, title="退回：非本部门职责")
    services.return_petition(petition=returned, actor=official.user, basis="不属本局")
    overdue = due_on(
        dispatched(staff, official.department, title="超期：厂房验收"),
        date(2026, 3, 2),
    )
    escalate(overdue)
    closed = answered(staff, official, title="已办结：已满意")
    services.rate_petition(
        solved="solved", petition=closed, rating="satisfied", actor=None
    )
    escalate(closed)
    if HAS_INSTRUCTIONS:
        services.write_instruction(
            petition=overdue, actor=leader.user, text="请抓紧办理"
        )
    rejected = PetitionFactory(title="已驳回：民事纠纷")
    services.reject_petition(petition=rejected, actor=staff, reason="不属于受理范围")
    found = {
        "new": PetitionFactory(title="新诉求：融资贷款"),
        "yesterday": PetitionFactory(
            title="昨日：用工招聘",
            created_at=yesterday,
            awaiting_triage_since=yesterday,
        ),
        "late": PetitionFactory(
            title="逾时未分办：供电扩容",
            created_at=late_since,
            awaiting_triage_since=late_since,
        ),
        "with_chamber": accepted(staff, handling="chamber", title="商会自办：政策咨询"),
        "returned": returned,
        "reviewing": replied(staff, official, title="待审核：施工许可"),
        "due_today": due_on(
            dispatched(staff, official.department, title="今日到期：排污许可"), TODAY
        ),
        "due_next": due_on(
            dispatched(staff, official.department, title="明日到期：消防验收"),
            date(2026, 3, 5),
        ),
        "due_later": dispatched(staff, official.department, title="时限未到：土地手续"),
        "overdue": overdue,
        "unsatisfied": unsatisfied,
        "closed": closed,
        "rejected": rejected,
        # 回访: answered on Saturday 28 February (a make-up working day), three
        # working days ago; on Monday, two.
        "to_visit": answered_at(
            answered(staff, official, title="待回访：供水管网"),
            at(date(2026, 2, 28), 16),
        ),
        "answered_monday": answered_at(
            answered(staff, official, title="周一答复：道路维修"),
            at(date(2026, 3, 2), 9),
        ),
        # 待企业补充: five working days from Wednesday 25 February end on Tuesday; from
        # Thursday 26, today.
        "info_late": asked_enterprise(
            staff, official, at(date(2026, 2, 25), 10), title="逾期未补充：环评材料"
        ),
        "info_waiting": asked_enterprise(
            staff, official, at(date(2026, 2, 26), 10), title="待补充：用地红线图"
        ),
        # 延期: asked, waiting for the chamber's decision.
        "extension": asked_extension(staff, official, title="申请延期：管线迁改"),
    }
    return found


def expected(day: dict) -> dict[str, set[str]]:
    """Which seeded petitions each item holds, by name."""
    found = {
        "to_dispatch": {"new", "yesterday", "late", "with_chamber"},
        "to_dispatch_late": {"late"},
        "returned": {"returned"},
        "awaiting_review": {"reviewing"},
        "due_today": {"due_today"},
        "due_next_working_day": {"due_next"},
        "overdue": {"overdue"},
        "escalated": {"overdue"},
        "unsatisfied": {"unsatisfied"},
        "extension_asked": {"extension"},
        "info_request_late": {"info_late"},
        "return_visit": {"to_visit"},
    }
    if HAS_INSTRUCTIONS:
        found["instructed"] = {"overdue"}
    return found


def figure(page: str, href: str) -> int | None:
    """The number a figure of the dashboard shows, found by the list it links to."""
    found = re.search(
        rf'<a [^>]*href="{re.escape(escape(href))}"[^>]*>\s*<span[^>]*>(\d+)</span>',
        page,
    )
    return int(found.group(1)) if found else None


def listed(page: str, day: dict) -> set[str]:
    """The seeded petitions a staff list page shows, by name."""
    shown = set(re.findall(r'href="/petitions/staff/(\d+)/"', page))
    return {name for name, p in day.items() if str(p.pk) in shown}


def todo_url(key: str) -> str:
    return f"{reverse('petitions:staff_list')}?todo={key}"


# --- the figures ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(today.LABELS))
def test_each_figure_counts_its_petitions_and_its_list_holds_exactly_those(
    staff_client, day, key
):
    wanted = expected(day).get(key)
    if wanted is None:
        pytest.skip("petitions record no 批示 in this tree")
    dashboard = text(get(staff_client, reverse("staff_dashboard")))
    page = get(staff_client, todo_url(key))

    assert page.status_code == 200
    assert listed(text(page), day) == wanted
    assert page.context["page"].paginator.count == len(wanted)
    if key in today.PARTS:  # shown inside its item, in red
        part = re.search(
            rf'<a class="[^"]*text-danger[^"]*" href="{re.escape(escape(todo_url(key)))}">'
            r"([^<]*)</a>",
            dashboard,
        )
        assert part and re.search(rf"(?<!\d){len(wanted)}(?!\d)", part.group(1))
    else:
        assert figure(dashboard, todo_url(key)) == len(wanted)


def test_the_figures_equal_direct_queries_on_the_same_data(day):
    """Each rule said once more in plain filters, on the seeded data."""
    waiting = Petition.objects.filter(
        status__in=(S.DISPATCHED, S.IN_PROGRESS), department_replied_at__isnull=True
    )
    ended = (S.CLOSED, S.REJECTED, S.MERGED)
    direct = {
        "to_dispatch": Petition.objects.filter(
            status=S.SUBMITTED, bounce_count=0
        ).count()
        + Petition.objects.filter(status=S.ACCEPTED).count(),
        "to_dispatch_late": Petition.objects.filter(
            status__in=(S.SUBMITTED, S.ACCEPTED),
            bounce_count=0,
            awaiting_triage_since__lt=at(date(2026, 3, 3), 0),
        ).count(),
        "returned": Petition.objects.filter(
            status=S.SUBMITTED, bounce_count__gt=0
        ).count(),
        "awaiting_review": Petition.objects.filter(
            status__in=(S.DISPATCHED, S.IN_PROGRESS),
            department_replied_at__isnull=False,
        ).count(),
        "due_today": waiting.filter(due_on=TODAY).count(),
        "due_next_working_day": waiting.filter(due_on=date(2026, 3, 5)).count(),
        "overdue": waiting.filter(due_on__lt=TODAY).count(),
        "escalated": Escalation.objects.exclude(petition__status__in=ended)
        .values("petition")
        .distinct()
        .count(),
        "unsatisfied": Petition.objects.filter(rating="unsatisfied")
        .exclude(status__in=ended)
        .count(),
        "extension_asked": Petition.objects.filter(extensions__status="asked")
        .exclude(status__in=ended)
        .distinct()
        .count(),
        # In the services' own words: past the deadline they close a request after.
        "info_request_late": sum(
            services.info_request_deadline(info) < TODAY
            for info in InfoRequest.objects.open()
        ),
        "return_visit": sum(
            len(
                workdays.working_days(
                    timezone.localdate(p.answered_at) + timedelta(days=1), TODAY
                )
            )
            >= 3
            for p in Petition.objects.filter(status=S.REPLIED)
        ),
    }
    if HAS_INSTRUCTIONS:
        direct["instructed"] = 1

    counts = today.todo_counts(on=TODAY)

    assert counts == direct
    assert counts == {key: len(names) for key, names in expected(day).items()}


def test_to_dispatch_older_than_one_working_day_is_shown_in_red(staff_client, day):
    page = text(get(staff_client, reverse("staff_dashboard")))

    late = re.search(
        r'<a class="([^"]*)" href="[^"]*\?todo=to_dispatch_late">([^<]*)</a>', page
    )
    assert late is not None
    assert "text-danger" in late.group(1)
    assert late.group(2) == zh("of which %(n)s waiting more than one working day") % {
        "n": 1
    }
    assert figure(page, todo_url("to_dispatch")) == 4


def test_on_monday_a_petition_from_friday_afternoon_is_not_late_yet(db):
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    PetitionFactory(awaiting_triage_since=at(friday, 15))
    PetitionFactory(awaiting_triage_since=at(date(2026, 3, 5), 15))

    counts = today.todo_counts(on=monday)

    assert (counts["to_dispatch"], counts["to_dispatch_late"]) == (2, 1)


def test_a_figure_of_nothing_is_no_link(staff_client, clock):
    page = text(get(staff_client, reverse("staff_dashboard")))

    for key in ("to_dispatch", "overdue", "unsatisfied"):
        assert f"?todo={key}" not in page
    assert "?status=failed" not in page
    assert zh("To dispatch") in page


def test_showcases_and_failed_messages_are_figures_of_their_own_lists(
    staff_client, clock
):
    for status in ("pending", "pending", "approved"):
        Showcase.objects.create(
            enterprise=EnterpriseFactory(), introduction="简介", status=status
        )
    for n in range(3):
        user = UserFactory()
        OutgoingMessage.objects.create(
            key=f"today:{n}",
            kind="petition-dispatched",
            user=user,
            address=user.email,
            subject="诉求交办",
            body_text="请办理。",
            status=OutgoingMessage.Status.FAILED if n else OutgoingMessage.Status.SENT,
        )

    page = text(get(staff_client, reverse("staff_dashboard")))
    showcases = get(staff_client, reverse("publicity:review_showcases"))
    outbox = get(staff_client, f"{reverse('outbox')}?status=failed")

    assert figure(page, reverse("publicity:review_showcases")) == 2
    assert len(showcases.context["waiting"]) == 2
    assert figure(page, f"{reverse('outbox')}?status=failed") == 2
    assert outbox.context["page"].paginator.count == 2


def test_the_staff_list_names_the_item_it_shows(staff_client, day):
    page = text(get(staff_client, todo_url("returned")))

    assert escape(zh("Returned by a department, to dispatch again")) in page
    assert f'href="{reverse("staff_dashboard")}"' in page


def test_an_unknown_item_lists_every_petition(staff_client, day):
    page = get(staff_client, f"{reverse('petitions:staff_list')}?todo=whatever")

    assert page.status_code == 200
    assert page.context["page"].paginator.count == len(day)


def test_the_excel_of_an_item_holds_its_petitions(staff_client, day):
    response = fetch(
        staff_client,
        f"{todo_url('to_dispatch')}&format=xlsx",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # made by a task, from the download's page

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {day[name].number for name in expected(day)["to_dispatch"]}


# --- the week and the clock ------------------------------------------------------------------


def test_the_representative_on_duty_can_be_called_and_todays_visitors_are_listed(
    staff_client, clock
):
    shift = DutyShiftFactory(
        representative__user__full_name="李明远", representative__mobile="13812345678"
    )
    DutyLogEntryFactory(shift=shift, visitor_name="王来访", visited_at=NOW)
    DutyLogEntryFactory(
        shift=shift, visitor_name="周一来访", visited_at=at(date(2026, 3, 2), 10)
    )

    page = text(get(staff_client, reverse("staff_dashboard")))

    assert "李明远" in page
    assert 'href="tel:13812345678"' in page
    assert "王来访" in page and "周一来访" not in page
    assert f'href="{reverse("members:staff_duty_log")}?week={shift.pk}"' in page


def test_a_week_without_a_representative_says_so(staff_client, clock):
    shift = DutyShiftFactory(representative=None)

    page = text(get(staff_client, reverse("staff_dashboard")))

    assert zh("Nobody is on duty this week.") in page
    assert reverse("members:edit_shift", args=[shift.pk]) in page


def test_this_weeks_activities_show_sign_ups_against_places_and_check_in(
    staff_client, clock
):
    thursday = ActivityFactory(
        title="企业家会客厅：融资对接", starts_at=at(date(2026, 3, 5), 14), capacity=10
    )
    for status in ("registered", "registered", "waiting", "cancelled"):
        Registration.objects.create(
            activity=thursday, member=MemberFactory(), status=status
        )
    ActivityFactory(title="下周活动", starts_at=at(date(2026, 3, 10), 14))
    ActivityFactory(title="草稿活动", starts_at=NOW, status="draft")

    page = text(get(staff_client, reverse("staff_dashboard")))

    assert "企业家会客厅：融资对接" in page
    assert "下周活动" not in page and "草稿活动" not in page
    with translation.override("zh-hans"):
        taken = gettext("%(n)s of %(places)s places taken") % {"n": 2, "places": 10}
    assert taken in page
    assert reverse("activities:checkin", args=[thursday.pk]) in page


def test_swap_requests_nobody_took_are_listed_and_taken_ones_are_not(
    staff_client, clock
):
    next_week = DutyShiftFactory(week_start=date(2026, 3, 9))
    taken_week = DutyShiftFactory(week_start=date(2026, 3, 16))
    SwapRequest.objects.create(
        shift=next_week,
        requested_by=next_week.representative,
        reason="出差",
    )
    SwapRequest.objects.create(
        shift=taken_week,
        requested_by=taken_week.representative,
        status=SwapRequest.Status.ACCEPTED,
    )

    page = text(get(staff_client, reverse("staff_dashboard")))

    assert reverse("members:edit_shift", args=[next_week.pk]) in page
    assert reverse("members:edit_shift", args=[taken_week.pk]) not in page
    assert "出差" in page


def test_each_review_step_shows_its_last_run_and_its_next_run(db):
    friday_after_study = datetime(2026, 3, 6, 9, 0, tzinfo=BEIJING)
    ReviewRun.objects.create(
        kind=ReviewRun.Kind.DAILY,
        period_start=date(2026, 3, 6),
        period_end=date(2026, 3, 6),
        finished_at=datetime(2026, 3, 6, 8, 31, tzinfo=BEIJING),
    )

    steps = {s.kind: s for s in today.review_steps(now=friday_after_study)}

    assert steps["daily"].last.period_start == date(2026, 3, 6)
    assert steps["weekly"].last is None
    local = {kind: timezone.localtime(s.next_at) for kind, s in steps.items()}
    # Saturday and Sunday are skipped: the study does nothing on days off.
    assert local["daily"] == datetime(2026, 3, 9, 8, 30, tzinfo=BEIJING)
    assert local["weekly"] == datetime(2026, 3, 9, 8, 0, tzinfo=BEIJING)
    assert local["monthly"] == datetime(2026, 4, 1, 7, 0, tzinfo=BEIJING)
    assert local["quarterly"] == datetime(2026, 4, 1, 7, 30, tzinfo=BEIJING)


def test_a_step_switched_off_in_the_schedule_has_no_next_run(staff_client, clock):
    PeriodicTask.objects.filter(task=today.STEP_TASKS["weekly"]).update(enabled=False)

    steps = {s.kind: s for s in today.review_steps()}
    page = text(get(staff_client, reverse("staff_dashboard")))

    assert steps["weekly"].next_at is None and not steps["weekly"].scheduled
    assert steps["daily"].next_at is not None
    assert zh("not scheduled") in page


# --- who sees it, and who lands on it --------------------------------------------------------


def test_members_and_officials_are_refused_and_visitors_sent_to_log_in(
    client, alice, official
):
    url = reverse("staff_dashboard")
    assert client.get(url).status_code == 302
    assert client.get(url)["Location"].startswith(reverse("login"))
    for user in (alice.user, official.user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def _log_in(client, username: str, next_url: str = ""):
    login = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(login, data)


def test_staff_land_on_the_dashboard_after_logging_in(client, db):
    StaffFactory(username="secretary")

    response = _log_in(client, "secretary")

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_dashboard")


def test_a_next_still_takes_staff_where_they_were_going(client, db):
    StaffFactory(username="secretary")

    response = _log_in(client, "secretary", reverse("petitions:triage"))

    assert response["Location"] == reverse("petitions:triage")


def test_district_leaders_land_on_their_overview(client, db):
    leader = LeaderFactory()

    response = _log_in(client, leader.user.username)

    assert response["Location"] == reverse("petitions:leader_home")


def test_members_still_land_on_the_home_page(client, alice):
    response = _log_in(client, alice.user.username)

    assert response["Location"] == reverse("home")


def test_logged_in_staff_opening_the_login_page_go_to_the_dashboard(client, staff):
    client.force_login(staff)

    response = client.get(reverse("login"))

    assert response["Location"] == reverse("staff_dashboard")


# --- queries ---------------------------------------------------------------------------------


def spread(n: int, department) -> None:
    """n petitions across the items of the day's work, escalated and rated too."""
    created = PetitionFactory.create_batch(n)
    pks = [p.pk for p in created]
    fifth = max(n // 5, 1)
    parts = [pks[i * fifth : (i + 1) * fifth] for i in range(4)] + [pks[4 * fifth :]]
    accepted_, review_, due_, overdue_, unsatisfied_ = parts
    now = timezone.now()
    Petition.objects.filter(pk__in=accepted_).update(
        status=S.ACCEPTED, handling="chamber", accepted_at=now
    )
    at_department = {
        "status": S.IN_PROGRESS,
        "handling": "department",
        "department": department,
        "accepted_at": now,
        "dispatched_at": now,
    }
    Petition.objects.filter(pk__in=review_ + due_ + overdue_ + unsatisfied_).update(
        due_on=TODAY, **at_department
    )
    Petition.objects.filter(pk__in=review_).update(department_replied_at=now)
    Petition.objects.filter(pk__in=overdue_).update(due_on=TODAY - timedelta(days=3))
    Petition.objects.filter(pk__in=unsatisfied_).update(rating="unsatisfied")
    for pk in overdue_:
        escalate(Petition.objects.get(pk=pk))


def _queries(client) -> int:
    """Queries of a request. The petitions' figures and worklists are kept in the cache
    under the data's version (petitions.selectors.data_version): a new petition's event
    before it makes the request count them."""
    PetitionFactory(title="新版本")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("staff_dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_costs_the_same_queries_for_10_and_10000_petitions(
    staff_client, official, clock
):
    shift = DutyShiftFactory()
    DutyLogEntryFactory(shift=shift, visited_at=NOW)
    ActivityFactory(starts_at=at(date(2026, 3, 5), 14))
    spread(10, official.department)
    staff_client.get(reverse("staff_dashboard"))  # warm-up: session and caches

    few = _queries(staff_client)
    spread(190, official.department)
    copy_petitions_up_to(10_000)
    many = _queries(staff_client)

    assert Petition.objects.count() == 10_001  # and one made by the last count
    assert Escalation.objects.count() > 1000
    assert workdays.is_working_day(TODAY)
    assert few == many, (few, many)
