"""The monthly summary on paper, in Chromium (issue 21, item 1): staff open last month's
report page of the demo district and download it as PDF (made by a task: its download
page turns into the link) and as Word; both files open
(pypdf, python-docx), are named for the month in Chinese and carry the period.
"""

import io

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from petitions import review
from petitions.documents import period_label
from tests.support.browser import log_in
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    seed_demo()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_staff_download_the_monthly_report_as_pdf_and_word(journey, demo, live_server):
    run = review.run_monthly_summary(on=timezone.localdate().replace(day=1))
    period = period_label(run.kind, run.period_start, run.period_end)
    us = journey("staff")
    page = us.page
    log_in(us, live_server.url, "demo-staff", lands="/staff/")
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    us.check("monthly report")

    # The PDF is made by a task (issue 22, item 4): its page turns into the link.
    page.get_by_role("link", name=zh("PDF"), exact=True).click()
    us.check("the PDF being made, then ready")
    with page.expect_download() as pdf:
        page.locator("a[download]").click(timeout=30_000)
    assert pdf.value.suggested_filename == f"月总结_{period}.pdf"
    reader = PdfReader(pdf.value.path())
    text = "".join(page_.extract_text() for page_ in reader.pages)
    assert period in text and "月总结" in text

    page.go_back()
    with page.expect_download() as word:
        page.get_by_role("link", name=zh("Word"), exact=True).click()
    assert word.value.suggested_filename == f"月总结_{period}.docx"
    with open(word.value.path(), "rb") as file:
        document = Document(io.BytesIO(file.read()))
    assert period in [p.text for p in document.paragraphs]
    us.finish()
