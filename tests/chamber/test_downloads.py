"""Files made by a task (chamber/downloads.py, issue 22 item 4): the request asks and
goes to the download's page, which says "being made" and reloads itself until the
task has made the file, then links it. Only the user who asked sees the page or the
file; a task lost with its worker is queued again when the page is asked for; a made
file is never made twice; files are deleted after `KEEP_DAYS`."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from chamber import downloads
from chamber.documents import DocumentError
from chamber.models import Download
from chamber.tasks import build_download, delete_old_downloads
from petitions.downloads import PETITIONS_XLSX
from tests.factories import PetitionFactory, StaffFactory
from tests.support.downloads import download_of, fetch
from tests.support.pages import as_user, text
from tests.support.worker import celery_worker, wait_for


@pytest.fixture
def listed(db):
    return [
        PetitionFactory(channel="phone", title="电话来的诉求"),
        PetitionFactory(channel="online", title="网上来的诉求"),
    ]


def _ask(client, **filters):
    return client.get(reverse("petitions:staff_list"), {**filters, "format": "xlsx"})


def test_the_export_is_asked_for_then_made_and_linked_from_its_page(
    staff, listed, django_capture_on_commit_callbacks
):
    client = as_user(staff)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        asked = _ask(client, channel="phone")

    download = download_of(asked)
    assert (download.owner, download.kind, download.status) == (
        staff,
        PETITIONS_XLSX,
        Download.Status.QUEUED,
    )
    waiting = client.get(asked["Location"])
    assert '<meta http-equiv="refresh"' in text(waiting)
    assert reverse("download_file", args=[download.pk]) not in text(waiting)
    assert client.get(reverse("download_file", args=[download.pk])).status_code == 404

    assert len(queued) == 1
    queued[0]()  # the worker takes the task

    ready = client.get(asked["Location"])
    assert '<meta http-equiv="refresh"' not in text(ready)
    link = reverse("download_file", args=[download.pk])
    assert link in text(ready)
    saved = client.get(link)
    assert saved["Content-Type"].startswith("application/vnd.openxmlformats")
    assert saved["Content-Disposition"].startswith("attachment;")
    assert saved["X-Content-Type-Options"] == "nosniff"
    book = load_workbook(io.BytesIO(saved.content))
    titles = [row[2].value for row in book.active.iter_rows(min_row=2)]
    assert titles == ["电话来的诉求"]  # the list's filter, kept for the task


def test_the_file_is_made_in_the_language_of_the_page_it_was_asked_from(staff, listed):
    client = as_user(staff)
    english = fetch(
        client, reverse("petitions:staff_list"), {"format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    chinese = fetch(
        client, reverse("petitions:staff_list"), {"format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )  # fmt: skip

    def heading(response):
        return load_workbook(io.BytesIO(response.content)).active["A1"].value

    assert heading(english) == "number"
    assert heading(chinese) != "number"


def test_someone_elses_download_is_not_found(staff, listed):
    download = download_of(_ask(as_user(staff)))
    downloads.build(download.pk)
    other = as_user(StaffFactory())

    assert other.get(download.get_absolute_url()).status_code == 404
    assert other.get(reverse("download_file", args=[download.pk])).status_code == 404
    again = reverse("download_again", args=[download.pk])
    assert other.post(again).status_code == 404
    assert download.get_absolute_url() not in text(other.get(reverse("downloads")))
    mine = as_user(staff).get(reverse("downloads"))
    assert download.get_absolute_url() in text(mine)


def test_a_visitor_is_sent_to_log_in(client, staff, listed):
    download = download_of(_ask(as_user(staff)))

    for url in (
        download.get_absolute_url(),
        reverse("download_file", args=[download.pk]),
        reverse("downloads"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_file_is_served_by_no_public_address(staff, listed, client):
    """Under MEDIA_ROOT, which no URL serves: only its owner's page sends it."""
    download = download_of(_ask(as_user(staff)))
    made = downloads.build(download.pk)
    assert made.status == Download.Status.DONE and made.file.name

    assert client.get("/media/" + made.file.name).status_code == 404


def test_the_task_run_twice_makes_the_file_once(staff, listed):
    download = download_of(_ask(as_user(staff)))

    assert build_download(str(download.pk)) == Download.Status.DONE
    made = Download.objects.get(pk=download.pk)
    assert build_download(str(download.pk)) == ""

    again = Download.objects.get(pk=download.pk)
    assert (again.file.name, again.finished_at) == (made.file.name, made.finished_at)


def test_a_download_whose_task_was_lost_is_queued_again_by_its_page(
    staff, listed, django_capture_on_commit_callbacks
):
    client = as_user(staff)
    download = download_of(_ask(client))  # its task never runs: the worker died
    url = download.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True) as fresh:
        client.get(url)
    assert fresh == []  # queued a moment ago: not lost yet
    Download.objects.filter(pk=download.pk).update(
        queued_at=timezone.now() - timedelta(minutes=2)
    )

    with django_capture_on_commit_callbacks(execute=True) as again:
        client.get(url)

    assert len(again) == 1
    download.refresh_from_db()
    assert download.status == Download.Status.DONE
    assert reverse("download_file", args=[download.pk]) in text(client.get(url))


def test_a_download_stuck_being_made_past_the_time_limit_is_made_again(
    staff, listed, settings
):
    download = download_of(_ask(as_user(staff)))
    started = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    Download.objects.filter(pk=download.pk).update(
        status=Download.Status.RUNNING, started_at=started
    )
    assert downloads.build(download.pk) is None  # its worker may still be at it

    Download.objects.filter(pk=download.pk).update(
        started_at=started - timedelta(minutes=5)
    )  # that worker was killed

    assert downloads.build(download.pk).status == Download.Status.DONE


def _failing(download):
    raise DocumentError("模板第 3 行有误")


def test_a_failure_is_shown_and_the_owner_can_try_again(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(
        downloads.KINDS, "test-fails", downloads.Kind("test-fails", "测试", _failing)
    )
    client = as_user(staff)
    download = downloads.request_download(owner=staff, kind="test-fails", parameters={})
    downloads.build(download.pk)

    page = text(client.get(download.get_absolute_url()))
    assert "模板第 3 行有误" in page
    assert '<meta http-equiv="refresh"' not in page

    monkeypatch.setitem(
        downloads.KINDS,
        "test-fails",
        downloads.Kind(
            "test-fails",
            "测试",
            lambda d: downloads.File(b"%PDF-1.7", "修好了.pdf", "application/pdf"),
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("download_again", args=[download.pk]))

    assert retried.status_code == 302
    download.refresh_from_db()
    assert (download.status, download.error) == (Download.Status.DONE, "")
    saved = client.get(reverse("download_file", args=[download.pk]))
    assert saved.content == b"%PDF-1.7"
    assert "filename*=utf-8''%E4%BF%AE" in saved["Content-Disposition"]


def test_an_unexpected_failure_is_logged_and_said_plainly(staff, monkeypatch):
    def broken(download):
        raise ZeroDivisionError

    monkeypatch.setitem(
        downloads.KINDS, "test-broken", downloads.Kind("test-broken", "测试", broken)
    )
    with translation.override("en"):  # asked from a page in English
        download = downloads.request_download(
            owner=staff, kind="test-broken", parameters={}
        )

    made = downloads.build(download.pk)

    assert made.status == Download.Status.FAILED
    assert made.error == "The file could not be made."


def test_old_downloads_are_deleted_with_their_files_by_the_daily_task(staff, listed):
    client = as_user(staff)
    old, new = (downloads.build(download_of(_ask(client)).pk) for _ in range(2))
    Download.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=downloads.KEEP_DAYS + 1)
    )
    storage = Download._meta.get_field("file").storage

    assert delete_old_downloads() == 1

    assert list(Download.objects.values_list("pk", flat=True)) == [new.pk]
    assert not storage.exists(old.file.name)
    assert storage.exists(new.file.name)
    assert PeriodicTask.objects.filter(
        task="chamber.tasks.delete_old_downloads", enabled=True
    ).exists()


def test_the_list_of_downloads_costs_the_same_queries_for_few_or_many(
    staff, django_assert_max_num_queries
):
    client = as_user(staff)
    url = reverse("downloads")
    downloads.request_download(owner=staff, kind=PETITIONS_XLSX, parameters={})
    client.get(url)  # warm-up: session and per-user caches
    with django_assert_max_num_queries(10) as few:
        client.get(url)
    for _ in range(15):
        downloads.request_download(owner=staff, kind=PETITIONS_XLSX, parameters={})

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_file_the_page_then_links(real_broker):
    """As in `make run`: the request queues the task on this lane's broker, a worker
    process makes the file, the page turns into the link."""
    staff = StaffFactory()
    PetitionFactory(title="工人做的导出")
    client = as_user(staff)

    with celery_worker() as worker:
        asked = _ask(client)
        download = download_of(asked)

        assert wait_for(
            lambda: Download.objects.get(pk=download.pk).is_finished, timeout=60
        ), "the task never ran; the worker said:\n" + "".join(worker.lines[-40:])

    page = text(client.get(asked["Location"]))
    link = reverse("download_file", args=[download.pk])
    assert link in page
    book = load_workbook(io.BytesIO(client.get(link).content))
    assert [row[2].value for row in book.active.iter_rows(min_row=2)] == [
        "工人做的导出"
    ]
