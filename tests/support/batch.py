"""Sheets of paper petitions typed in a batch (tests/petitions/test_batch.py)."""

import re
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from tests.support.pages import text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = ["企业名称或统一社会信用代码", "联系人", "联系电话", "标题", "内容", "类别"]


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def page_key(client) -> str:
    """The hidden batch key of the typed-rows form, as the page gives it."""
    page = text(get(client, reverse("petitions:batch")))
    typed = page[: page.index('id="sheet"')]
    field = re.search(r'<input[^>]*name="key"[^>]*>', typed).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def typed(key: str, rows: list[dict], *, extra_empty: int = 2, **batch) -> dict:
    """The POST data of the typed-rows form: the batch fields, the rows, then empty rows."""
    data = {
        "key": key,
        "channel": batch.get("channel", "consultation_day"),
        "activity": "",
        "source": batch.get("source", "十一月政企恳谈日"),
        "rows-TOTAL_FORMS": str(len(rows) + extra_empty),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "500",
    }
    for i, row in enumerate(rows):
        data.update({f"rows-{i}-{field}": value for field, value in row.items()})
    return data


def sheet(rows: list[list], *, headings=HEADINGS) -> bytes:
    book = Workbook()
    book.active.append(headings)
    for row in rows:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "意见征求表.xlsx", **batch):
    return post(
        client,
        reverse("petitions:batch"),
        {
            "channel": batch.get("channel", "opinion_form"),
            "source": batch.get("source", "小商会收集的意见表"),
            "sheet": SimpleUploadedFile(name, content, content_type=XLSX),
        },
    )
