"""Chinese typography (issue 16, item 3).

In Chinese text: full-width colons and parentheses (：（）), no space between a name
and 的, and "刚刚" for something under a minute ago (Django's timesince says "0 分钟").
The catalogue is scanned, and the pages and e-mails that put punctuation between
translated pieces are rendered in zh-hans and scanned the same way; their separators are
msgids of context "punctuation", so English keeps ": " and " (…)".
"""

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from chamber.emails import make_message
from chamber.models import Heartbeat
from petitions import services
from petitions.models import Petition
from tests.factories import DepartmentFactory, PetitionFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfi]|%[sd]")
HALF_WIDTH = re.compile(rf"{CJK}\s*[:()]|[:()]\s*{CJK}")
SPACE_BEFORE_DE = re.compile(r"\s的")

# msgids whose Chinese keeps a half-width mark or a space before 的, with the reason.
EXCEPTIONS: dict[str, str] = {}


def faults(chinese: str) -> list[str]:
    """Half-width : ( ) next to Chinese, or a space before 的; placeholders stand for Latin."""
    text = PLACEHOLDER.sub("X", chinese)
    return [
        m.group(0)
        for m in (*HALF_WIDTH.finditer(text), *SPACE_BEFORE_DE.finditer(text))
    ]


@pytest.mark.parametrize(
    "chinese",
    ["原因: 身体不适", "已上报 (超期)", "%(name)s 的企业风采", "%(name)s: 文件太大"],
)
def test_the_scan_catches_half_width_marks_and_a_space_before_的(chinese):
    assert faults(chinese)


@pytest.mark.parametrize(
    "chinese",
    [
        "原因：身体不适",
        "已上报（超期）",
        "%(name)s的企业风采",
        "09:00 开始",
        "PDF (A4)",
    ],
)
def test_the_scan_leaves_good_chinese_alone(chinese):
    assert faults(chinese) == []


def test_the_catalogue_uses_full_width_marks_and_no_space_before_的():
    found = {}
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or entry.msgid in EXCEPTIONS:
            continue
        for chinese in [entry.msgstr, *entry.msgstr_plural.values()]:
            if faults(chinese):
                found[entry.msgid] = chinese

    assert found == {}


def test_the_separators_are_full_width_in_chinese_and_spaced_in_english():
    pairs = {": ": "：", ":": "：", " (": "（", ")": "）", "; ": "；", ", ": "，"}
    with translation.override("zh-hans"):
        assert {k: pgettext("punctuation", k) for k in pairs} == pairs
    with translation.override("en"):
        assert {k: pgettext("punctuation", k) for k in pairs} == {k: k for k in pairs}


# --- "刚刚" ---------------------------------------------------------------------------------


def test_the_dashboard_says_the_worker_ran_just_now_not_0_minutes_ago(client, staff):
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(seconds=20)}
    )
    client.force_login(staff)

    with translation.override("zh-hans"):
        page = client.get(reverse("staff_dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = page.content.decode()
    assert "运行正常：刚刚执行过任务。" in html
    assert "0 分钟" not in html and "0分钟" not in html


def test_a_few_minutes_ago_still_counts_the_minutes(client, staff):
    from chamber.templatetags.times import ago

    with translation.override("zh-hans"):
        said = ago(timezone.now() - timedelta(minutes=5, seconds=5))

    assert said.startswith("5") and said.endswith("分钟前")


# --- e-mails and pages, rendered in Chinese -----------------------------------------------------


def visible_faults(html: str) -> list[str]:
    """The faults of the text a reader sees: tags, URLs and times left out."""
    text = re.sub(r"<[^>]+>", "\n", html)
    text = re.sub(r"https?://\S+", " ", text)
    return [f for line in text.splitlines() for f in faults(line)]


def _petition(number: str, title: str):
    return SimpleNamespace(
        number=number,
        title=title,
        enterprise=SimpleNamespace(name="营口甲机械制造有限公司"),
        department=SimpleNamespace(name="区住建局"),
        due_on=date(2026, 3, 6),
        working_days=2,
        reply_path="/petitions/department/1/",
        get_status_display="办理中",
    )


MAILS = {
    "weekly-digest": lambda: {
        "department": SimpleNamespace(name="区住建局"),
        "sections": {
            "overdue": [_petition("XS-1", "厂区道路积水")],
            "due_this_week": [_petition("XS-2", "用电增容")],
            "new": [_petition("XS-3", "人才公寓")],
        },
        "headings": {"overdue": "已超期", "due_this_week": "本周到期", "new": "待签收"},
        "policies": [SimpleNamespace(title="惠企政策十条")],
        "path": "/",
        "settings_path": "/news/digest/",
    },
    "leader-digest": lambda: {
        "escalations": [
            SimpleNamespace(
                petition=_petition("XS-4", "消防验收"),
                department=SimpleNamespace(name="区消防大队"),
                get_reason_display="超期未办",
                age_working_days=12,
            )
        ],
        "more": 0,
        "total": 1,
        "delivery": SimpleNamespace(week_start=date(2026, 3, 2)),
        "path": "/",
    },
    "petition-review": lambda: {
        "run": SimpleNamespace(
            get_kind_display="日研究",
            period_start=date(2026, 3, 2),
            period_end=date(2026, 3, 2),
        ),
        "intake": [_petition("XS-5", "融资贷款")],
        "supervised": [_petition("XS-6", "施工许可")],
        "uncleared": [_petition("XS-7", "土地手续")],
        "escalations": [
            SimpleNamespace(
                petition=_petition("XS-8", "供暖"),
                department=SimpleNamespace(name="区住建局"),
                age_working_days=12,
                overdue_working_days=2,
            )
        ],
        "path": "/",
    },
    "monthly-news": lambda: {
        "delivery": SimpleNamespace(month=date(2026, 3, 1)),
        "previous_month": date(2026, 2, 1),
        "policies": [
            SimpleNamespace(
                pk=1, title="惠企政策十条", published_at=date(2026, 2, 20), summary=""
            )
        ],
        "activities": [],
        "policies_path": "/news/policies/",
        "activities_path": "/activities/",
        "unsubscribe_url": "https://example.com/unsubscribe/",
        "settings_path": "/news/subscription/",
    },
    "rota-unavailable": lambda: {
        "unavailability": SimpleNamespace(
            member=SimpleNamespace(user=SimpleNamespace(get_full_name="王经理")),
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 6),
            reason="外出学习",
        ),
        "shifts": [
            SimpleNamespace(
                span="3月2日至6日",
                first_day=date(2026, 3, 2),
                last_day=date(2026, 3, 6),
                has_open_swap=True,
            )
        ],
        "path": "/",
    },
}


@pytest.mark.parametrize("name", sorted(MAILS))
def test_the_e_mails_use_full_width_marks_in_chinese(db, name):
    recipient = SimpleNamespace(get_short_name="李主任")

    message = make_message(
        name, ["x@example.com"], {"recipient": recipient, **MAILS[name]()}, "zh-hans"
    )

    assert visible_faults(message.body) == []
    assert visible_faults(message.alternatives[0][0]) == []
    assert "：" in message.body  # the separators did render


def _rated_with_a_plan(staff) -> Petition:
    """Dispatched, partly resolved with a follow-up plan, answered and rated."""

    def at(day: int, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(date(2026, 3, day), time(hour)))

    petition = PetitionFactory(created_at=at(2, 8), title="厂区道路积水")
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=petition.category,
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.DEPARTMENT,
        now=at(2, 10),
    )
    services.dispatch_petition(
        petition=petition, department=DepartmentFactory(), actor=staff, now=at(2, 11)
    )
    services.sign_petition(petition=petition, actor=staff, now=at(2, 14))
    services.record_department_reply(
        petition=petition,
        actor=staff,
        outcome=Petition.Outcome.PARTLY,
        reply="已疏通排水管道。",
        follow_up_plan="雨季前完成道路改造。",
        now=at(3, 9),
    )
    services.answer_petition(
        petition=petition, actor=staff, answer="已疏通排水管道。", now=at(3, 10)
    )
    return services.rate_petition(
        solved="solved",
        petition=petition,
        rating=Petition.Rating.BASICALLY,
        actor=None,
        now=at(4, 10),
    )


def test_the_petition_pages_put_full_width_colons_after_their_labels(client, staff):
    petition = _rated_with_a_plan(staff)
    client.force_login(staff)

    with translation.override("zh-hans"):
        page = client.get(
            reverse("petitions:staff_detail", args=[petition.pk]),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )

    html = page.content.decode()
    assert page.status_code == 200
    assert "后续计划：" in html and "评价：基本满意" in html
    assert visible_faults(html) == []
