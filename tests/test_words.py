"""One English word, one Chinese meaning (issue 16, item 1).

A petition's, an article's or an activity's title is 标题 (an activity's 活动名称); a
person's title in the chamber is 职务. The two used to share the msgid "title", so the
last translation written won and every petition form asked for a 职务 right after
联系人/联系电话. Each meaning now has its own context (pgettext), and the short words
that mean different things in Chinese never stand in the catalogue, the code or the
templates without one.
"""

import ast
import re
from html import unescape
from io import BytesIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook

from tests.factories import (
    DutyLogEntryFactory,
    MemberFactory,
    PetitionFactory,
    TitleTermFactory,
)
from tests.support.downloads import fetch

ROOT = Path(settings.BASE_DIR)
APPS = ["chamber", "members", "groups", "activities", "petitions", "publicity"]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
HEADING, JOB_TITLE = "标题", "职务"

# English words with more than one Chinese meaning: as a whole msgid they always carry
# a context naming the meaning (pgettext / {% translate "…" context "…" %}).
AMBIGUOUS = {
    "title",  # 标题 (a petition, an article), 活动名称 (an activity), 职务 (a person)
    "name",  # 名称 (a thing), 姓名 (a person)
    "type",  # 类型 (an activity), 文件类型 (an upload)
    "size",  # 企业规模 (an enterprise), 文件大小 (a photo)
    "state",
    "status",
    "order",  # 排序, 订单, 命令
    "due",  # 到期, 应付
    "open",  # 未办结 / 在办 (petitions), 开放, 打开
    "opens",
    "close",
    "closes",
    "closed",  # 已办结 (a petition), 已截止 (a sign-up), 已关闭
    "planned",  # 规划中 (a platform), 已安排 (duty weeks)
    "record",  # 修改记录 (a fieldset), 登记 (a button)
    "code",  # 代码 (an identifier), 验证码 (a one-time code)
}

# Meanings that must never collapse into one translation again.
MEANINGS = {
    ("heading", "title"): "标题",
    ("activity name", "title"): "活动名称",
    ("job title", "title"): "职务",
    ("activity type", "type"): "类型",
    ("file type", "type"): "文件类型",
    ("enterprise size", "size"): "企业规模",
    ("file size", "size"): "文件大小",
    ("platform founding", "planned"): "规划中",
    ("duty weeks", "planned"): "已安排",
    ("admin section", "Record"): "修改记录",
    ("button", "Record"): "登记",
    ("identifier", "code"): "代码",
    ("one-time code", "Code"): "验证码",
}


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def labels(response, field: str) -> list[str]:
    """The texts of the labels of every field named `field` (or `<prefix>-field`)."""
    assert response.status_code == 200
    html = response.content.decode()
    found = re.findall(
        rf'<label[^>]*for="id_(?:[\w-]+-)?{field}"[^>]*>(.*?)</label>', html, re.S
    )
    return [unescape(re.sub(r"<[^>]+>|\*", "", t)).strip().rstrip(":：") for t in found]


# --- the pages ----------------------------------------------------------------------------


@pytest.fixture
def appeal(db):
    return DutyLogEntryFactory(appeal="厂区门前道路积水，希望协调修缮。")


@pytest.mark.parametrize(
    "who, url",
    [
        ("member", lambda appeal: reverse("petitions:submit")),
        ("staff", lambda appeal: reverse("petitions:staff_new")),
        ("staff", lambda appeal: reverse("petitions:batch")),
        ("staff", lambda appeal: reverse("petitions:from_duty_log", args=[appeal.pk])),
    ],
    ids=["member's form", "staff phone form", "batch intake", "duty log to petition"],
)
def test_every_petition_form_asks_for_a_heading_not_a_job_title(
    client, alice, staff, appeal, who, url
):
    client.force_login(alice.user if who == "member" else staff)

    response = get(client, url(appeal))

    found = labels(response, "title")
    assert found and set(found) == {HEADING}
    assert JOB_TITLE not in response.content.decode()


@pytest.mark.parametrize(
    "admin_url, expected",
    [
        ("admin:activities_activity_add", "活动名称"),
        ("admin:publicity_article_add", HEADING),
    ],
)
def test_the_admin_activity_and_article_forms_name_their_title(
    client, staff, admin_url, expected
):
    client.force_login(staff)

    assert labels(get(client, reverse(admin_url)), "title") == [expected]


def test_the_petitions_excel_heads_its_title_column_标题(client, staff):
    PetitionFactory(title="厂区供电容量不足")
    client.force_login(staff)

    listed = fetch(
        client,
        reverse("petitions:staff_list"),
        {"format": "xlsx"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    template = get(client, reverse("petitions:batch_template"))

    for response in (listed, template):
        heading = [c.value for c in load_workbook(BytesIO(response.content)).active[1]]
        assert HEADING in heading
        assert JOB_TITLE not in heading


def test_a_persons_title_in_the_chamber_stays_职务(client, alice, staff):
    TitleTermFactory(member=MemberFactory(enterprise__name="丙公司"))
    client.force_login(alice.user)

    assert labels(get(client, reverse("members:directory")), "title") == [JOB_TITLE]

    client.force_login(staff)
    holder = MemberFactory(enterprise__name="丁公司")
    TitleTermFactory(member=holder)
    page = get(client, reverse("admin:members_member_change", args=[holder.pk]))
    assert page.status_code == 200
    assert re.search(rf"<th[^>]*>\s*{JOB_TITLE}", page.content.decode())


# --- the catalogue, the code and the templates -----------------------------------------------


def test_each_meaning_keeps_its_own_translation():
    with translation.override("zh-hans"):
        found = {key: pgettext(*key) for key in MEANINGS}

    assert found == MEANINGS


def _bare_catalogue_entries(po) -> list[str]:
    return [
        e.msgid
        for e in po
        if not e.obsolete and e.msgctxt is None and e.msgid.lower() in AMBIGUOUS
    ]


def test_no_ambiguous_word_is_a_bare_msgid_of_the_catalogue():
    assert _bare_catalogue_entries(polib.pofile(str(CATALOGUE))) == []


GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
}


def bare_calls(source: str) -> list[str]:
    """`_("title")` and kin: an ambiguous word translated without a context."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if (
            name in GETTEXT
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
            and first.value.strip().lower() in AMBIGUOUS
        ):
            found.append(f"{node.lineno}: {first.value}")
    return found


TRANSLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+(['\"])(.*?)\1(.*?)%}", re.S)
BLOCK_TAG = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%}(.*?){%\s*endblocktrans(?:late)?\s*%}",
    re.S,
)


def bare_tags(template: str) -> list[str]:
    """`{% translate "status" %}` and kin without `context "…"`."""
    found = []
    for match in TRANSLATE_TAG.finditer(template):
        text, rest = match.group(2), match.group(3)
        if text.strip().lower() in AMBIGUOUS and "context" not in rest.split():
            found.append(match.group(0))
    for match in BLOCK_TAG.finditer(template):
        options, text = match.group(1), match.group(2)
        if text.strip().lower() in AMBIGUOUS and "context" not in options.split():
            found.append(match.group(0))
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        'label = _("title")',
        'x = gettext_lazy("Status")',
        'x = translation.gettext("open")',
        'CLOSED = "closed", _("closed")',
    ],
)
def test_the_python_lint_catches_a_bare_ambiguous_word(snippet):
    assert bare_calls(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        'label = pgettext_lazy("heading", "title")',
        'x = _("title term")',
        'x = _("sign-up closes")',
    ],
)
def test_the_python_lint_leaves_contexts_and_longer_phrases_alone(snippet):
    assert bare_calls(snippet) == []


def test_the_template_lint_catches_a_bare_word_and_leaves_a_context_alone():
    assert bare_tags('<th>{% translate "status" %}</th>')
    assert bare_tags("{% trans 'Open' as label %}")
    assert bare_tags("{% blocktranslate %}title{% endblocktranslate %}")
    assert bare_tags('{% translate "status" context "state of a record" %}') == []
    assert bare_tags('{% translate "due this week" %}') == []


def test_no_source_translates_an_ambiguous_word_without_a_context():
    found = [
        f"{path.relative_to(ROOT)}:{hit}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for hit in bare_calls(path.read_text(encoding="utf-8"))
    ]

    assert found == []


def test_no_template_translates_an_ambiguous_word_without_a_context():
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    found = [
        f"{path.relative_to(ROOT)}: {hit}"
        for folder in folders
        if folder.is_dir()
        for path in sorted(folder.rglob("*"))
        if path.suffix in (".html", ".txt")
        for hit in bare_tags(path.read_text(encoding="utf-8"))
    ]

    assert found == []
