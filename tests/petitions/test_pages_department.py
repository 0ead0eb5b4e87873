"""The department's pages: an official's queue, a petition, and the four actions on it.

An official sees only what was dispatched to their own department; anything else is a
404, for the page and for every action. Dates are set relative to the real today, the
day the queue is drawn up for.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from petitions import services
from petitions.models import Petition, PetitionEvent, Section
from tests.factories import (
    EnterpriseFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
)
from tests.support.department_pages import (
    ACTIONS,
    FULL_POST,
    action_url,
    detail_url,
    dispatched,
    get,
    post,
    signed,
)
from tests.support.pages import shows, text
from tests.support.words import heading, zh

S = Petition.Status


@pytest.fixture
def other_official(db):
    """An official of another department."""
    return OfficialFactory()


# --- the queue -----------------------------------------------------------------------------


def section(page: str, heading: str) -> str:
    """The <section> of the page headed `heading` (a list of the queue or the board)."""
    for found in re.findall(r"<section\b.*?</section>", page, flags=re.S):
        title = re.search(r"<h2\b[^>]*>(.*?)</h2>", found, flags=re.S)
        if title and re.sub(
            r"<[^>]+>.*", "", title.group(1), flags=re.S
        ).strip() == escape(heading):
            return found
    raise AssertionError(f"no section headed {heading!r}")


def test_the_queue_sorts_the_departments_petitions_into_new_overdue_and_due_this_week(
    client, staff, official, other_official
):
    dispatched(staff, official.department, "新到：申请办理施工许可")
    signed(staff, official, "逾期：厂区道路积水", due_in_days=-3)
    signed(staff, official, "将到期：消防验收咨询", due_in_days=0)
    signed(staff, official, "办理中：人才公寓申请", due_in_days=40)
    dispatched(staff, other_official.department, "他局：食品经营许可")
    PetitionFactory(title="未分办：融资贷款")
    client.force_login(official.user)

    response = get(client, reverse("petitions:department_queue"))

    assert response.status_code == 200
    page = text(response)
    assert "新到：申请办理施工许可" in section(page, heading(Section.NEW))
    assert "逾期：厂区道路积水" in section(page, heading(Section.OVERDUE))
    assert "将到期：消防验收咨询" in section(page, heading(Section.DUE_THIS_WEEK))
    assert "办理中：人才公寓申请" in section(page, heading(Section.IN_PROGRESS))
    assert "逾期：厂区道路积水" not in section(page, heading(Section.DUE_THIS_WEEK))
    assert "他局：食品经营许可" not in page
    assert "未分办：融资贷款" not in page


def test_the_queue_is_read_again_from_the_cache_until_a_petition_moves(
    client, staff, official
):
    """Kept under the data's version: shown again, the queue reads no petition; the
    department's own step (signing) shows on the next request."""
    petition = dispatched(staff, official.department, "新到：申请办理施工许可")
    client.force_login(official.user)
    url = reverse("petitions:department_queue")
    first = text(get(client, url))

    with CaptureQueriesContext(connection) as again:
        get(client, url)
    services.sign_petition(petition=petition, actor=official.user)
    moved = text(get(client, url))

    assert not any("petitions_petition" in q["sql"] for q in again.captured_queries)
    assert "新到：申请办理施工许可" in section(first, heading(Section.NEW))
    assert "新到：申请办理施工许可" not in section(moved, heading(Section.NEW))


def test_the_queue_and_the_department_pages_are_for_officials_only(
    client, alice, staff
):
    petition = dispatched(staff, OfficialFactory().department)

    for user in (alice.user, staff):
        client.force_login(user)
        assert get(client, reverse("petitions:department_queue")).status_code == 403
        assert get(client, detail_url(petition)).status_code == 403
        assert post(client, action_url(petition, "sign")).status_code == 403
    petition.refresh_from_db()
    assert petition.status == S.DISPATCHED


def test_a_visitor_is_sent_to_log_in(client, staff, official):
    petition = dispatched(staff, official.department)

    response = get(client, detail_url(petition))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- a petition and its actions -------------------------------------------------------------


def test_the_official_sees_the_petition_of_their_department(client, staff, official):
    petition = dispatched(staff, official.department, "申请办理施工许可")
    client.force_login(official.user)

    response = get(client, detail_url(petition))

    assert response.status_code == 200
    assert "申请办理施工许可" in text(response)
    assert petition.enterprise.name in text(response)
    assert action_url(petition, "sign") in text(response)


def test_another_departments_official_gets_404_on_the_page_and_every_action(
    client, staff, official, other_official
):
    waiting = dispatched(staff, official.department)
    working = signed(staff, official, "已签收的诉求")
    client.force_login(other_official.user)

    assert get(client, detail_url(waiting)).status_code == 404
    assert get(client, detail_url(working)).status_code == 404
    for action in ACTIONS:
        assert post(client, action_url(waiting, action), FULL_POST).status_code == 404
        assert post(client, action_url(working, action), FULL_POST).status_code == 404
    waiting.refresh_from_db()
    working.refresh_from_db()
    assert (waiting.status, waiting.department) == (S.DISPATCHED, official.department)
    assert (working.status, working.department) == (S.IN_PROGRESS, official.department)
    assert not PetitionEvent.objects.filter(
        kind__in=[PetitionEvent.Kind.PROGRESS, PetitionEvent.Kind.DEPARTMENT_REPLY]
    ).exists()


def test_the_actions_are_post_only(client, staff, official):
    petition = dispatched(staff, official.department)
    client.force_login(official.user)

    for action in ACTIONS:
        assert get(client, action_url(petition, action)).status_code == 405
    assert post(client, action_url(petition, "delete")).status_code == 404
    petition.refresh_from_db()
    assert petition.status == S.DISPATCHED


def test_signing_puts_the_petition_in_progress(client, staff, official):
    petition = dispatched(staff, official.department)
    client.force_login(official.user)

    response = post(client, action_url(petition, "sign"))

    assert response.status_code == 302
    assert response["Location"] == detail_url(petition)
    petition.refresh_from_db()
    assert petition.status == S.IN_PROGRESS
    assert petition.signed_by == official.user
    page = get(client, detail_url(petition))
    assert shows(page, zh("Signed for: the petition is now in progress."))
    assert action_url(petition, "reply") in text(page)


def test_returning_without_a_basis_shows_the_error_and_changes_nothing(
    client, staff, official
):
    petition = dispatched(staff, official.department)
    events = petition.events.count()
    client.force_login(official.user)

    response = post(
        client, action_url(petition, "return"), {"basis": "  "}, follow=True
    )

    assert response.status_code == 200
    assert shows(response, zh("This field is required."))
    petition.refresh_from_db()
    assert (petition.status, petition.department, petition.bounce_count) == (
        S.DISPATCHED,
        official.department,
        0,
    )
    assert petition.events.count() == events


def test_returning_with_a_basis_sends_it_back_to_triage_and_out_of_reach(
    client, staff, official
):
    petition = dispatched(staff, official.department, "申请办理食品经营许可")
    client.force_login(official.user)

    response = post(
        client, action_url(petition, "return"), {"basis": "该事项属于区市场监管局职责"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:department_queue")
    petition.refresh_from_db()
    assert petition.status == S.SUBMITTED
    assert petition.bounce_count == 1
    assert petition.department is None
    returned = petition.events.get(from_status=S.DISPATCHED, to_status=S.SUBMITTED)
    assert returned.note == "该事项属于区市场监管局职责"
    queue = get(client, reverse("petitions:department_queue"))
    assert shows(queue, zh("Returned to the chamber for triage."))
    assert get(client, detail_url(petition)).status_code == 404
    assert post(client, action_url(petition, "sign")).status_code == 404
    # Back on the staff's board, to triage again.
    client.force_login(staff)
    board = text(get(client, reverse("petitions:triage")))
    assert "申请办理食品经营许可" in section(board, heading(Section.TO_TRIAGE))


def test_progress_is_recorded_and_shown_to_the_enterprise(client, staff, official):
    petition = signed(staff, official)
    client.force_login(official.user)

    post(client, action_url(petition, "progress"), {"note": "已现场查看配电设施"})

    event = petition.events.get(kind=PetitionEvent.Kind.PROGRESS)
    assert (event.note, event.actor, event.is_public) == (
        "已现场查看配电设施",
        official.user,
        True,
    )
    member = MemberFactory(enterprise=petition.enterprise)
    client.force_login(member.user)
    assert "已现场查看配电设施" in text(get(client, petition.get_absolute_url()))


def test_a_reply_not_wholly_resolved_needs_a_follow_up_plan(client, staff, official):
    petition = signed(staff, official)
    client.force_login(official.user)

    response = post(
        client,
        action_url(petition, "reply"),
        {"outcome": "partly", "reply": "已部分解决。"},
        follow=True,
    )

    assert shows(response, zh("A petition not wholly resolved needs a follow-up plan."))
    petition.refresh_from_db()
    assert petition.department_replied_at is None
    assert petition.department_reply == ""


def test_the_reply_goes_to_the_staffs_board_awaiting_review(client, staff, official):
    petition = signed(staff, official, "申请办理施工许可")
    client.force_login(official.user)

    response = post(
        client,
        action_url(petition, "reply"),
        {
            "outcome": "partly",
            "reply": "已受理，材料补正后办结。",
            "follow_up_plan": "下周一前办结。",
        },
        follow=True,
    )

    assert shows(response, zh("Reply sent to the chamber for review."))
    petition.refresh_from_db()
    assert petition.status == S.IN_PROGRESS
    assert petition.awaits_review
    assert petition.department_reply == "已受理，材料补正后办结。"
    assert petition.follow_up_plan == "下周一前办结。"
    # The department sees it among the replies with the chamber, without the reply form.
    queue = text(get(client, reverse("petitions:department_queue")))
    assert "申请办理施工许可" in section(queue, heading(Section.AWAITING_REVIEW))
    assert action_url(petition, "reply") not in text(get(client, detail_url(petition)))
    client.force_login(staff)
    board = text(get(client, reverse("petitions:triage")))
    assert "申请办理施工许可" in section(board, heading(Section.AWAITING_REVIEW))
    # The enterprise does not read it before the chamber has reviewed it.
    member = MemberFactory(enterprise=petition.enterprise)
    client.force_login(member.user)
    assert "已受理，材料补正后办结。" not in text(
        get(client, petition.get_absolute_url())
    )


# --- query counts ----------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    """Queries of a request. The queue is kept in the cache under the data's version
    (selectors.data_version): a new petition's event before it makes the request build
    it."""
    PetitionFactory(title="新版本")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _queue_data(n: int, department) -> None:
    """n petitions of the department over the queue's lists, and answered ones (set-based)."""
    pks = [
        p.pk for p in PetitionFactory.create_batch(n, enterprise=EnterpriseFactory())
    ]
    now, today = timezone.now(), timezone.localdate()
    at_department = {
        "status": S.IN_PROGRESS,
        "handling": "department",
        "department": department,
        "accepted_at": now,
        "dispatched_at": now,
        "signed_at": now,
    }
    share = n // 6
    groups = [pks[i * share : (i + 1) * share] for i in range(5)] + [pks[5 * share :]]
    new, overdue, soon, later, awaiting, answered = groups
    Petition.objects.filter(pk__in=new).update(
        **{**at_department, "status": S.DISPATCHED, "signed_at": None},
        due_on=today + timedelta(days=20),
    )
    Petition.objects.filter(pk__in=overdue).update(
        **at_department, due_on=today - timedelta(days=2), supervised_on=today
    )
    Petition.objects.filter(pk__in=soon).update(**at_department, due_on=today)
    Petition.objects.filter(pk__in=later).update(
        **at_department, due_on=today + timedelta(days=40)
    )
    Petition.objects.filter(pk__in=awaiting).update(
        **at_department,
        due_on=today,
        department_replied_at=now,
        department_reply="已办理。",
        outcome="resolved",
    )
    Petition.objects.filter(pk__in=answered).update(
        **{**at_department, "status": S.CLOSED},
        due_on=today,
        answer="已答复。",
        answered_at=now,
        closed_at=now,
        rating="satisfied",
    )


def test_the_queue_costs_the_same_queries_for_10_and_300_petitions(client, official):
    url = reverse("petitions:department_queue")
    client.force_login(official.user)
    _queue_data(10, official.department)
    client.get(url)  # warm-up: the session and per-user caches

    few = _queries(client, url)
    _queue_data(290, official.department)
    many = _queries(client, url)

    assert Petition.objects.filter(department=official.department).count() == 300
    assert few == many, (few, many)
