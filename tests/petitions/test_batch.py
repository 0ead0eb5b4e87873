"""Batch intake on the staff's page: typed rows or an Excel sheet of opinion forms.

A consultation day's forms are entered at once. The whole batch is checked first: one
bad row shows its error and saves nothing. A good batch becomes petitions with
consecutive numbers. Submitting the same batch again (the same hidden key, or the same
sheet) creates nothing new and says so.
"""

import re
from importlib import import_module
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from openpyxl import load_workbook

from petitions import services
from petitions.models import Category, IntakeBatch, Petition, PetitionEvent
from tests.factories import CategoryFactory, EnterpriseFactory, PetitionFactory
from tests.support.batch import (
    XLSX,
    get,
    page_key,
    post,
    sheet,
    typed,
    upload,
)
from tests.support.pages import shows, text
from tests.support.words import zh

# The categories the data migration petitions/0003 seeds. Transactional tests (the browser
# tests) empty every table, seeded rows too, and may run before this module: a category
# is made again when missing, with its seeded name and time limits.
SEEDED = {
    code: (name, days, urgent)
    for code, name, days, urgent in import_module(
        "petitions.migrations.0003_categories_and_schedule"
    ).CATEGORIES
}


def category(code: str) -> Category:
    name, days, urgent = SEEDED[code]
    return CategoryFactory(
        code=code, name=name, working_days=days, urgent_working_days=urgent
    )


def errors(response) -> list[str]:
    """The errors the batch page lists (for a failing assertion's message)."""
    return re.findall(
        r'<div class="alert alert-danger".*?</div>', text(response), flags=re.S
    )


def row_error(n: int, field: str, error: str) -> str:
    return zh("Row %(n)d, %(field)s: %(error)s") % {
        "n": n,
        "field": capfirst(zh(field)),
        "error": error,
    }


def unknown_enterprise(name: str) -> str:
    return zh(
        "No member enterprise is called %(name)s (type its name or credit code)."
    ) % {"name": name}


@pytest.fixture(autouse=True)
def _categories(db) -> None:
    """Rows name categories by their seeded names and codes."""
    for code in SEEDED:
        category(code)


@pytest.fixture
def firms(db):
    return {
        "jia": EnterpriseFactory(name="营口甲机械制造有限公司"),
        "yi": EnterpriseFactory(name="营口乙物流有限公司"),
        "bing": EnterpriseFactory(name="营口丙食品有限公司"),
    }


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def three_rows(firms) -> list[dict]:
    return [
        {
            "enterprise": "营口甲机械制造有限公司",
            "contact_name": "王经理",
            "contact_phone": "13800000001",
            "title": "厂区供电容量不足",
            "description": "申请协调供电增容。",
            "category": "基础设施",
        },
        {
            "enterprise": firms["yi"].credit_code,
            "title": "物流园区道路破损",
            "description": "货车通行困难。",
            "category": "infrastructure",
        },
        {
            "enterprise": " 营口丙食品有限公司 ",
            "title": "食品经营许可续期",
            "description": "咨询续期材料。",
            "category": "",
        },
    ]


def nothing_saved() -> bool:
    return not (
        Petition.objects.exists()
        or IntakeBatch.objects.exists()
        or PetitionEvent.objects.exists()
    )


# --- typed rows ------------------------------------------------------------------------------


def test_typed_rows_become_petitions_with_consecutive_numbers(
    staff_client, staff, firms
):
    year = timezone.localdate().year
    before = services.submit_petition(
        enterprise=firms["jia"],
        title="此前的诉求",
        description="内容。",
        channel="online",
        submitted_by=None,
    )

    response = post(
        staff_client,
        reverse("petitions:batch"),
        typed(page_key(staff_client), three_rows(firms)),
    )

    assert response.status_code == 302, errors(response)
    batch = IntakeBatch.objects.get()
    # The batch's page: each row with its likely repeats (tests/petitions/test_repeats.py).
    assert response["Location"] == reverse("petitions:batch_entered", args=[batch.pk])
    petitions = list(batch.petitions.order_by("number"))
    assert before.number == f"XS-{year}-0001"
    assert [p.number for p in petitions] == [
        f"XS-{year}-0002",
        f"XS-{year}-0003",
        f"XS-{year}-0004",
    ]
    assert [(p.enterprise, p.title) for p in petitions] == [
        (firms["jia"], "厂区供电容量不足"),
        (firms["yi"], "物流园区道路破损"),
        (firms["bing"], "食品经营许可续期"),
    ]
    assert [p.category.code if p.category else None for p in petitions] == [
        "infrastructure",
        "infrastructure",
        None,
    ]
    assert (petitions[0].contact_name, petitions[0].contact_phone) == (
        "王经理",
        "13800000001",
    )
    assert {(p.channel, p.status, p.submitted_by) for p in petitions} == {
        ("consultation_day", "submitted", staff),
    }
    assert batch.source == "十一月政企恳谈日"
    assert all(p.events.filter(to_status="submitted").count() == 1 for p in petitions)
    listed = get(staff_client, response["Location"])
    assert shows(listed, zh("%(n)d petitions were entered.") % {"n": 3})
    assert all(p.number in text(listed) for p in petitions)


def test_one_unknown_enterprise_shows_its_row_and_saves_nothing(staff_client, firms):
    rows = three_rows(firms)
    rows[1]["enterprise"] = "营口不存在有限公司"

    response = post(
        staff_client, reverse("petitions:batch"), typed(page_key(staff_client), rows)
    )

    assert response.status_code == 400
    assert shows(
        response, row_error(2, "enterprise", unknown_enterprise("营口不存在有限公司"))
    )
    assert shows(
        response, zh("Nothing was saved. Correct these rows and submit again:")
    )
    assert "厂区供电容量不足" in text(response)  # what was typed is kept for correcting
    assert nothing_saved()


def test_an_unknown_category_is_an_error_of_its_row(staff_client, firms):
    rows = three_rows(firms)
    rows[2]["category"] = "不存在的类别"

    response = post(
        staff_client, reverse("petitions:batch"), typed(page_key(staff_client), rows)
    )

    assert response.status_code == 400
    assert shows(
        response,
        row_error(
            3,
            "category",
            zh("There is no category %(name)s.") % {"name": "不存在的类别"},
        ),
    )
    assert nothing_saved()


def test_only_empty_rows_are_refused(staff_client, firms):
    response = post(
        staff_client, reverse("petitions:batch"), typed(page_key(staff_client), [])
    )

    assert response.status_code == 400
    assert shows(response, zh("Type at least one row."))
    assert nothing_saved()


def test_the_same_batch_posted_again_creates_nothing_new(staff_client, firms):
    data = typed(page_key(staff_client), three_rows(firms))
    post(staff_client, reverse("petitions:batch"), data)
    numbers = list(Petition.objects.order_by("pk").values_list("number", flat=True))

    again = post(staff_client, reverse("petitions:batch"), data, follow=True)

    assert again.status_code == 200
    assert shows(again, zh("This batch was entered already; nothing new was created."))
    assert (
        list(Petition.objects.order_by("pk").values_list("number", flat=True))
        == numbers
    )
    assert IntakeBatch.objects.count() == 1


def test_each_visit_of_the_page_starts_a_new_batch(staff_client, firms):
    first, second = page_key(staff_client), page_key(staff_client)
    rows = three_rows(firms)

    post(staff_client, reverse("petitions:batch"), typed(first, rows[:1]))
    post(staff_client, reverse("petitions:batch"), typed(second, rows[1:]))

    assert first != second
    assert IntakeBatch.objects.count() == 2
    assert Petition.objects.count() == 3


# --- the Excel sheet ---------------------------------------------------------------------------


def sheet_rows(firms) -> list[list]:
    return [
        [
            "营口甲机械制造有限公司",
            "王经理",
            "13800000001",
            "厂区供电容量不足",
            "申请协调供电增容。",
            "基础设施",
        ],
        [
            firms["yi"].credit_code,
            "李女士",
            None,
            "物流园区道路破损",
            "货车通行困难。",
            "financing",
        ],
        [None, None, None, None, None, None],  # an empty line in the middle is skipped
        ["营口丙食品有限公司", None, None, "食品经营许可续期", "咨询续期材料。", None],
    ]


def test_an_uploaded_sheet_becomes_petitions(staff_client, firms):
    response = upload(staff_client, sheet(sheet_rows(firms)))

    assert response.status_code == 302, errors(response)
    petitions = list(Petition.objects.order_by("number"))
    assert [(p.enterprise, p.title, p.channel) for p in petitions] == [
        (firms["jia"], "厂区供电容量不足", "opinion_form"),
        (firms["yi"], "物流园区道路破损", "opinion_form"),
        (firms["bing"], "食品经营许可续期", "opinion_form"),
    ]
    assert [p.category.name if p.category else None for p in petitions] == [
        "基础设施",
        "融资信贷",
        None,
    ]
    assert [p.contact_name for p in petitions] == ["王经理", "李女士", ""]
    assert IntakeBatch.objects.get().source == "小商会收集的意见表"
    assert shows(
        get(staff_client, response["Location"]),
        zh("%(n)d petitions were entered.") % {"n": 3},
    )


def test_a_sheet_with_bad_rows_lists_each_and_saves_nothing(staff_client, firms):
    rows = sheet_rows(firms)
    rows[1][0] = "营口不存在有限公司"
    rows[3][5] = "不存在的类别"

    response = upload(staff_client, sheet(rows))

    assert response.status_code == 400
    # Sheet rows are numbered as the spreadsheet numbers them (the headings are row 1).
    assert shows(
        response, row_error(3, "enterprise", unknown_enterprise("营口不存在有限公司"))
    )
    assert shows(
        response,
        row_error(
            5,
            "category",
            zh("There is no category %(name)s.") % {"name": "不存在的类别"},
        ),
    )
    assert nothing_saved()


def test_the_same_sheet_uploaded_again_creates_nothing_new(staff_client, firms):
    content = sheet(sheet_rows(firms))
    upload(staff_client, content)

    again = upload(staff_client, content, name="意见征求表(1).xlsx")

    assert again.status_code == 302
    assert shows(
        get(staff_client, again["Location"]),
        zh("This batch was entered already; nothing new was created."),
    )
    assert Petition.objects.count() == 3
    assert IntakeBatch.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "企业,标题\n营口甲机械制造有限公司,厂区供电容量不足\n".encode(),
            "This is not an Excel (.xlsx) file.",
        ),
        (
            b"PK\x03\x04 not really a workbook",
            "This Excel file cannot be read; save it again and retry.",
        ),
    ],
    ids=["csv-renamed", "damaged"],
)
def test_a_file_that_is_not_a_workbook_is_refused(
    staff_client, firms, content, message
):
    response = upload(staff_client, content)

    assert response.status_code == 400
    assert shows(response, zh(message))
    assert nothing_saved()


def test_a_sheet_with_only_its_headings_is_refused(staff_client, firms):
    response = upload(staff_client, sheet([]))

    assert response.status_code == 400
    assert shows(response, zh("The sheet has no rows under its heading row."))
    assert nothing_saved()


def test_the_empty_sheet_downloads_as_a_workbook_that_can_be_filled_and_uploaded(
    staff_client, firms
):
    response = get(staff_client, reverse("petitions:batch_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.content))
    assert [c.value for c in book.active[1]] == [
        zh("enterprise (name or credit code)"),
        zh("contact person"),
        zh("contact phone"),
        "标题",  # the petition's heading, not a person's 职务
        zh("description"),
        zh("category"),
        zh("form number"),
    ]
    book.active.append(
        [
            "营口甲机械制造有限公司",
            "王经理",
            "13800000001",
            "厂区供电容量不足",
            "申请增容。",
            "基础设施",
        ]
    )
    filled = BytesIO()
    book.save(filled)

    assert upload(staff_client, filled.getvalue()).status_code == 302
    assert Petition.objects.get().title == "厂区供电容量不足"


def test_batch_intake_is_for_staff_only(client, alice, firms):
    PetitionFactory()
    client.force_login(alice.user)

    assert get(client, reverse("petitions:batch")).status_code == 403
    refused = post(
        client, reverse("petitions:batch"), typed("k" * 32, three_rows(firms))
    )
    assert refused.status_code == 403
    assert not IntakeBatch.objects.exists()
