"""Paper of the petitions' work (issue 21 items 2 and 3).

The 交办单 of a dispatched petition and the 督办通知单 of a supervised one, for staff and
for the department's own petitions, one petition a page, and a day's or a week's of
them as one PDF; a session's numbered opinion forms (征求意见表) whose QR code opens the
session's online form, and whose numbers, typed in with a batch, tie each petition to
the session once and only once. Each PDF is opened with pypdf; each QR code is read
back from the rendered page (pdftoppm, zxing-cpp).
"""

import io
import subprocess
from datetime import timedelta

import pypdf
import pytest
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from PIL import Image

from activities.models import ActivityType
from petitions import services
from petitions.models import IntakeBatch, OpinionSheet, Petition
from petitions.services import BatchRow, PetitionError
from petitions.services.opinion_sheets import print_opinion_sheets
from tests.factories import (
    ActivityFactory,
    EnterpriseFactory,
    OfficialFactory,
)
from tests.support.batch import HEADINGS, page_key, sheet, typed, upload
from tests.support.department_pages import dispatched
from tests.support.downloads import fetch
from tests.support.words import zh

PDF = "application/pdf"


def get(client, url: str, **params):
    with translation.override("zh-hans"):
        return client.get(url, params, HTTP_ACCEPT_LANGUAGE="zh-hans")


def post(client, url: str, data=None):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def pages(response) -> list[str]:
    """The text of each page of a PDF response."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


def made(client, url: str, *, method: str = "get", **params):
    """A file made by a task, taken from its download's page (chamber/downloads.py)."""
    with translation.override("zh-hans"):
        return fetch(client, url, params, method=method, HTTP_ACCEPT_LANGUAGE="zh-hans")


def flat(text: str) -> str:
    """The page's text without the line breaks the layout put in."""
    return "".join(text.split())


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """The QR codes on the first page, read from the page rendered as a picture."""
    (tmp_path / "form.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "form.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    (picture,) = tmp_path.glob("page*.png")
    return [code.text for code in zxingcpp.read_barcodes(Image.open(picture))]


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def department_client(client, official):
    client.force_login(official.user)
    return client


def _dispatched(staff, department, title: str, *, enterprise=None, **petition):
    found = dispatched(staff, department, title, enterprise=enterprise)
    found.contact_name, found.contact_phone = "王经理", "13800000001"
    found.save(update_fields=["contact_name", "contact_phone"])
    if petition:
        Petition.objects.filter(pk=found.pk).update(**petition)
    found.refresh_from_db()
    return found


# --- 交办单 and 督办通知单 ------------------------------------------------------------------


def test_the_assignment_sheet_prints_the_petition_for_staff_and_its_department(
    staff, staff_client, official, client
):
    petition = _dispatched(
        staff,
        official.department,
        "厂区道路积水",
        enterprise=EnterpriseFactory(name="营口鲅鱼圈㙟港物流有限公司"),
    )

    (text,) = pages(
        get(staff_client, reverse("petitions:assignment_sheet", args=[petition.pk]))
    )

    for expected in (
        petition.number,
        "营口鲅鱼圈㙟港物流有限公司",
        "王经理",
        "13800000001",
        "厂区道路积水",
        official.department.name,
        f"{petition.due_on:%Y-%m-%d}",
        zh("Assignment sheet"),
    ):
        assert flat(expected) in flat(text), expected
    working_days = petition.category.limit(petition.priority)
    assert str(working_days) in text
    # Its department prints the same sheet from its own page.
    client.force_login(official.user)
    page = get(client, reverse("petitions:department_detail", args=[petition.pk]))
    href = reverse("petitions:department_assignment_sheet", args=[petition.pk])
    assert href in page.content.decode()
    (own,) = pages(get(client, href))
    assert petition.number in own and official.department.name in flat(own)


def test_the_staff_page_links_the_sheets_it_has(staff, staff_client, official):
    petition = _dispatched(staff, official.department, "厂区道路积水")
    page = get(staff_client, reverse("petitions:staff_detail", args=[petition.pk]))
    html = page.content.decode()
    assert reverse("petitions:assignment_sheet", args=[petition.pk]) in html
    assert reverse("petitions:supervision_notice", args=[petition.pk]) not in html

    Petition.objects.filter(pk=petition.pk).update(supervised_on=timezone.localdate())
    html = get(
        staff_client, reverse("petitions:staff_detail", args=[petition.pk])
    ).content.decode()
    assert reverse("petitions:supervision_notice", args=[petition.pk]) in html


def test_an_extension_prints_the_original_and_the_approved_due_date(
    staff, staff_client, official
):
    today = timezone.localdate()
    petition = _dispatched(
        staff,
        official.department,
        "用地指标",
        original_due_on=today + timedelta(days=3),
        due_on=today + timedelta(days=10),
    )

    (text,) = pages(
        get(staff_client, reverse("petitions:assignment_sheet", args=[petition.pk]))
    )

    assert f"{today + timedelta(days=3):%Y-%m-%d}" in text
    assert f"{today + timedelta(days=10):%Y-%m-%d}" in text


def test_a_petition_not_dispatched_has_no_assignment_sheet(staff_client):
    from tests.factories import PetitionFactory

    petition = PetitionFactory()
    url = reverse("petitions:assignment_sheet", args=[petition.pk])
    assert get(staff_client, url).status_code == 404


def test_html_and_word_field_codes_print_as_text(staff, staff_client, official):
    petition = _dispatched(staff, official.department, "<b>加粗</b>")
    Petition.objects.filter(pk=petition.pk).update(
        description='{ MERGEFIELD 名称 } <script>alert(1)</script> =HYPERLINK("x")'
    )

    (text,) = pages(
        get(staff_client, reverse("petitions:assignment_sheet", args=[petition.pk]))
    )

    assert "<b>加粗</b>" in text
    assert "{ MERGEFIELD 名称 }" in text
    assert "<script>alert(1)</script>" in text
    assert '=HYPERLINK("x")' in text


def test_the_supervision_notice_is_only_for_a_supervised_petition(
    staff, staff_client, official, client
):
    today = timezone.localdate()
    supervised = _dispatched(
        staff,
        official.department,
        "超期未复",
        due_on=today - timedelta(days=5),
        supervised_on=today,
    )
    not_supervised = _dispatched(staff, official.department, "按期办理")

    (text,) = pages(
        get(
            staff_client,
            reverse("petitions:supervision_notice", args=[supervised.pk]),
        )
    )
    assert supervised.number in text
    assert zh("Supervision notice") in text
    assert f"{today - timedelta(days=5):%Y-%m-%d}" in text
    assert flat(official.department.name) in flat(text)
    for name in ("petitions:supervision_notice",):
        url = reverse(name, args=[not_supervised.pk])
        assert get(staff_client, url).status_code == 404
    client.force_login(official.user)
    url = reverse("petitions:department_supervision_notice", args=[not_supervised.pk])
    assert get(client, url).status_code == 404
    url = reverse("petitions:department_supervision_notice", args=[supervised.pk])
    (own,) = pages(get(client, url))
    assert supervised.number in own


def test_another_departments_official_gets_404(staff, official, client):
    petition = _dispatched(
        staff, official.department, "厂区道路积水", supervised_on=timezone.localdate()
    )
    other = OfficialFactory()
    client.force_login(other.user)

    for name in (
        "petitions:department_assignment_sheet",
        "petitions:department_supervision_notice",
    ):
        assert get(client, reverse(name, args=[petition.pk])).status_code == 404
    # Staff's downloads are refused by role.
    url = reverse("petitions:assignment_sheet", args=[petition.pk])
    assert get(client, url).status_code == 403


# --- a day's or a week's, one PDF -----------------------------------------------------------


def test_a_days_dispatches_print_as_one_pdf_one_page_each(
    staff, staff_client, official
):
    other = OfficialFactory().department
    today = timezone.localdate()
    first = _dispatched(staff, official.department, "厂区道路积水")
    second = _dispatched(staff, other, "物流园区道路破损")
    third = _dispatched(staff, official.department, "食品经营许可续期")
    earlier = _dispatched(staff, other, "上周派单")
    Petition.objects.filter(pk=earlier.pk).update(
        dispatched_at=timezone.now() - timedelta(days=8)
    )

    texts = pages(
        made(
            staff_client,
            reverse("petitions:assignment_sheets"),
            day=f"{today:%Y-%m-%d}",
            span="day",
        )
    )

    assert len(texts) == 3
    numbers = {p.number for p in (first, second, third)}
    assert {n for n in numbers for t in texts if n in t} == numbers
    assert all(sum(n in t for n in numbers) == 1 for t in texts)
    assert not any(earlier.number in t for t in texts)


def test_a_weeks_dispatches_and_its_supervised_ones(staff, staff_client, official):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    in_week = _dispatched(staff, official.department, "本周派单")
    Petition.objects.filter(pk=in_week.pk).update(
        dispatched_at=timezone.now() - timedelta(days=today.weekday())
    )
    before = _dispatched(staff, official.department, "上周派单")
    Petition.objects.filter(pk=before.pk).update(
        dispatched_at=timezone.now() - timedelta(days=today.weekday() + 1),
        supervised_on=monday - timedelta(days=1),
    )
    supervised = _dispatched(
        staff, official.department, "超期未复", supervised_on=monday
    )

    texts = pages(
        made(
            staff_client,
            reverse("petitions:assignment_sheets"),
            day=f"{today:%Y-%m-%d}",
            span="week",
        )
    )
    assert len(texts) == 2  # in_week and supervised, dispatched today
    assert not any(before.number in t for t in texts)

    notices = pages(
        made(
            staff_client,
            reverse("petitions:supervision_notices"),
            day=f"{monday:%Y-%m-%d}",
            span="week",
        )
    )
    assert len(notices) == 1
    assert supervised.number in notices[0]


def test_a_span_without_dispatches_says_so(staff_client):
    response = get(
        staff_client,
        reverse("petitions:supervision_notices"),
        day="2020-01-01",
        span="day",
    )
    assert response.status_code == 302
    page = get(staff_client, response["Location"]).content.decode()
    assert (
        escape(
            zh("No petition was put under supervision in %(span)s.")
            % {"span": "2020-01-01"}
        )
        in page
    )


def test_the_triage_and_cycle_pages_offer_the_batch_print(staff_client):
    for name in ("petitions:triage", "petitions:cycle"):
        html = get(staff_client, reverse(name)).content.decode()
        assert reverse("petitions:assignment_sheets") in html
        assert reverse("petitions:supervision_notices") in html


# --- 征求意见表 -----------------------------------------------------------------------------


@pytest.fixture
def session(db):
    return ActivityFactory(
        title="企业纾困会诊日（三月）",
        type=ActivityType.objects.get_or_create(
            code="consultation", defaults={"name": "会诊日"}
        )[0],
    )


def test_printed_opinion_forms_carry_numbers_and_the_sessions_qr_code(
    staff_client, session, tmp_path
):
    url = reverse("petitions:opinion_sheets", args=[session.pk])
    assert get(staff_client, url).status_code == 200

    response = made(staff_client, url, method="post", count="3")

    texts = pages(response)
    printed = list(OpinionSheet.objects.order_by("serial"))
    assert len(texts) == len(printed) == 3
    for text, one in zip(texts, printed, strict=True):
        assert one.number in text
        assert flat(session.title) in flat(text)
        assert f"{timezone.localtime(session.starts_at):%Y-%m-%d}" in text
    assert {s.petition for s in printed} == {None}
    form_url = "http://testserver" + reverse("petitions:session", args=[session.pk])
    assert qr_codes(response.content, tmp_path) == [form_url]


def test_form_numbers_are_unique_across_prints(staff, session):
    first = print_opinion_sheets(activity=session, count=50, actor=staff)
    second = print_opinion_sheets(activity=session, count=5, actor=staff)
    numbers = [s.number for s in first + second]

    assert len(set(numbers)) == 55
    assert OpinionSheet.objects.count() == 55
    assert second[0].serial == 51


def test_only_a_session_prints_opinion_forms(staff, staff_client):
    visit = ActivityFactory()
    url = reverse("petitions:opinion_sheets", args=[visit.pk])
    assert get(staff_client, url).status_code == 404
    with pytest.raises(PetitionError):
        print_opinion_sheets(activity=visit, count=1, actor=staff)


def test_the_activity_page_links_the_forms_to_print(staff_client, session):
    html = get(staff_client, session.get_absolute_url()).content.decode()
    assert reverse("petitions:opinion_sheets", args=[session.pk]) in html


# --- batch intake with the form numbers -----------------------------------------------------


def _row(enterprise, title: str, number: str = "") -> dict:
    return {
        "enterprise": enterprise.name,
        "title": title,
        "description": "内容。",
        "sheet_number": number,
    }


def test_a_form_number_ties_the_petition_to_its_session(staff, staff_client, session):
    sheet, other_sheet = print_opinion_sheets(activity=session, count=2, actor=staff)
    firm = EnterpriseFactory(name="营口甲机械制造有限公司")
    data = typed(
        page_key(staff_client),
        [
            _row(firm, "厂区供电容量不足", sheet.number.lower()),  # typed loosely
            _row(firm, "没有表号的意见"),
        ],
        channel="opinion_form",
    )

    response = post(staff_client, reverse("petitions:batch"), data)

    assert response.status_code == 302
    tied = Petition.objects.get(title="厂区供电容量不足")
    assert (tied.activity, tied.channel) == (session, "consultation_day")
    assert tied.events.get().data == {"channel": "consultation_day"}
    loose = Petition.objects.get(title="没有表号的意见")
    assert (loose.activity, loose.channel) == (None, "opinion_form")
    sheet.refresh_from_db()
    assert sheet.petition == tied
    assert IntakeBatch.objects.get().activity == session
    other_sheet.refresh_from_db()
    assert other_sheet.petition is None


def test_a_form_entered_twice_is_refused_naming_the_petition(
    staff, staff_client, session
):
    (sheet,) = print_opinion_sheets(activity=session, count=1, actor=staff)
    firm = EnterpriseFactory(name="营口甲机械制造有限公司")
    first = typed(page_key(staff_client), [_row(firm, "第一次录入", sheet.number)])
    assert post(staff_client, reverse("petitions:batch"), first).status_code == 302
    # The same batch again is the same batch: nothing new, nothing refused.
    again = post(staff_client, reverse("petitions:batch"), first)
    assert again.status_code == 302 and Petition.objects.count() == 1
    entered = Petition.objects.get()

    second = typed(page_key(staff_client), [_row(firm, "第二次录入", sheet.number)])
    response = post(staff_client, reverse("petitions:batch"), second)

    assert response.status_code == 400
    message = zh(
        "Opinion form %(number)s was entered already: it became petition %(petition)s."
    ) % {"number": sheet.number, "petition": entered.number}
    assert escape(message) in response.content.decode()
    assert Petition.objects.count() == 1 and IntakeBatch.objects.count() == 1


def test_the_sheets_form_number_column_ties_its_rows(staff, staff_client, session):
    (printed,) = print_opinion_sheets(activity=session, count=1, actor=staff)
    firm = EnterpriseFactory(name="营口甲机械制造有限公司")
    content = sheet(
        [
            [
                firm.name,
                "王经理",
                "13800000001",
                "厂区供电容量不足",
                "申请增容。",
                "",
                printed.number,
            ]
        ],
        headings=[*HEADINGS, "表号"],
    )

    assert upload(staff_client, content).status_code == 302
    petition = Petition.objects.get()
    assert (petition.activity, petition.channel) == (session, "consultation_day")
    printed.refresh_from_db()
    assert printed.petition == petition


def test_a_form_number_twice_in_one_batch_or_unknown_is_refused(
    staff, staff_client, session
):
    (sheet,) = print_opinion_sheets(activity=session, count=1, actor=staff)
    firm = EnterpriseFactory(name="营口甲机械制造有限公司")
    rows = [_row(firm, "甲", sheet.number), _row(firm, "乙", sheet.number)]

    response = post(
        staff_client, reverse("petitions:batch"), typed(page_key(staff_client), rows)
    )

    assert response.status_code == 400
    message = zh("Opinion form %(number)s appears more than once in this batch.") % {
        "number": sheet.number
    }
    assert escape(message) in response.content.decode()

    rows = [_row(firm, "丙", "YJ999-001")]
    response = post(
        staff_client, reverse("petitions:batch"), typed(page_key(staff_client), rows)
    )
    assert response.status_code == 400
    message = zh("There is no printed opinion form numbered %(number)s.") % {
        "number": "YJ999-001"
    }
    assert escape(message) in response.content.decode()
    assert not Petition.objects.exists()


def test_batch_intake_with_form_numbers_costs_the_same_queries_whatever_its_size(
    staff, session
):
    firm = EnterpriseFactory()
    sheets = print_opinion_sheets(activity=session, count=23, actor=staff)

    def enter(key: str, chosen) -> int:
        rows = [
            BatchRow(
                enterprise=firm,
                title=f"意见{s.number}",
                description="内容。",
                sheet_number=s.number,
            )
            for s in chosen
        ]
        with CaptureQueriesContext(connection) as queries:
            services.enter_batch(
                key=key, rows=rows, channel="opinion_form", actor=staff
            )
        return len(queries)

    enter("first", sheets[:1])  # the year's number sequence is made once
    # 20 rows: SQLite inserts at most 999 values at once (22 petitions of ~45 fields).
    assert enter("small", sheets[1:3]) == enter("large", sheets[3:23])
    assert OpinionSheet.objects.filter(petition__isnull=True).count() == 0
