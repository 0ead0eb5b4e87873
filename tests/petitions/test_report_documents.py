"""The monthly summary on paper (issue 21, item 1): the .docx and the PDF a leader
downloads from the report page carry the page's figures and rows.

March 2026 of tests/petitions/test_reports.py is played through the services, with one
more petition: from an enterprise of 鲅鱼圈 with a rare character (㙟) in its name and a
title holding HTML and a Word field code, dispatched on 2 March to a department named
with the same characters, never answered, so the weekly dispatch of 31 March escalates
it to the leaders. March has its topic (每月一题); February's summary ran too, so the
paper compares March with it.
"""

import io
import re
from datetime import date
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from docx import Document
from pypdf import PdfReader

from chamber import documents
from petitions import rates, review, topics
from petitions.documents import KEY, filename, sample
from petitions.models import Escalation, Petition, ReviewRun
from petitions.templatetags.petitions import rank_of
from tests.factories import DepartmentFactory, EnterpriseFactory, PetitionFactory
from tests.support.downloads import fetch
from tests.support.mail import mails_to
from tests.support.reports import at, departments, dispatch, march  # noqa: F401 (fixtures)
from tests.support.words import in_chinese

ENTERPRISE = "营口鲅鱼圈㙟记海产有限公司"
DEPARTMENT = "鲅鱼圈区㙟子街道办事处"
TITLE = "厂区道路<script>alert(1)</script>积水 { MERGEFIELD x } 未修"
TOPIC = "鲅鱼圈㙟子片区融资难"


@pytest.fixture
def month(march, staff):  # noqa: F811 (the fixture, imported)
    """March with the escalated petition and the topic; February's and March's
    summaries run. Returns March's run."""
    rare = DepartmentFactory(name=DEPARTMENT, sort_order=9)
    petition = PetitionFactory(
        enterprise=EnterpriseFactory(name=ENTERPRISE),
        title=TITLE,
        created_at=at(date(2026, 3, 2)),
        category=march["A1"].category,
    )
    petition = dispatch(petition, staff, rare, date(2026, 3, 2))
    with time_machine.travel(at(date(2026, 3, 31), 8), tick=False):
        review.run_weekly_dispatch(on=date(2026, 3, 31))
    assert Escalation.objects.get().petition == petition
    topics.save_topic(
        actor=staff,
        month=date(2026, 3, 1),
        title=TOPIC,
        lead_department=rare,
        departments=[],
        problems="贷款审批慢\n抵押物认定难",
        petitions=Petition.objects.filter(pk=petition.pk),
        tasks=[
            {
                "text": "召开银企对接会",
                "department": rare,
                "owner": "",
                "due_on": date(2026, 4, 15),
            }
        ],
        now=at(date(2026, 3, 5)),
    )
    review.run_monthly_summary(on=date(2026, 3, 1))  # February
    return review.run_monthly_summary(on=date(2026, 4, 1))


def squash(text: str) -> str:
    """Text without the layout's spaces and line breaks (a table cell wraps)."""
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def rows_of(document, first_heading: str, second_heading: str) -> list[list[str]]:
    """The rows under the heading row of the table whose headings begin so."""
    for table in document.tables:
        head = [cell.text for cell in table.rows[0].cells]
        if head[:2] == [first_heading, second_heading]:
            return [[cell.text for cell in row.cells] for row in table.rows[1:]]
    raise AssertionError(f"no table headed {first_heading}, {second_heading}")


def asked(client, name: str, run: ReviewRun):
    return client.get(reverse(f"petitions:{name}", args=[run.pk]))


def download(client, name: str, run: ReviewRun):
    """The file: the Word file at once, the PDF made by a task and taken from its
    download's page (chamber/downloads.py)."""
    if name == "report_pdf":
        return fetch(client, reverse(f"petitions:{name}", args=[run.pk]))
    return asked(client, name, run)


def test_the_word_and_pdf_files_carry_the_pages_figures_and_rows(month, client, staff):
    run, totals = month, month.report["totals"]
    client.force_login(staff)
    page = client.get(reverse("petitions:report", args=[run.pk])).content.decode()
    for name in ("report_pdf", "report_docx"):
        assert f'href="{reverse(f"petitions:{name}", args=[run.pk])}"' in page

    word = download(client, "report_docx", run)
    assert word["Content-Type"] == documents.DOCX
    assert quote("月总结_2026-03.docx") in word["Content-Disposition"]
    docx = Document(io.BytesIO(word.content))
    paper = download(client, "report_pdf", run)
    assert paper["Content-Type"] == documents.PDF
    assert quote("月总结_2026-03.pdf") in paper["Content-Disposition"]
    pdf = squash(pdf_text(paper.content))

    # The cover: the chamber, the step and the period.
    texts = [p.text for p in docx.paragraphs]
    chamber = settings.CHAMBER_NAME
    assert texts[6:10] == [chamber, "月总结", "2026-03", "2026-03-01 – 2026-03-31"]
    assert squash(f"{chamber}月总结2026-032026-03-01–2026-03-31") in pdf

    # Each rate: its percentage and its numerator and denominator, as the page has it.
    rate_rows = rows_of(docx, "指标", "数值")
    assert len(rate_rows) == len(rates.RATES)
    for r, row in zip(rates.RATES, rate_rows, strict=True):
        figure = rates.figure(totals, r.key)
        assert f">{figure.percent}</span>" in page
        assert f">{figure.counts}</small>" in page
        cells = [
            in_chinese(r.label),
            figure.percent,
            f"{in_chinese(r.part_label)}：{figure.part}",
            f"{in_chinese(r.whole_label)}：{figure.whole}",
        ]
        assert row == cells
        assert squash("".join(cells)) in pdf

    # Compared with February (its summary stored: one petition received, no answer).
    before = rows_of(docx, "指标", "2026-03")
    for r, row in zip(rates.RATES, before, strict=True):
        figure = rates.figure(totals, r.key)
        assert row == [in_chinese(r.label), in_chinese(figure), "—（0/0）", "—"]
        assert squash(f"{in_chinese(r.label)}{in_chinese(figure)}—（0/0）—") in pdf

    # Each department's row: its rank and name, its petitions, each rate with its counts.
    listed = run.report["departments"]
    assert DEPARTMENT in [row["name"] for row in listed]
    department_rows = rows_of(docx, "名次", "部门")
    assert [row[:3] for row in department_rows] == [
        [rank_of(row), row["name"], str(row["petitions"])] for row in listed
    ]
    for row, cells in zip(listed, department_rows, strict=True):
        assert (
            f'<td class="text-nowrap">{rank_of(row)}</td><td>{row["name"]}</td>' in page
        )
        figures = [rates.figure(row, r.key) for r in rates.RATES]
        assert cells[3 : 3 + len(figures)] == [
            f"{figure.percent}\n{figure.counts}" for figure in figures
        ]
        assert (
            squash(
                f"{rank_of(row)}{row['name']}{row['petitions']}"
                + "".join(f"{f.percent}{f.counts}" for f in figures)
            )
            in pdf
        )
    assert {"1", "—"} <= {row[0] for row in department_rows}

    # The escalated petition, its title as typed; the month's topic; the rules.
    (escalated,) = rows_of(docx, "编号", "企业")
    assert escalated[1:4] == [ENTERPRISE, TITLE, DEPARTMENT]
    assert squash(f"{ENTERPRISE}{TITLE}{DEPARTMENT}") in pdf
    assert any(TOPIC in text for text in texts)
    assert squash(TOPIC) in pdf
    assert ["参与排名的最少诉求数", "3 件诉求"] in rows_of(docx, "规则", "数值")


def test_text_is_printed_as_typed_in_embedded_noto_fonts(month, client, staff):
    client.force_login(staff)
    word = download(client, "report_docx", month).content
    xml = Document(io.BytesIO(word)).element.xml
    # The title is text: no field, no tag, the "<" escaped.
    assert "instrText" not in xml and "fldSimple" not in xml and "<script" not in xml
    assert "&lt;script&gt;" in xml

    content = download(client, "report_pdf", month).content
    reader = PdfReader(io.BytesIO(content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert font["/Subtype"] == "/Type0", name
        assert re.fullmatch(r"/[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC(-Bold)?", name), name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert {"/FontFile2", "/FontFile3"} & set(descriptor.keys()), name
    assert b"/Type3" not in content
    # The extracted text is the source text, rare characters included.
    text = pdf_text(content)
    for source in (ENTERPRISE, DEPARTMENT, TITLE, TOPIC):
        assert squash(source) in squash(text), source
    assert "鲅鱼圈" in text and "㙟" in text


def test_the_sample_renders_as_word_and_pdf():
    context = sample()
    docx = Document(io.BytesIO(documents.render_docx(KEY, context, source=_built_in())))
    cells = [
        cell.text for table in docx.tables for row in table.rows for cell in row.cells
    ]
    assert "营口鲅鱼圈㙟记海产有限公司" in cells
    html = documents.html_of(KEY, context, source=_html())
    assert "&lt;script&gt;" in html and "<script>" not in html


def _built_in() -> bytes:
    return documents.built_in(KEY, "docx")


def _html() -> bytes:
    return documents.built_in(KEY, "html")


def test_a_quarterly_report_is_named_for_its_quarter(db):
    run = ReviewRun(
        kind=ReviewRun.Kind.QUARTERLY,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
    )
    with translation.override("zh-hans"):
        assert filename(run, "pdf") == "季清零_2026-Q1.pdf"


@pytest.mark.parametrize("name", ["report_pdf", "report_docx"])
def test_only_staff_and_leaders_download_and_only_a_period_report(
    name, month, client, alice, official, leader, staff
):
    for user in (alice.user, official.user):
        client.force_login(user)
        assert asked(client, name, month).status_code == 403
    client.force_login(leader.user)
    assert download(client, name, month).status_code == 200
    daily = ReviewRun.objects.filter(kind=ReviewRun.Kind.DAILY).first()
    client.force_login(staff)
    assert asked(client, name, daily).status_code == 404
    client.force_login(leader.user)
    assert asked(client, name, daily).status_code == 404


@pytest.mark.usefixtures("march")
def test_the_report_message_links_to_the_pdf_and_the_word_file(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        run = review.run_monthly_summary(on=date(2026, 4, 1))

    page = reverse("petitions:report", args=[run.pk])
    (mail,) = [m for m in mails_to(mailoutbox, staff) if page in m.body]
    html, _mimetype = mail.alternatives[0]
    for name in ("report_pdf", "report_docx"):
        path = reverse(f"petitions:{name}", args=[run.pk])
        assert path in mail.body
        assert path in html


def test_the_quarterly_report_lists_what_was_not_cleared(month, client, staff):
    quarter = review.run_quarterly_clearance(on=date(2026, 4, 1))
    uncleared = Petition.objects.filter(pk__in=quarter.report["uncleared"])
    assert ENTERPRISE in [p.enterprise.name for p in uncleared]
    client.force_login(staff)

    word = download(client, "report_docx", quarter)
    assert quote("季清零_2026-Q1.docx") in word["Content-Disposition"]
    docx = Document(io.BytesIO(word.content))
    assert [p.text for p in docx.paragraphs][7:9] == ["季清零", "2026-Q1"]
    rows = rows_of(docx, "编号", "企业")
    numbers = {row[0] for row in rows}
    assert {p.number for p in uncleared} <= numbers
    assert "季度内未清零" in {row[4] for row in rows}
    pdf = squash(pdf_text(download(client, "report_pdf", quarter).content))
    for p in uncleared:
        assert squash(f"{p.number}{p.enterprise.name}{p.title}") in pdf
