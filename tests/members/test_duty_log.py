"""The duty log (坐班日志): the representative on duty records visitors; staff read the log.

Every test happens on Wednesday 11 March 2026 at 10:30 in Yingkou, in an ordinary
working week (Monday 9 to Sunday 15 March), with uploads going to a fresh folder.
"""

import re
from datetime import date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from members.duty_log_selectors import appeals_in_log
from members.models import DutyLogAttachment, DutyLogEntry
from members.services import duty_log as services
from tests.factories import (
    DutyLogEntryFactory,
    DutyShiftFactory,
    EnterpriseFactory,
)
from tests.support.words import zh_translated

YINGKOU = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 11, 10, 30, tzinfo=YINGKOU)
MONDAY = date(2026, 3, 9)
LOG = reverse("members:duty_log")
STAFF_LOG = reverse("members:staff_duty_log")

PNG = (  # a whole 1×1 picture: uploads are walked to their IEND chunk
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
VISIT = {
    "visitor_name": "王经理",
    "visitor_enterprise": "营口鑫达商贸有限公司",
    "visitor_phone": "138 0000 0001",
    "visited_at": "2026-03-11T09:15",
    "subject": "贷款难",
    "notes": "带来了银行的拒贷通知。",
    "appeal": "希望协调银行续贷。",
}
RANDOM_NAME = re.compile(r"^duty-log/2026/03/[0-9a-f]{32}\.(png|pdf|jpg|gif|webp)$")


def png(name: str = "照片.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def pdf(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def nothing_written(media) -> bool:
    return (
        not DutyLogEntry.objects.exists()
        and not DutyLogAttachment.objects.exists()
        and stored_files(media) == []
    )


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert form.errors
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@pytest.fixture(autouse=True)
def _wednesday_of_an_ordinary_week():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shift(db):
    return DutyShiftFactory(week_start=MONDAY)


@pytest.fixture
def on_duty(client, shift):
    """The client of the representative on duty this week."""
    client.force_login(shift.representative.user)
    return client


@pytest.fixture
def other_rep(db):
    """A representative whose duty week was last week."""
    return DutyShiftFactory(week_start=MONDAY - timedelta(days=7)).representative


def _record(client, files=(), **changes):
    return client.post(LOG, {**VISIT, **changes, "files": list(files)})


# Recording a visit


def test_representative_on_duty_records_a_visit_with_two_attachments_and_sees_it(
    on_duty, shift, media
):
    response = _record(on_duty, files=[png(), pdf()])

    assert response.status_code == 302
    assert response.url == LOG
    page = on_duty.get(LOG).content.decode()
    assert "王经理" in page
    assert "贷款难" in page
    entry = DutyLogEntry.objects.get()
    assert entry.shift == shift
    assert entry.recorded_by == shift.representative.user
    assert entry.visited_at == datetime(2026, 3, 11, 9, 15, tzinfo=YINGKOU)
    assert entry.visitor_phone == "138 0000 0001"
    assert entry.has_appeal
    attachments = list(entry.attachments.all())
    assert [a.original_name for a in attachments] == ["照片.png", "营业执照.pdf"]
    assert [a.content_type for a in attachments] == ["image/png", "application/pdf"]
    assert [a.size for a in attachments] == [len(PNG), len(PDF)]
    for attachment in attachments:
        assert RANDOM_NAME.match(attachment.file.name), attachment.file.name
    assert sorted(p.read_bytes() for p in stored_files(media)) == sorted([PNG, PDF])
    detail = on_duty.get(reverse("members:log_entry", args=[entry.pk]))
    assert "照片.png" in detail.content.decode()
    assert "营业执照.pdf" in detail.content.decode()


def test_the_form_starts_at_the_current_minute_and_offers_member_enterprises(on_duty):
    left = EnterpriseFactory(name="已退会企业", status="left")
    current = EnterpriseFactory(name="在册会员企业")

    form = on_duty.get(LOG).context["form"]

    assert form["visited_at"].value().strftime("%Y-%m-%dT%H:%M") == "2026-03-11T10:30"
    offered = list(form.fields["enterprise"].queryset)
    assert current in offered
    assert left not in offered


def test_a_member_enterprise_can_be_picked_instead_of_typed(on_duty):
    enterprise = EnterpriseFactory(name="营口港务会员企业")

    _record(on_duty, enterprise=enterprise.pk, visitor_enterprise="")

    entry = DutyLogEntry.objects.get()
    assert entry.enterprise == enterprise
    assert "营口港务会员企业" in on_duty.get(LOG).content.decode()


def test_the_form_ignores_the_week_the_recorder_and_the_time_of_recording(
    on_duty, shift, other_rep, staff
):
    other_week = other_rep.duty_shifts.get()

    response = _record(
        on_duty,
        shift=other_week.pk,
        recorded_by=staff.pk,
        created_at="2020-01-01T00:00",
        id=999,
    )

    assert response.status_code == 302
    entry = DutyLogEntry.objects.get()
    assert entry.pk != 999
    assert entry.shift == shift
    assert entry.recorded_by == shift.representative.user
    assert entry.created_at == NOW


def test_a_representative_sees_only_their_own_entries_this_week(on_duty, shift):
    DutyLogEntryFactory(shift=DutyShiftFactory(week_start=MONDAY - timedelta(days=7)))
    DutyLogEntryFactory(shift=shift, visitor_name="本周来访")

    entries = on_duty.get(LOG).context["entries"]

    assert [e.visitor_name for e in entries] == ["本周来访"]


# Not on duty


def test_a_representative_not_on_duty_sees_when_their_next_week_is(client, other_rep):
    DutyShiftFactory(week_start=date(2026, 4, 20), representative=other_rep)
    client.force_login(other_rep.user)

    response = client.get(LOG)

    assert response.status_code == 200
    assert "form" not in response.context
    page = response.content.decode()
    assert "enctype" not in page
    expected = zh_translated(
        "You are not on duty this week. Your next duty week is %(first)s to "
        "%(last)s; you can record visitors here then."
    ) % {"first": "2026-04-20", "last": "04-24"}
    assert escape(expected) in page


def test_a_representative_not_on_duty_cannot_record(client, other_rep, media):
    client.force_login(other_rep.user)

    response = _record(client, files=[png()])

    assert response.status_code == 403
    assert nothing_written(media)


def test_a_representative_with_no_week_at_all_gets_a_friendly_page(client, rep):
    client.force_login(rep.user)

    response = client.get(LOG)

    assert response.status_code == 200
    assert (
        zh_translated(
            "You are not on duty this week, and no coming duty week is assigned to you yet."
        )
        in response.content.decode()
    )


def test_a_member_who_is_not_a_representative_gets_403(client, alice, media):
    client.force_login(alice.user)

    assert client.get(LOG).status_code == 403
    assert _record(client).status_code == 403
    assert nothing_written(media)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    entry = DutyLogEntryFactory()
    attachment = DutyLogAttachment.objects.create(
        entry=entry,
        file="duty-log/x.png",
        original_name="x.png",
        content_type="image/png",
        size=1,
    )
    urls = [
        LOG,
        STAFF_LOG,
        reverse("members:log_entry", args=[entry.pk]),
        reverse("members:log_attachment", args=[attachment.pk]),
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next=")


def test_staff_record_in_this_weeks_log_for_the_representative(client, shift, staff):
    client.force_login(staff)

    assert client.get(LOG).status_code == 200
    response = _record(client)

    assert response.status_code == 302
    entry = DutyLogEntry.objects.get()
    assert entry.shift == shift
    assert entry.recorded_by == staff


# Who sees an entry and its files


@pytest.fixture
def recorded(on_duty):
    _record(on_duty, files=[png()])
    entry = DutyLogEntry.objects.get()
    return entry, entry.attachments.get()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["other_rep", "alice", "official"])
def test_nobody_else_can_open_an_entry_or_its_file(request, recorded, method, who):
    entry, attachment = recorded
    person = request.getfixturevalue(who)
    client = request.getfixturevalue("client")
    client.logout()
    client.force_login(person.user)
    before = (
        list(DutyLogEntry.objects.values()),
        list(DutyLogAttachment.objects.values()),
    )

    for url in (
        reverse("members:log_entry", args=[entry.pk]),
        reverse("members:log_attachment", args=[attachment.pk]),
    ):
        assert getattr(client, method)(url).status_code == 404, url

    after = (
        list(DutyLogEntry.objects.values()),
        list(DutyLogAttachment.objects.values()),
    )
    assert before == after


def test_the_recorder_cannot_post_to_an_entry(on_duty, recorded):
    entry, _attachment = recorded

    response = on_duty.post(reverse("members:log_entry", args=[entry.pk]))

    assert response.status_code == 405


def test_staff_see_every_entry_and_download_its_files(client, recorded, staff):
    entry, attachment = recorded
    DutyLogEntryFactory(shift=DutyShiftFactory(week_start=MONDAY - timedelta(days=7)))
    client.force_login(staff)

    listed = client.get(STAFF_LOG)
    detail = client.get(reverse("members:log_entry", args=[entry.pk]))
    download = client.get(reverse("members:log_attachment", args=[attachment.pk]))

    assert listed.context["page"].paginator.count == 2
    assert "王经理" in listed.content.decode()
    assert detail.status_code == 200
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_the_download_is_a_file_to_save_with_its_chinese_name(on_duty, recorded):
    _entry, attachment = recorded

    response = on_duty.get(reverse("members:log_attachment", args=[attachment.pk]))

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('照片.png')}" in disposition
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_a_file_missing_on_disk_is_a_404_not_an_error(on_duty, recorded):
    _entry, attachment = recorded
    attachment.file.delete(save=False)

    response = on_duty.get(reverse("members:log_attachment", args=[attachment.pk]))

    assert response.status_code == 404


def test_uploaded_files_are_not_reachable_under_media_url(on_duty, recorded, settings):
    _entry, attachment = recorded

    response = on_duty.get(settings.MEDIA_URL + attachment.file.name)

    assert response.status_code == 404


def test_staff_only_log_refuses_members_and_representatives(client, alice, on_duty):
    assert on_duty.get(STAFF_LOG).status_code == 403
    client.force_login(alice.user)
    assert client.get(STAFF_LOG).status_code == 403


# Bad input


HTML_AS_PNG = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize(
    "files",
    [
        pytest.param([png("page.png", HTML_AS_PNG)], id="html-renamed-png"),
        pytest.param([png("logo.svg", SVG)], id="svg"),
        pytest.param([png("logo.png", SVG)], id="svg-renamed-png"),
        pytest.param([png("empty.png", b"")], id="empty"),
        pytest.param([png("big.png", PNG + b"\x00" * 2048)], id="over-limit"),
        pytest.param([png(f"{i}.png") for i in range(6)], id="six-files"),
        pytest.param(
            [png("good.png"), png("bad.png", HTML_AS_PNG)], id="one-bad-of-two"
        ),
    ],
)
def test_a_refused_file_gets_a_form_error_and_nothing_is_written(
    on_duty, media, settings, files
):
    settings.UPLOAD_MAX_BYTES = 1024

    response = _record(on_duty, files=files)

    assert form_errors(response)
    assert "files" in response.context["form"].errors
    assert nothing_written(media)


def test_the_upload_errors_are_in_chinese(on_duty, media):
    response = _record(on_duty, files=[png("page.png", HTML_AS_PNG)])

    message = response.context["form"].errors["files"][0]
    assert message.startswith("page.png")
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert escape(message) in response.content.decode()


def _multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A form body built by hand, so the file names reach the server as typed."""
    boundary = "chamber-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for name, content in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="files"; filename="{name}"\r\nContent-Type: image/png\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_file_names_with_folders_nul_or_great_length_are_cleaned(on_duty, media):
    long_name = "营口" * 150 + ".png"
    body, content_type = _multipart(
        VISIT,
        [
            ("../../etc/passwd.png", PNG),
            ("..\\..\\win\x00.ini.png", PNG),
            (long_name, PNG),
        ],
    )

    response = on_duty.post(LOG, body, content_type=content_type)

    assert response.status_code == 302
    names = [a.original_name for a in DutyLogAttachment.objects.order_by("pk")]
    assert names[0] == "passwd.png"
    assert names[1] == "win.ini.png"
    assert len(names[2]) == 100 and names[2].endswith(".png")
    for attachment in DutyLogAttachment.objects.all():
        assert RANDOM_NAME.match(attachment.file.name)
    for path in stored_files(media):
        assert path.resolve().is_relative_to(media.resolve())


def test_a_visit_outside_the_duty_week_gets_a_chinese_form_error(on_duty, media):
    expected = zh_translated(
        "The visit must fall inside the duty week, %(first)s to %(last)s."
    ) % {
        "first": "2026-03-09",
        "last": "03-13",  # the week's working days, as everywhere else
    }

    response = _record(on_duty, visited_at="2026-03-06T16:00")

    assert response.context["form"].errors["visited_at"] == [expected]
    assert escape(expected) in response.content.decode()
    assert nothing_written(media)


def test_a_visit_in_the_future_is_refused(on_duty, media):
    response = _record(on_duty, visited_at="2026-03-12T09:00")

    assert response.context["form"].errors["visited_at"] == [
        zh_translated("The visit cannot be in the future.")
    ]
    assert nothing_written(media)


@pytest.mark.parametrize(
    "changes",
    [
        {"visitor_name": "王" * 51},
        {"visitor_name": ""},
        {"subject": "事" * 201},
        {"notes": "记" * 5001},
        {"appeal": "诉" * 5001},
        {"visitor_enterprise": "企" * 101},
        {"visitor_phone": "1" * 31},
        {"visited_at": "not a date"},
        {"visited_at": "2026-02-30T10:00"},
        {"enterprise": "abc"},
        {"enterprise": "999999"},
    ],
    ids=lambda c: next(iter(c)) + f"-{len(next(iter(c.values())))}",
)
def test_bad_fields_get_form_errors_never_a_server_error(on_duty, media, changes):
    response = _record(on_duty, files=[png()], **changes)

    assert form_errors(response)
    assert nothing_written(media)


def test_emoji_and_zero_width_characters_are_kept_as_typed(on_duty):
    response = _record(on_duty, visitor_name="李\u200b总👍", notes="好的🙂")

    assert response.status_code == 302
    entry = DutyLogEntry.objects.get()
    assert entry.visitor_name == "李\u200b总👍"


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}营口",
]


def test_payloads_are_escaped_on_every_page(client, on_duty, shift, staff):
    _record(
        on_duty,
        visitor_name=XSS[0],
        visitor_enterprise=XSS[1],
        subject=XSS[1],
        notes="\n".join(XSS),
        appeal="\n".join(XSS),
        files=[png('"><img src=x onerror=alert(1)>.png')],
    )
    entry = DutyLogEntry.objects.get()
    pages = {"representative's log": on_duty.get(LOG)}
    pages["entry"] = on_duty.get(reverse("members:log_entry", args=[entry.pk]))
    client.force_login(staff)
    pages["staff log"] = client.get(STAFF_LOG)
    pages["admin list"] = client.get(reverse("admin:members_dutylogentry_changelist"))
    pages["admin entry"] = client.get(
        reverse("admin:members_dutylogentry_change", args=[entry.pk])
    )

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html, name
        assert "<img src=x onerror" not in html, name
        assert escape(XSS[0]) in html, name
        assert "49营口" not in html, name


# Staff list


def _fill_log(weeks: list, n: int) -> None:
    """n entries over the weeks, every other from a member enterprise, each with a file."""
    for i in range(n):
        entry = DutyLogEntryFactory(
            shift=weeks[i % 3],
            enterprise=EnterpriseFactory() if i % 2 else None,
            appeal="希望解决" if i % 3 == 0 else "",
        )
        DutyLogAttachment.objects.create(
            entry=entry,
            file=f"duty-log/{i}.png",
            original_name=f"{i}.png",
            content_type="image/png",
            size=1,
        )


def _staff_list_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(STAFF_LOG, params)
    assert response.status_code == 200
    return len(queries)


def test_the_staff_list_costs_the_same_queries_for_3_or_30_entries(client, staff):
    weeks = [
        DutyShiftFactory(week_start=MONDAY - timedelta(days=7 * i)) for i in (1, 2, 3)
    ]
    client.force_login(staff)
    client.get(STAFF_LOG)  # the session is loaded once, like any later page
    _fill_log(weeks, 3)
    few = _staff_list_queries(client)
    few_filtered = _staff_list_queries(client, appeal="on")

    _fill_log(weeks, 27)
    many = _staff_list_queries(client)
    many_filtered = _staff_list_queries(client, appeal="on")

    assert few == many
    assert few_filtered == many_filtered


def test_the_staff_list_filters_by_week_and_appeal(client, staff):
    week = DutyShiftFactory(week_start=MONDAY - timedelta(days=7))
    earlier = DutyShiftFactory(week_start=MONDAY - timedelta(days=14))
    with_appeal = DutyLogEntryFactory(shift=week, appeal="希望解决用地问题")
    without = DutyLogEntryFactory(shift=week)
    other_week = DutyLogEntryFactory(shift=earlier, appeal="希望减税")
    client.force_login(staff)

    def shown(**params):
        return list(client.get(STAFF_LOG, params).context["page"].object_list)

    assert shown() == [without, with_appeal, other_week]  # same time: newest row first
    assert set(shown(week=week.pk)) == {with_appeal, without}
    assert shown(appeal="on") == [with_appeal, other_week]
    assert shown(week=week.pk, appeal="on") == [with_appeal]
    assert len(shown(week="nonsense", page="x")) == 3


def test_the_staff_list_is_newest_first_and_paginated(client, staff):
    week = DutyShiftFactory(week_start=MONDAY - timedelta(days=7))
    start = datetime(2026, 3, 2, 8, 0, tzinfo=YINGKOU)
    for i in range(30):
        DutyLogEntryFactory(shift=week, visited_at=start + timedelta(minutes=10 * i))
    client.force_login(staff)

    first = client.get(STAFF_LOG).context["page"]
    second = client.get(STAFF_LOG, {"page": 2}).context["page"]

    times = [e.visited_at for e in [*first.object_list, *second.object_list]]
    assert len(first.object_list) == 25
    assert times == sorted(times, reverse=True)
    assert len(times) == 30


# The service and the seam for petitions


def test_only_the_representative_on_duty_may_record_this_week(shift, other_rep, staff):
    with pytest.raises(services.DutyLogError):
        services.record_visit(
            member=other_rep,
            shift=shift,
            actor=other_rep.user,
            visitor_name="甲",
            subject="乙",
        )
    last_week = other_rep.duty_shifts.get()
    with pytest.raises(services.DutyLogError):
        services.record_visit(
            member=other_rep,
            shift=last_week,
            actor=other_rep.user,
            visitor_name="甲",
            subject="乙",
            visited_at=datetime(2026, 3, 4, 10, tzinfo=YINGKOU),
        )
    assert not DutyLogEntry.objects.exists()


def test_staff_may_record_for_a_started_week_but_not_a_coming_one(shift, staff):
    last_week = DutyShiftFactory(week_start=MONDAY - timedelta(days=7))
    next_week = DutyShiftFactory(week_start=MONDAY + timedelta(days=7))

    entry = services.record_visit(
        member=None,
        shift=last_week,
        actor=staff,
        visitor_name="补录来访",
        subject="纸质登记补录",
        visited_at=datetime(2026, 3, 4, 10, tzinfo=YINGKOU),
    )
    with pytest.raises(services.DutyLogError):
        services.record_visit(
            member=None,
            shift=next_week,
            actor=staff,
            visitor_name="甲",
            subject="乙",
            visited_at=datetime(2026, 3, 17, 10, tzinfo=YINGKOU),
        )

    assert entry.shift == last_week
    assert list(DutyLogEntry.objects.all()) == [entry]


def test_the_service_refuses_bad_files_itself(shift, media):
    with pytest.raises(services.DutyLogError):
        services.record_visit(
            member=shift.representative,
            shift=shift,
            actor=shift.representative.user,
            visitor_name="甲",
            subject="乙",
            files=[png("good.png"), png("bad.png", HTML_AS_PNG)],
        )

    assert nothing_written(media)


class _BrokenFile(SimpleUploadedFile):
    """Passes the checks, then the disk fails while it is being written."""

    def chunks(self, chunk_size=None):
        yield PNG[:8]
        raise OSError("disk full")


def test_a_disk_failure_halfway_leaves_no_entry_and_no_file(shift, media):
    broken = _BrokenFile("second.png", PNG, content_type="image/png")

    with pytest.raises(OSError):
        services.record_visit(
            member=shift.representative,
            shift=shift,
            actor=shift.representative.user,
            visitor_name="甲",
            subject="乙",
            files=[png("first.png"), broken],
        )

    assert nothing_written(media)


@pytest.mark.parametrize(
    ("day", "on_duty"),
    [
        (date(2026, 3, 8), False),
        (MONDAY, True),
        (date(2026, 3, 15), True),
        (date(2026, 3, 16), False),
    ],
)
def test_a_duty_week_runs_from_monday_to_sunday(shift, day, on_duty):
    found = services.shift_on_duty(member=shift.representative, on=day)

    assert (found == shift) is on_duty


def test_appeals_in_log_returns_only_entries_with_an_appeal(
    shift, django_assert_num_queries
):
    old = DutyLogEntryFactory(
        shift=shift,
        appeal="希望解决厂区道路问题",
        visited_at=datetime(2026, 3, 9, 9, tzinfo=YINGKOU),
        enterprise=EnterpriseFactory(),
    )
    new = DutyLogEntryFactory(
        shift=shift,
        appeal="希望减免房租",
        visited_at=datetime(2026, 3, 10, 9, tzinfo=YINGKOU),
    )
    DutyLogEntryFactory(shift=shift, appeal="")

    with django_assert_num_queries(1):
        found = list(appeals_in_log())
        names = [
            (e.shift.representative.user.get_full_name(), e.enterprise) for e in found
        ]

    assert found == [new, old]
    assert names[1][1] == old.enterprise
    assert list(appeals_in_log(since=datetime(2026, 3, 10, tzinfo=YINGKOU))) == [new]


def test_an_appeal_of_only_spaces_is_no_appeal(on_duty):
    _record(on_duty, appeal="   \n  ")

    entry = DutyLogEntry.objects.get()
    assert not entry.has_appeal
    assert list(appeals_in_log()) == []


def test_the_admin_shows_the_log_read_only(client, recorded, staff):
    entry, attachment = recorded
    client.force_login(staff)

    listed = client.get(
        reverse("admin:members_dutylogentry_changelist"), {"appeal": "yes"}
    )
    change = client.get(reverse("admin:members_dutylogentry_change", args=[entry.pk]))
    add = client.get(reverse("admin:members_dutylogentry_add"))

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert change.status_code == 200
    assert (
        reverse("members:log_attachment", args=[attachment.pk])
        in change.content.decode()
    )
    assert "/media/" not in change.content.decode()
    assert add.status_code == 403
