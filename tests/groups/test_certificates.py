"""Certificates of honour (荣誉证书) and proofs of attendance (参加活动证明) on paper (issue 21).

A certificate exists only for a published award: an unpublished one is 404 for everyone,
staff included (no preview). A member downloads their own and their group's; staff any.
A year's certificates are made by a task as one PDF, one page per published award.
"""

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from activities import services as activities
from activities.models import Campaign
from groups import services
from groups.models import Award, CertificateBatch
from tests.factories import (
    ActivityFactory,
    ActivityGroupFactory,
    AwardKindFactory,
    GroupMembershipFactory,
)

YEAR = 2025


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def flat(text: str) -> str:
    """The text without the line breaks a layout puts in it."""
    return "".join(text.split())


def _award(kind, staff, *, member=None, group=None, published=True) -> Award:
    award = services.confirm_award(
        kind=kind,
        year=YEAR,
        actor=staff,
        member=member,
        group=group,
        override_reason="年度表现突出",
    )
    if published:
        Award.objects.filter(pk=award.pk).update(published_at=timezone.now())
        award.refresh_from_db()
    return award


@pytest.fixture
def outstanding(db):
    return AwardKindFactory(name="优秀会员", awarded_to="member", rank_by="total")


@pytest.fixture
def vibrant(db):
    return AwardKindFactory(name="最具活力组", awarded_to="group", rank_by="average")


@pytest.fixture
def alices_award(alice, staff, outstanding):
    return _award(outstanding, staff, member=alice)


@pytest.fixture
def alices_group(alice):
    group = ActivityGroupFactory(year=YEAR, number=3, name="先锋队")
    GroupMembershipFactory(group=group, member=alice)
    return group


def download(client, user, url):
    client.force_login(user)
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_a_members_certificate_carries_the_winner_the_award_and_the_chamber(
    client, alice, alices_award, settings
):
    settings.CHAMBER_NAME = "营口市鲅鱼圈区工商联"

    response = download(
        client, alice.user, reverse("groups:certificate", args=[alices_award.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    (page,) = pdf_pages(response.content)
    text = flat(page)
    assert flat(alice.user.get_full_name()) in text
    assert "甲公司" in text
    assert "优秀会员" in text
    assert "营口市鲅鱼圈区工商联" in text
    assert "荣誉证书" in text
    assert "2025" in text


def test_a_group_award_has_a_certificate_for_each_member_of_the_group(
    client, alice, bob, staff, vibrant, alices_group
):
    award = _award(vibrant, staff, group=alices_group)
    url = reverse("groups:certificate", args=[award.pk])

    response = download(client, alice.user, url)

    assert response.status_code == 200
    text = flat(pdf_pages(response.content)[0])
    assert "最具活力组" in text and "第3小组" in text and "先锋队" in text
    assert download(client, bob.user, url).status_code == 404


def test_an_unpublished_award_has_no_certificate_for_anyone(
    client, alice, staff, outstanding
):
    award = _award(outstanding, staff, member=alice, published=False)
    url = reverse("groups:certificate", args=[award.pk])

    assert download(client, alice.user, url).status_code == 404
    assert download(client, staff, url).status_code == 404


def test_a_member_cannot_download_another_members_certificate(
    client, bob, alices_award
):
    response = download(
        client, bob.user, reverse("groups:certificate", args=[alices_award.pk])
    )

    assert response.status_code == 404


def test_staff_download_any_published_certificate(client, staff, alices_award):
    page = download(client, staff, reverse("groups:manage_awards", args=[YEAR]))
    assert (
        reverse("groups:certificate", args=[alices_award.pk]) in page.content.decode()
    )
    assert reverse("groups:make_certificates", args=[YEAR]) in page.content.decode()

    response = download(
        client, staff, reverse("groups:certificate", args=[alices_award.pk])
    )

    assert response.status_code == 200
    assert "优秀会员" in flat(pdf_pages(response.content)[0])


def test_a_member_sees_their_certificates_on_their_group_page(
    client, alice, staff, vibrant, alices_award, alices_group, outstanding
):
    group_award = _award(vibrant, staff, group=alices_group)
    _award(outstanding, staff, member=GroupMembershipFactory().member)  # someone else's
    _award(
        AwardKindFactory(name="最佳组织奖", awarded_to="member"),
        staff,
        member=alice,
        published=False,
    )

    response = download(client, alice.user, reverse("groups:mine"))

    page = response.content.decode()
    links = {
        reverse("groups:certificate", args=[pk])
        for pk in Award.objects.values_list("pk", flat=True)
    }
    shown = {link for link in links if link in page}
    assert shown == {
        reverse("groups:certificate", args=[alices_award.pk]),
        reverse("groups:certificate", args=[group_award.pk]),
    }


# --- the year's batch ----------------------------------------------------------------


def test_the_years_batch_makes_one_pdf_with_a_page_per_published_award(
    client,
    staff,
    alice,
    bob,
    outstanding,
    vibrant,
    alices_group,
    django_capture_on_commit_callbacks,
):
    _award(outstanding, staff, member=alice)
    _award(outstanding, staff, member=bob)
    _award(vibrant, staff, group=alices_group)
    _award(
        AwardKindFactory(name="最佳组织奖", awarded_to="member"),
        staff,
        member=bob,
        published=False,
    )
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("groups:make_certificates", args=[YEAR]))

    assert response.status_code == 302
    batch = CertificateBatch.objects.get()
    assert (batch.year, batch.requested_by, batch.pages) == (YEAR, staff, 3)
    assert batch.finished_at is not None and batch.error == ""
    listing = client.get(reverse("groups:certificate_batches")).content.decode()
    assert batch.get_absolute_url() in listing
    pdf = client.get(batch.get_absolute_url())
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    pages = [flat(text) for text in pdf_pages(pdf.content)]
    assert len(pages) == 3
    assert sum("优秀会员" in p for p in pages) == 2
    assert sum("最具活力组" in p for p in pages) == 1
    assert not any("最佳组织奖" in p for p in pages)
    assert any(flat(bob.user.get_full_name()) in p for p in pages)


def test_the_batch_is_asked_for_at_once_and_made_by_its_task(
    client, staff, alices_award, django_capture_on_commit_callbacks
):
    """The request only records the batch: the PDF is made after commit, by the task."""
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("groups:make_certificates", args=[YEAR]))

    batch = CertificateBatch.objects.get()
    assert batch.finished_at is None and len(callbacks) == 1
    waiting = client.get(reverse("groups:certificate_batches")).content.decode()
    assert batch.get_absolute_url() not in waiting
    assert client.get(batch.get_absolute_url()).status_code == 404
    callbacks[0]()
    batch.refresh_from_db()
    assert batch.pages == 1 and batch.finished_at is not None


def test_the_batch_task_run_twice_changes_nothing(staff, alices_award):
    from groups.tasks import build_certificate_batch

    batch = CertificateBatch.objects.create(year=YEAR, requested_by=staff)
    assert build_certificate_batch(batch.pk) == 1
    made = CertificateBatch.objects.get(pk=batch.pk)

    build_certificate_batch(batch.pk)

    again = CertificateBatch.objects.get(pk=batch.pk)
    assert (again.finished_at, bytes(again.content)) == (
        made.finished_at,
        bytes(made.content),
    )


def test_a_batch_whose_task_was_lost_is_made_when_the_year_is_asked_for_again(
    client, staff, alices_award, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    lost = CertificateBatch.objects.create(
        year=YEAR,
        requested_by=staff,
        requested_at=timezone.now() - timedelta(minutes=30),
    )  # its worker was killed: nothing will make it
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("groups:make_certificates", args=[YEAR]))

    lost.refresh_from_db()
    assert lost.finished_at is not None and lost.pages == 1
    assert CertificateBatch.objects.filter(finished_at__isnull=True).count() == 0


def test_a_year_without_a_published_award_makes_no_batch(
    client, staff, alice, outstanding
):
    _award(outstanding, staff, member=alice, published=False)
    client.force_login(staff)

    client.post(reverse("groups:make_certificates", args=[YEAR]))

    assert not CertificateBatch.objects.exists()


def test_members_cannot_ask_for_or_download_a_batch(client, alice, staff, alices_award):
    batch = services.build_certificate_batch(
        batch=CertificateBatch.objects.create(year=YEAR, requested_by=staff)
    )
    client.force_login(alice.user)

    assert client.get(batch.get_absolute_url()).status_code == 403
    assert (
        client.post(reverse("groups:make_certificates", args=[YEAR])).status_code == 403
    )
    assert client.get(reverse("groups:certificate_batches")).status_code == 403


def test_the_batch_page_uses_the_same_queries_for_few_or_many_batches(
    client, staff, alices_award, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("groups:certificate_batches")
    CertificateBatch.objects.create(year=YEAR, requested_by=staff)
    client.get(url)  # warm-up: session and per-user caches
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(20):
        services.build_certificate_batch(
            batch=CertificateBatch.objects.create(year=YEAR, requested_by=staff)
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- proof of attendance of a service-month session -------------------------------------


@pytest.fixture
def service_month(db):
    today = timezone.localdate()
    return Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name="2025年民营经济服务月",
        starts_on=today,
        ends_on=today,
    )


def _attend(member, staff, campaign=None):
    activity = ActivityFactory(
        title="融资对接会", starts_at=timezone.now(), campaign=campaign
    )
    return activities.check_in(activity=activity, member=member, actor=staff)


def test_a_member_downloads_the_proof_of_a_service_month_session_they_attended(
    client, alice, staff, service_month, settings
):
    settings.CHAMBER_NAME = "营口市鲅鱼圈区工商联"
    attendance = _attend(alice, staff, service_month)
    url = reverse("activities:attendance_certificate", args=[attendance.pk])

    assert (
        url in download(client, alice.user, reverse("activities:mine")).content.decode()
    )
    response = download(client, alice.user, url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_pages(response.content)[0])
    for expected in (
        "参加活动证明",
        flat(alice.user.get_full_name()),
        "甲公司",
        "融资对接会",
        "2025年民营经济服务月",
        "营口市鲅鱼圈区工商联",
    ):
        assert expected in text


def test_no_proof_outside_a_service_month_or_for_an_undone_check_in(
    client, alice, staff, service_month
):
    elsewhere = _attend(alice, staff)
    undone = _attend(alice, staff, service_month)
    activities.undo_check_in(attendance=undone, actor=staff, reason="误签")

    for attendance in (elsewhere, undone):
        url = reverse("activities:attendance_certificate", args=[attendance.pk])
        assert download(client, alice.user, url).status_code == 404
        assert download(client, staff, url).status_code == 404


def test_a_member_cannot_download_another_members_proof(
    client, alice, bob, staff, service_month
):
    attendance = _attend(alice, staff, service_month)
    url = reverse("activities:attendance_certificate", args=[attendance.pk])

    assert download(client, bob.user, url).status_code == 404
    assert download(client, staff, url).status_code == 200
