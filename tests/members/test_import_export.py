"""Enterprises and members through the admin's Excel import and export (IN-2, issue 4).

Imports go through the real two steps: upload (dry run, preview or errors), then
confirm. A file with one bad row is refused whole; exports neutralise formulas.
"""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.functional import lazy
from pytest_django.asserts import assertContains, assertNotContains

from chamber.exports import neutralise_formula, safe_cell
from chamber.models import User
from members.credit_code import check_character, validate_credit_code
from members.models import Area, Enterprise, Member
from members.resources import EnterpriseResource, MemberResource
from tests.factories import EnterpriseFactory, IndustryFactory, MemberFactory

XLSX, CSV = "0", "1"  # the admin's format choices, in SpreadsheetAdminMixin.formats

ENTERPRISE_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "所在区域",
    "企业规模",
    "会籍状态",
    "法定代表人",
    "地址",
    "入会日期",
]
MEMBER_HEADERS = ["姓名", "手机号码", "邮箱", "企业统一社会信用代码", "企业内职务"]

PAYLOADS = [
    "=1+1",
    "+86",
    "-2",
    "@SUM(A1)",
    "＝1+1",
    "\t=x",
    "\r=y",
    "－3",
    "＋4",
    "＠x",
]


def code(n: int) -> str:
    first17 = f"91210803MB{n:07d}"
    return first17 + check_character(first17)


def bad_checksum(n: int) -> str:
    good = code(n)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def english_staff_client(staff_client):
    """Messages in English, so the expected fragments below read plainly."""
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return staff_client


@pytest.fixture
def industry(db):
    return IndustryFactory(name="制造业")


def upload(client, model: str, content: bytes, name: str = "data.xlsx", fmt=XLSX):
    return client.post(
        reverse(f"admin:members_{model}_import"),
        {
            "resource": "0",
            "format": fmt,
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def confirm(client, model: str, preview):
    form = preview.context["confirm_form"]
    assert form is not None, "the preview has no confirm button"
    return client.post(
        reverse(f"admin:members_{model}_process_import"),
        {name: form.initial[name] for name in form.fields},
    )


def import_file(client, model: str, content: bytes, **kwargs):
    preview = upload(client, model, content, **kwargs)
    assert preview.status_code == 200
    return confirm(client, model, preview)


def enterprise_snapshot() -> list[tuple]:
    return list(
        Enterprise.objects.order_by("pk").values_list(
            "pk", "name", "credit_code", "industry", "area", "status", "address"
        )
    )


def member_snapshot() -> list[tuple]:
    return list(
        Member.objects.order_by("pk").values_list(
            "pk", "user__username", "user__full_name", "mobile", "position"
        )
    ) + list(User.objects.order_by("pk").values_list("pk", "username", "email"))


# Import: enterprises


def test_headers_are_the_chinese_column_names():
    with translation.override("zh-hans"):
        enterprise = EnterpriseResource().get_export_headers()
        member = MemberResource().get_export_headers()

    assert enterprise[:4] == ["企业名称", "统一社会信用代码", "行业", "所在区域"]
    assert member[:5] == MEMBER_HEADERS


def test_valid_enterprise_file_is_previewed_before_anything_is_written(
    staff_client, industry
):
    content = xlsx(
        ENTERPRISE_HEADERS,
        [
            [
                "营口甲有限公司",
                code(1),
                "制造业",
                "西市区",
                "小型",
                "有效",
                "张三",
                "",
                None,
            ]
        ],
    )

    preview = upload(staff_client, "enterprise", content)

    assert preview.context["confirm_form"] is not None
    assertContains(preview, "营口甲有限公司")
    assert not Enterprise.objects.exists()


def test_valid_enterprise_file_imports_exactly_its_rows(staff_client, staff, industry):
    content = xlsx(
        ENTERPRISE_HEADERS,
        [
            [
                "营口甲有限公司",
                code(1),
                "制造业",
                "西市区",
                "小型",
                "有效",
                "张三",
                "西市区渤海大街1号",
                date(2023, 5, 4),
            ],
            # Stored values, a lowercase code and a typed date are read too.
            [
                "营口乙有限公司",
                code(2).lower(),
                "",
                "coastal",
                "",
                "",
                "",
                "",
                "2022/1/9",
            ],
        ],
    )

    response = import_file(staff_client, "enterprise", content)

    assert response.status_code == 302
    first, second = Enterprise.objects.order_by("credit_code")
    assert (first.name, first.credit_code, first.industry, first.area) == (
        "营口甲有限公司",
        code(1),
        industry,
        Area.XISHI,
    )
    assert (first.size, first.status, first.legal_representative) == (
        Enterprise.Size.SMALL,
        Enterprise.Status.ACTIVE,
        "张三",
    )
    assert first.joined_on == date(2023, 5, 4)
    assert (second.credit_code, second.area, second.industry) == (
        code(2),
        Area.COASTAL,
        None,
    )
    assert second.status == Enterprise.Status.ACTIVE
    assert second.joined_on == date(2022, 1, 9)
    assert Enterprise.objects.count() == 2
    assert LogEntry.objects.filter(user=staff).count() == 2


def test_enterprise_matched_by_credit_code_is_updated_and_stamped(staff_client, staff):
    enterprise = EnterpriseFactory(
        credit_code=code(5), name="旧名称", status=Enterprise.Status.LEFT
    )
    content = xlsx(
        ["企业名称", "统一社会信用代码", "所在区域"],
        [["新名称", code(5).lower(), "自贸区"]],
    )

    import_file(staff_client, "enterprise", content)

    enterprise.refresh_from_db()
    assert Enterprise.objects.count() == 1
    assert (enterprise.name, enterprise.area) == ("新名称", Area.FTZ)
    assert enterprise.status == Enterprise.Status.LEFT  # no column: kept
    assert enterprise.updated_by == staff
    assert enterprise.updated_at is not None


def test_office_phone_is_stored_as_written_and_a_bad_one_refused(
    english_staff_client, db
):
    good = xlsx(
        ["企业名称", "统一社会信用代码", "所在区域", "电话"],
        [["营口己有限公司", code(12), "西市区", "0417-281２345"]],
    )
    bad = xlsx(
        ["企业名称", "统一社会信用代码", "所在区域", "电话"],
        [["营口庚有限公司", code(13), "西市区", "call us"]],
    )

    import_file(english_staff_client, "enterprise", good)
    refused = upload(english_staff_client, "enterprise", bad)

    assert Enterprise.objects.get().phone == "0417-2812345"
    (row,) = refused.context["result"].invalid_rows
    assert list(row.error_dict) == ["phone"]


def test_file_with_english_headers_is_read_as_well(staff_client, db):
    content = xlsx(
        ["enterprise name", "unified social credit code", "area"],
        [["营口丙有限公司", code(3), "Xishi District"]],
    )

    import_file(staff_client, "enterprise", content)

    assert Enterprise.objects.get().area == Area.XISHI


def test_csv_file_imports_too(staff_client, db):
    text = f"企业名称,统一社会信用代码,所在区域\r\n营口丁有限公司,{code(4)},沿海产业基地\r\n"

    import_file(
        staff_client,
        "enterprise",
        text.encode("utf-8-sig"),
        name="data.csv",
        fmt=CSV,
    )

    assert Enterprise.objects.get().area == Area.COASTAL


def test_csv_saved_by_chinese_excel_in_gbk_imports(staff_client, db):
    text = f"企业名称,统一社会信用代码,所在区域\r\n营口戊有限公司,{code(6)},自贸区\r\n"

    import_file(
        staff_client, "enterprise", text.encode("gbk"), name="data.csv", fmt=CSV
    )

    assert Enterprise.objects.get().name == "营口戊有限公司"


BAD_ENTERPRISE_FILES = {
    "bad check character": (
        [["营口坏有限公司", bad_checksum(7), "", "西市区"]],
        ["unified social credit code", f"should be {code(7)[-1]}"],
    ),
    "code twice in the file": (
        [["营口重复一", code(8), "", "西市区"], ["营口重复二", code(8), "", "西市区"]],
        ["unified social credit code", "twice", "row 2"],
    ),
    "unknown industry": (
        [["营口未知行业", code(9), "航天制造", "西市区"]],
        ["industry", "航天制造"],
    ),
    "unknown area": (
        [["营口未知区域", code(10), "", "东区"]],
        ["area", "东区"],
    ),
    "area missing": (
        [["营口无区域", code(11), "", ""]],
        ["area", "blank"],
    ),
}


@pytest.mark.parametrize("case", BAD_ENTERPRISE_FILES)
def test_enterprise_file_with_a_bad_row_is_refused_whole(
    english_staff_client, industry, case
):
    EnterpriseFactory(credit_code=code(20), name="已有企业")
    bad_rows, expected = BAD_ENTERPRISE_FILES[case]
    good = ["营口好有限公司", code(21), "制造业", "西市区"]
    content = xlsx(
        ["企业名称", "统一社会信用代码", "行业", "所在区域"], [good, *bad_rows]
    )
    before = enterprise_snapshot()

    response = upload(english_staff_client, "enterprise", content)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert result.has_validation_errors()
    messages = " ".join(
        f"{label} {' '.join(errors)}"
        for row in result.invalid_rows
        for label, errors in row.error_dict.items()
    )
    for fragment in expected:
        assert fragment in messages, messages
    assert enterprise_snapshot() == before


def test_enterprise_errors_are_shown_row_by_row_in_chinese(staff_client, db):
    content = xlsx(
        ["企业名称", "统一社会信用代码", "所在区域"],
        [["营口坏有限公司", bad_checksum(7), "西市区"]],
    )

    response = upload(staff_client, "enterprise", content)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_credit_code(bad_checksum(7))
    assertContains(response, "统一社会信用代码")
    assertContains(response, bad_checksum(7))
    assertContains(response, refused.value.messages[0])  # the validator's Chinese
    assertContains(response, "未导入任何数据")
    assertContains(response, "部分行未通过校验")  # not import-export's garbled Chinese


# Import: members


def test_member_import_creates_members_with_logins_that_have_no_password(
    staff_client, db
):
    enterprise = EnterpriseFactory(credit_code=code(30))
    content = xlsx(
        MEMBER_HEADERS,
        [
            [
                "王小明",
                "+86 138 1234 5678",
                "wang@example.com",
                code(30).lower(),
                "总经理",
            ],
            ["李红", 13912345678, "", code(30), ""],
        ],
    )

    response = import_file(staff_client, "member", content)

    assert response.status_code == 302
    wang = Member.objects.get(mobile="13812345678")
    assert (wang.user.username, wang.user.full_name, wang.user.email) == (
        "13812345678",
        "王小明",
        "wang@example.com",
    )
    assert (wang.enterprise, wang.position) == (enterprise, "总经理")
    li = Member.objects.get(mobile="13912345678")
    assert li.user.username == "13912345678"
    for member in (wang, li):
        assert not member.user.has_usable_password()
        assert member.user.is_active
        assert member.invited_at is None
    assert Member.objects.count() == 2


def test_member_matched_by_mobile_is_updated_without_a_new_login(staff_client, db):
    enterprise = EnterpriseFactory(credit_code=code(31))
    member = MemberFactory(mobile="13812345678", enterprise=enterprise)
    users = User.objects.count()
    content = xlsx(
        MEMBER_HEADERS,
        [["新名字", "138-1234-5678", "new@example.com", code(31), "董事长"]],
    )

    import_file(staff_client, "member", content)

    member.refresh_from_db()
    assert (member.user.full_name, member.user.email, member.position) == (
        "新名字",
        "new@example.com",
        "董事长",
    )
    assert User.objects.count() == users
    assert member.user.has_usable_password()  # an existing login keeps its password


BAD_MEMBER_FILES = {
    "bad mobile": (
        [["赵六", "1234567", "", code(40), ""]],
        ["mobile phone", "11 digits"],
    ),
    "missing mobile": (
        [["赵六", "", "", code(40), ""]],
        ["mobile phone", "identifies the member"],
    ),
    "unknown enterprise": (
        [["赵六", "13700000001", "", code(49), ""]],
        ["enterprise credit code", code(49)],
    ),
    "missing enterprise": (
        [["赵六", "13700000001", "", "", ""]],
        ["enterprise credit code", "null"],
    ),
    "mobile twice in the file": (
        [
            ["赵六", "13700000001", "", code(40), ""],
            ["钱七", "137 0000 0001", "", code(40), ""],
        ],
        ["mobile phone", "13700000001 appears twice", "row 2"],
    ),
    "bad e-mail": (
        [["赵六", "13700000001", "not-an-address", code(40), ""]],
        ["e-mail", "email address"],
    ),
    "no name": (
        [["", "13700000001", "", code(40), ""]],
        ["full name", "full name"],
    ),
    "login already taken": (
        [["赵六", "13600000000", "", code(40), ""]],
        ["mobile phone", "13600000000"],
    ),
}


@pytest.mark.parametrize("case", BAD_MEMBER_FILES)
def test_member_file_with_a_bad_row_is_refused_whole(english_staff_client, case):
    EnterpriseFactory(credit_code=code(40))
    MemberFactory(user__username="13600000000", mobile="")
    bad_rows, expected = BAD_MEMBER_FILES[case]
    good = ["孙八", "13500000001", "sun@example.com", code(40), "经理"]
    content = xlsx(MEMBER_HEADERS, [good, *bad_rows])
    before = member_snapshot()

    response = upload(english_staff_client, "member", content)

    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert result.has_validation_errors() and not result.has_errors()
    messages = " ".join(
        f"{label} {' '.join(errors)}"
        for row in result.invalid_rows
        for label, errors in row.error_dict.items()
    )
    for fragment in expected:
        assert fragment in messages, messages
    assert member_snapshot() == before


def test_confirm_step_refuses_the_file_if_a_row_became_invalid(staff_client, db):
    """Between preview and confirmation someone took the login name: nothing is written."""
    EnterpriseFactory(credit_code=code(50))
    content = xlsx(
        MEMBER_HEADERS,
        [
            ["周九", "13500000002", "", code(50), ""],
            ["吴十", "13500000003", "", code(50), ""],
        ],
    )
    preview = upload(staff_client, "member", content)
    User.objects.create_user(username="13500000003")
    before = member_snapshot()

    response = confirm(staff_client, "member", preview)

    assert response.status_code == 200
    assert response.context["result"].has_validation_errors()
    assertContains(response, "未导入任何数据")
    assert member_snapshot() == before


# Export


@pytest.fixture
def poisoned(db):
    """An enterprise and a member whose every text field starts like a formula."""
    industry = IndustryFactory(name="=HYPERLINK(1)")
    enterprises = [
        EnterpriseFactory(
            name=payload,
            address=payload,
            introduction=payload,
            legal_representative=payload,
            industry=industry,
            joined_on=date(2020, 2, 29),
        )
        for payload in PAYLOADS
    ]
    members = [
        MemberFactory(
            enterprise=enterprises[i],
            position=payload,
            user__full_name=payload,
            mobile=f"1380000{i:04d}",
        )
        for i, payload in enumerate(PAYLOADS)
    ]
    return enterprises, members


def export(client, model: str, resource: type, fmt: str):
    data = {"format": fmt, "resource": "0"}
    prefix = resource.__name__.lower()
    for name in resource().get_export_order():
        data[f"{prefix}_{name}"] = "on"
    response = client.post(reverse(f"admin:members_{model}_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows())


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _starts_like_formula(text: str) -> bool:
    return text.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"))


@pytest.mark.parametrize(
    ("model", "resource"),
    [("enterprise", EnterpriseResource), ("member", MemberResource)],
)
def test_xlsx_export_has_no_formula_cells(staff_client, poisoned, model, resource):
    response = export(staff_client, model, resource, XLSX)

    header, *rows = xlsx_rows(response)
    assert len(rows) == len(PAYLOADS)
    neutralised = 0
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value[1:2] and cell.value[0] == "'":
                assert cell.data_type == "s"
                neutralised += 1
            if isinstance(cell.value, str):
                assert not _starts_like_formula(cell.value), (
                    cell.coordinate,
                    cell.value,
                )
    assert neutralised >= 2 * len(PAYLOADS)


def test_xlsx_export_keeps_dates_typed_and_headers_chinese(staff_client, poisoned):
    response = export(staff_client, "enterprise", EnterpriseResource, XLSX)

    header, first, *_rest = xlsx_rows(response)
    headers = [cell.value for cell in header]
    assert headers[:3] == ["企业名称", "统一社会信用代码", "行业"]
    joined = first[headers.index("入会日期")]
    assert joined.is_date
    assert joined.value.date() == date(2020, 2, 29)
    assert first[headers.index("行业")].value == "'=HYPERLINK(1)"
    assert first[headers.index("所在区域")].value == "西市区"


@pytest.mark.parametrize(
    ("model", "resource", "columns"),
    [
        (
            "enterprise",
            EnterpriseResource,
            ["企业名称", "地址", "企业简介", "法定代表人"],
        ),
        ("member", MemberResource, ["姓名", "企业内职务", "企业名称"]),
    ],
)
def test_csv_export_neutralises_every_payload(
    staff_client, poisoned, model, resource, columns
):
    response = export(staff_client, model, resource, CSV)

    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    header, *rows = csv_rows(response)
    assert len(rows) == len(PAYLOADS)
    for column in columns:
        values = sorted(row[header.index(column)] for row in rows)
        assert values == sorted("'" + payload for payload in PAYLOADS)
    for row in rows:
        for value in row:
            assert not _starts_like_formula(value), value


@pytest.mark.parametrize(
    ("model", "resource"),
    [("enterprise", EnterpriseResource), ("member", MemberResource)],
)
def test_export_query_count_does_not_grow_with_rows(staff_client, model, resource):
    def queries() -> int:
        export(staff_client, model, resource, XLSX)  # warm the per-user cache
        with CaptureQueriesContext(connection) as captured:
            export(staff_client, model, resource, XLSX)
        return len(captured)

    MemberFactory.create_batch(3, enterprise__industry=IndustryFactory())
    few = queries()
    MemberFactory.create_batch(27, enterprise__industry=IndustryFactory())

    assert queries() == few


def test_export_then_import_changes_nothing(staff_client, poisoned):
    """The apostrophe is ours: reading our own export back does not add it to the data."""
    # XLSX keeps no carriage return (openpyxl reads it back as a line feed).
    Member.objects.filter(enterprise__name__startswith="\r").delete()
    Enterprise.objects.filter(name__startswith="\r").delete()
    before = enterprise_snapshot()
    exported = export(staff_client, "enterprise", EnterpriseResource, XLSX).content

    preview = upload(staff_client, "enterprise", exported)

    result = preview.context["result"]
    assert not result.has_validation_errors(), [
        row.error_dict for row in result.invalid_rows
    ]
    assert {row.import_type for row in result.rows} == {"skip"}
    assert enterprise_snapshot() == before


def test_import_page_lists_the_chinese_columns(staff_client):
    response = staff_client.get(reverse("admin:members_member_import"))

    assert response.status_code == 200
    choices = response.context["form"].fields["format"].choices
    assert [label for value, label in choices if value] == ["xlsx", "csv"]
    for header in MEMBER_HEADERS:
        assertContains(response, header)
    assertNotContains(response, "user__full_name")


def test_staff_who_may_only_view_cannot_import(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_enterprise"))
    client.force_login(viewer)

    assert client.get(reverse("admin:members_enterprise_import")).status_code == 403
    assert client.get(reverse("admin:members_enterprise_export")).status_code == 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\0=1", "'\0=1"),
        ("＝1", "'＝1"),
        ("plain", "plain"),
        (lazy(lambda: "=label", str)(), "'=label"),  # a lazy translation
        ("", ""),
        (-2, -2),
        (None, None),
        (date(2024, 1, 1), date(2024, 1, 1)),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_safe_cell_drops_characters_xlsx_cannot_hold():
    assert safe_cell("\0=1") == "'\ufffd=1"
    assert force_str(safe_cell("a\x07b")) == "a\ufffdb"
