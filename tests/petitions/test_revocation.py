"""AC-5: an official reaches only what is dispatched to their department, now.

A petition dispatched to 住建局 is 住建局's; once it is returned and dispatched again to
市场监管局, the very next request of 住建局's official is a 404 on the page, the file and
every action (and the actions change nothing), and 市场监管局's official has it. Moving
an official to another department, making the official inactive, or deactivating their
account, also acts on the next request of the same session: the logged-in user's
records are cached for a minute (chamber/backends.py), and that cache must not keep the
old rights. The weekly digests follow the same rule after a second dispatch. The steps
between the requests go through the services; the requests checked go over HTTP.
"""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from chamber.uploads import check_upload
from petitions import review, services
from petitions.models import Petition, PetitionAttachment, PetitionEvent
from tests.factories import DepartmentFactory, OfficialFactory
from tests.support.department_pages import (
    ACTIONS,
    FULL_POST,
    action_url,
    category,
    detail_url,
    dispatched,
)
from tests.support.pictures import png
from tests.support.review_cycle import at
from tests.support.review_cycle import dispatched as dispatched_on

QUEUE = reverse("petitions:department_queue")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def housing(db):
    return DepartmentFactory(name="西市区住建局")


@pytest.fixture
def market(db):
    return DepartmentFactory(name="西市区市场监管局")


@pytest.fixture
def wang(housing):
    """住建局's official."""
    return OfficialFactory(department=housing, user__full_name="王建华")


@pytest.fixture
def chen(market):
    """市场监管局's official."""
    return OfficialFactory(department=market, user__full_name="陈立")


def logged_in(official) -> Client:
    client = Client()
    client.force_login(official.user)
    return client


def with_picture(petition: Petition, alice) -> PetitionAttachment:
    (stored,) = PetitionAttachment.store_all(
        [check_upload(SimpleUploadedFile("现场.png", png(), content_type="image/png"))],
        petition_id=petition.pk,
        uploaded_by=alice.user,
    )
    return stored


def download(client: Client, attachment: PetitionAttachment) -> int:
    """The status of downloading the file; the file is closed, the connection kept."""
    response = client.get(reverse("petitions:attachment", args=[attachment.pk]))
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return response.status_code


def state(petition: Petition) -> tuple:
    """The petition's row and its timeline, to tell that a refused action did nothing."""
    row = Petition.objects.filter(pk=petition.pk).values().get()
    events = list(PetitionEvent.objects.filter(petition=petition).values())
    return row, events


def reaches(client: Client, petition: Petition, attachment) -> dict:
    """What the official gets: the page, the file, and whether the queue lists it."""
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    return {
        "page": client.get(detail_url(petition)).status_code,
        "file": download(client, attachment),
        "in queue": detail_url(petition) in queue.content.decode(),
    }


HAS_IT = {"page": 200, "file": 200, "in queue": True}
NOT_FOUND = {"page": 404, "file": 404, "in queue": False}


def assert_every_action_is_a_404_that_changes_nothing(client, petition) -> None:
    before = state(petition)
    for action in ACTIONS:
        response = client.post(action_url(petition, action), FULL_POST)

        assert response.status_code == 404, action
    assert state(petition) == before


def redispatch(petition: Petition, *, returned_by, to, staff) -> Petition:
    """The department returns it with a basis; staff triage it again and dispatch it."""
    services.return_petition(
        petition=petition, actor=returned_by.user, basis="该事项属于区市场监管局职责"
    )
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category("approvals"),
        priority="normal",
        handling="department",
    )
    return services.dispatch_petition(petition=petition, department=to, actor=staff)


def test_after_a_return_and_a_second_dispatch_only_the_new_department_has_it(
    staff, alice, wang, chen, market
):
    petition = dispatched(staff, wang.department, enterprise=alice.enterprise)
    picture = with_picture(petition, alice)
    old, new = logged_in(wang), logged_in(chen)
    assert reaches(old, petition, picture) == HAS_IT
    assert reaches(new, petition, picture) == NOT_FOUND

    redispatch(petition, returned_by=wang, to=market, staff=staff)

    assert reaches(old, petition, picture) == NOT_FOUND
    assert_every_action_is_a_404_that_changes_nothing(old, petition)
    assert reaches(new, petition, picture) == HAS_IT
    assert new.post(action_url(petition, "sign")).status_code == 302
    assert Petition.objects.get(pk=petition.pk).signed_by == chen.user


def test_moving_an_official_to_another_department_swaps_the_petitions_at_once(
    staff, alice, bob, wang, market
):
    ours = dispatched(
        staff, wang.department, "住建局的诉求", enterprise=alice.enterprise
    )
    theirs = dispatched(staff, market, "市场监管局的诉求", enterprise=bob.enterprise)
    ours_file, theirs_file = with_picture(ours, alice), with_picture(theirs, bob)
    client = logged_in(wang)
    assert reaches(client, ours, ours_file) == HAS_IT
    assert reaches(client, theirs, theirs_file) == NOT_FOUND

    wang.department = market
    wang.save()  # as the admin's change form saves it

    assert reaches(client, ours, ours_file) == NOT_FOUND
    assert_every_action_is_a_404_that_changes_nothing(client, ours)
    assert reaches(client, theirs, theirs_file) == HAS_IT


@pytest.mark.parametrize(
    ("change", "page", "file"),
    [
        # No longer an official: the department's pages are refused, the file not found.
        pytest.param("official", 403, 404, id="official"),
        # Taken off the officials (the admin deletes the record): the same.
        pytest.param("deleted", 403, 404, id="official-deleted"),
        # No longer a user: the session is over, every page asks to log in.
        pytest.param("user", 302, 302, id="user"),
    ],
)
def test_an_official_made_inactive_or_removed_loses_the_petition_on_the_next_request(
    staff, alice, wang, change, page, file
):
    petition = dispatched(staff, wang.department, enterprise=alice.enterprise)
    picture = with_picture(petition, alice)
    client = logged_in(wang)
    assert reaches(client, petition, picture) == HAS_IT
    before = state(petition)

    if change == "deleted":
        wang.delete()
    else:
        record = wang if change == "official" else wang.user
        record.is_active = False
        record.save()

    assert client.get(detail_url(petition)).status_code == page
    assert client.get(QUEUE).status_code == page
    assert download(client, picture) == file
    for action in ACTIONS:
        assert client.post(action_url(petition, action), FULL_POST).status_code == page
    assert state(petition) == before


# --- the weekly digest ------------------------------------------------------------------------

WEEK = date(2026, 3, 23)  # a Monday (March 2026 has no public holiday)


def test_after_a_second_dispatch_only_the_new_departments_digest_lists_it(
    staff, wang, chen, housing, market, mailoutbox, django_capture_on_commit_callbacks
):
    moved = dispatched_on(staff, housing, due_on=date(2026, 3, 26))
    staying = dispatched_on(staff, housing, due_on=date(2026, 3, 25))
    services.return_petition(
        petition=moved,
        actor=wang.user,
        basis="该事项属于区市场监管局职责",
        now=at(date(2026, 3, 19), 10),
    )
    services.accept_petition(
        petition=moved,
        actor=staff,
        category=moved.category,
        priority="normal",
        handling="department",
        now=at(date(2026, 3, 19), 11),
    )
    services.dispatch_petition(
        petition=moved, department=market, actor=staff, now=at(date(2026, 3, 19), 14)
    )

    with (
        time_machine.travel(at(WEEK, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        review.run_weekly_dispatch(on=WEEK)

    mails = {m.to[0]: m.body + m.alternatives[0][0] for m in mailoutbox}
    housings, markets = mails[wang.user.email], mails[chen.user.email]
    assert staying.number in housings
    assert moved.number not in housings
    assert detail_url(moved) not in housings
    assert moved.number in markets
    assert detail_url(moved) in markets
    assert staying.number not in markets
