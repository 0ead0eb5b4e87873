"""Petitions at two years' size: the data, the review steps and the pages (issue 8).

    .venv/bin/python bench/petitions.py generate [--petitions 50000] [--seed 8]
    .venv/bin/python bench/petitions.py steps [--repeat 3] [--out FILE]
    .venv/bin/python bench/petitions.py pages [--repeat 30] [--out FILE] [--sessions FILE]
    .venv/bin/python bench/petitions.py load --base URL --sessions FILE --queries FILE [--out FILE]
    .venv/bin/python bench/petitions.py report [FILE]

bench/petitions.sh runs them in that order, with the environment of bench/run.sh
(PostgreSQL database `bench_petitions`, Redis cache and broker, DEBUG off, gunicorn).

generate: on a database that bench/generate.py has filled (the demo district and
~300 enterprises), it empties the petitions tables (seed_demo's sixty petitions and
the review runs it made for this week, this month and last quarter would take the
periods `steps` times; TRUNCATE, as the events refuse DELETE), gives every department
a liaison and writes 50,000 petitions received from 2025-01-01 to 2026-11-24 with
their events, as the services would have written them: each petition's life is
simulated step by step (triage, dispatch, return to triage, signature, progress, the
department's reply, staff review, the answer, the rating or the closing without one)
and so are the review cycle's effects up to the morning of 2026-11-25 (triage flags,
reminders, supervision, unrated replies closed, overdue and clear-to-zero
escalations, the stored runs). Life stops at 2026-11-25 08:00, so the recent
petitions are open in every state and a thin tail of old ones was never answered.
Rows go in with bulk_create, in chunks, with the petitions' primary keys given (so
events and merges point at them before insert).

steps: times each review step (petitions.review.run_*) on its date with wall time,
SQL queries (CaptureQueriesContext; SAVEPOINT and RELEASE not counted) and cache
calls. Each step runs --repeat times inside a transaction rolled back afterwards (the
events are append-only: nothing a step wrote can be deleted), then once for real,
committed, which leaves its runs and escalations for the pages.

pages: queries per page (Django's test Client, CaptureQueriesContext around the second
request), the slowest queries of each page, the median of --repeat serial requests,
and the session cookies for `load`.

load: wrk on each page against the running gunicorn, with the bare template view
(/bench/bare/) first and last as in bench/load.py, whose functions it uses.
"""

import argparse
import bisect
import contextlib
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# BENCH_PETITIONS_DB: another name, so two runs on one machine do not drop each other's data.
DATABASE = os.environ.get("BENCH_PETITIONS_DB", "bench_petitions")
TZ = ZoneInfo("Asia/Shanghai")
# 693 days of petitions up to the day before the anchor (set by `configure`, from
# today): run on 2026-11-25, 2025-01-01 to 2026-11-24.
HISTORY_DAYS = 693
FIRST_DAY = LAST_DAY = NOW = None
STEP_DATES: dict[str, date] = {}
EXTRA_STEPS: list[tuple[str, date]] = []

LOGINS = {
    "member": "demo-member",
    "official": "demo-official",
    "staff": "demo-staff",
    "leader": "demo-leader",
}
BASELINE = "/bench/bare/"


def configure(today: date) -> None:
    """The dates of a run, from today (the pages and the steps read the real clock).

    The anchor is today, or the last working day before it: the data stands still at
    08:00 of the anchor, before the beat's daily study. `steps` times the anchor's
    study, this week's dispatch, the summary of the month before, the clear-to-zero
    of the quarter before and this quarter's warning (the generator simulates every
    earlier run and leaves these periods to them), and, rolled back only, the
    clear-to-zero of this quarter as it stands.
    """
    from chamber import workdays

    global FIRST_DAY, LAST_DAY, NOW, STEP_DATES, EXTRA_STEPS
    anchor = today
    while not workdays.is_working_day(anchor):
        anchor -= timedelta(days=1)
    NOW = at(anchor, 8)
    LAST_DAY = anchor - timedelta(days=1)
    FIRST_DAY = anchor - timedelta(days=HISTORY_DAYS)
    STEP_DATES = {
        "daily": anchor,
        "weekly": anchor - timedelta(days=anchor.weekday()),
        "monthly": anchor.replace(day=1),
        "quarterly": quarter_first(anchor),
        "quarter_warning": quarter_last(anchor) - timedelta(days=13),
    }
    EXTRA_STEPS = [("quarterly", quarter_last(anchor) + timedelta(days=1))]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    django.setup()


# --- the calendar -----------------------------------------------------------------------


class Calendar:
    """chamber.workdays answered from one list: the generator asks it millions of times,
    and workdays.is_working_day reads the overrides from the cache at every call."""

    def __init__(self, first: date, last: date) -> None:
        from chamber import workdays

        self.days = workdays.working_days(first, last)
        self.first, self.last = first, last
        probe = random.Random(1)
        for _ in range(50):  # the same answers as chamber.workdays
            day = first + timedelta(days=probe.randrange(60, (last - first).days - 120))
            n = probe.randrange(1, 12)
            assert self.add(day, n) == workdays.add_working_days(day, n), day
            assert self.before(day, n) == workdays.nth_working_day_before(day, n), day

    def add(self, day: date, n: int) -> date:
        """workdays.add_working_days: the n-th working day after `day`."""
        if n <= 0:
            return day
        return self.days[bisect.bisect_right(self.days, day) + n - 1]

    def before(self, day: date, n: int = 1) -> date:
        """workdays.nth_working_day_before."""
        return self.days[bisect.bisect_left(self.days, day) - n]

    def between(self, after: date, upto: date) -> int:
        """WorkingDayCounter.between: working days d with after < d <= upto."""
        if upto <= after:
            return 0
        return bisect.bisect_right(self.days, upto) - bisect.bisect_right(
            self.days, after
        )

    def on_or_after(self, day: date) -> date:
        return self.days[bisect.bisect_left(self.days, day)]

    def span(self, first: date, last: date) -> list[date]:
        return self.days[
            bisect.bisect_left(self.days, first) : bisect.bisect_right(self.days, last)
        ]


def at(day: date, hours: float) -> datetime:
    return datetime.combine(day, dtime.min, tzinfo=TZ) + timedelta(hours=hours)


def midnight(day: date) -> datetime:
    return datetime.combine(day, dtime.min, tzinfo=TZ)


def quarter_first(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def quarter_last(day: date) -> date:
    first = quarter_first(day)
    return (first + timedelta(days=95)).replace(day=1) - timedelta(days=1)


# --- texts --------------------------------------------------------------------------------

TOPICS = {
    "financing": [
        "小微企业贷款贴息申请",
        "续贷过桥资金周转",
        "应收账款质押融资",
        "融资担保费补贴",
        "银行抽贷压贷",
    ],
    "land": [
        "厂房用地规划调整",
        "不动产权证办理",
        "仓储用地续租",
        "项目用地红线确认",
        "闲置厂房改造",
    ],
    "approvals": [
        "施工许可审批时限",
        "经营范围变更登记",
        "环评手续办理",
        "消防验收排期",
        "食品经营许可续证",
    ],
    "policy": [
        "惠企政策兑现",
        "稳岗补贴申领条件",
        "技改奖补政策",
        "高新技术企业认定",
        "专精特新申报",
    ],
    "market": [
        "展会展位补贴",
        "政府采购准入",
        "东北亚市场渠道",
        "商超进场费用",
        "电商平台入驻扶持",
    ],
    "labour": [
        "技术工人招聘",
        "社保缴费基数核定",
        "职业技能培训补贴",
        "员工子女入学",
        "劳动争议调解",
    ],
    "rights": [
        "合同款项被长期拖欠",
        "商标被恶意抢注",
        "不正当竞争",
        "行政处罚裁量异议",
        "知识产权侵权",
    ],
    "infrastructure": [
        "园区道路破损",
        "厂区供电容量不足",
        "燃气管网接入",
        "供暖管线改造",
        "排水管网堵塞",
    ],
    "other": [
        "企业年报填报",
        "门头牌匾设置",
        "周边停车位不足",
        "园区物业纠纷",
        "营商环境建议",
    ],
}
ASKS = [
    "请求协调解决",
    "希望尽快答复",
    "请相关部门帮助",
    "恳请予以支持",
    "请求明确办理时限",
]
SENTENCES = [
    "我公司成立以来一直扎根西市区，现有职工{n}人，年产值约{m}万元。",
    "该问题自{month}月以来一直未能解决，已影响正常生产经营。",
    "我们已多次与有关方面沟通，但尚无明确答复。",
    "如不能及时解决，预计将造成约{m}万元的损失。",
    "希望工商联帮助反映，推动问题早日解决。",
    "相关材料已准备齐全，可随时提供。",
    "同类企业也反映过类似情况，建议统筹研究。",
]
REPLIES = {
    "resolved": "经核实，已协调办理完毕，企业诉求已解决。",
    "partly": "已部分解决，剩余事项纳入后续工作计划。",
    "explained": "已向企业作出政策解释，并明确后续跟进措施。",
}
PLAN = "由部门联络员每两周跟进一次，办结后向工商联书面报告。"
COMMENTS = [
    "办理及时，非常满意。",
    "基本解决了问题。",
    "",
    "",
    "感谢工商联和部门的帮助。",
]
UNSATISFIED = "问题仍未实际解决，希望继续跟进。"
# category code -> the departments (index in chamber/demo.py) that usually handle it
DEPARTMENTS_FOR = {
    "financing": [5, 1],
    "land": [2, 1],
    "approvals": [3, 2],
    "policy": [1, 6, 0],
    "market": [6, 3],
    "labour": [4, 0],
    "rights": [3, 7],
    "infrastructure": [2],
    "other": [0, 7, 6],
}
CHANNELS = [
    ("online", 45),
    ("duty_studio", 15),
    ("reception_hall", 10),
    ("consultation_day", 10),
    ("opinion_form", 10),
    ("phone", 10),
]


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


# --- the simulation ---------------------------------------------------------------------


class Stop(Exception):
    """The next step of a petition's life lies after NOW, or the review cycle ended it."""


class World:
    """Everything the simulation needs, read once from the database."""

    def __init__(self, rng: random.Random) -> None:
        from django.utils import translation

        from chamber import method_rules
        from chamber.models import Department, Official, User
        from members.models import Enterprise, Member
        from petitions.models import Category

        self.rng = rng
        self.cal = Calendar(
            FIRST_DAY - timedelta(days=60), NOW.date() + timedelta(days=220)
        )
        self.categories = list(Category.objects.order_by("sort_order"))
        self.departments = list(
            Department.objects.filter(is_active=True).order_by("sort_order", "pk")
        )
        self.liaison = dict(
            Official.objects.filter(is_liaison=True, is_active=True).values_list(
                "department_id", "user_id"
            )
        )
        self.staff = list(
            User.objects.filter(is_staff=True, is_active=True).values_list(
                "pk", flat=True
            )
        )
        self.members = defaultdict(list)
        for enterprise_id, user_id, name in Member.objects.values_list(
            "enterprise_id", "user_id", "user__full_name"
        ):
            self.members[enterprise_id].append((user_id, name))
        enterprises = list(
            Enterprise.objects.order_by("pk").values_list("pk", flat=True)
        )
        demo = Member.objects.get(user__username=LOGINS["member"]).enterprise_id
        # A long tail: a few enterprises bring many petitions, most bring a few dozen.
        order = enterprises[:]
        rng.shuffle(order)
        order.remove(demo)
        order.insert(15, demo)
        self.enterprises = order
        self.enterprise_weights = [1 / (rank + 10) for rank in range(len(order))]
        self.rating_days = method_rules.current().rating_window
        with translation.override("zh-hans"):
            from django.utils.translation import gettext

            self.unrated_note = gettext("No rating within %(days)d working days.") % {
                "days": self.rating_days
            }
        # The review cycle's moments up to NOW, minus the periods left to `steps`.
        moments = []
        for day in self.cal.span(FIRST_DAY + timedelta(days=1), NOW.date()):
            if at(day, 8.5) <= NOW:
                moments.append((at(day, 8.5), "daily", day))
        monday = FIRST_DAY + timedelta(days=7 - FIRST_DAY.weekday())
        while at(monday, 8) <= NOW:
            if monday != STEP_DATES["weekly"]:
                moments.append((at(monday, 8), "weekly", monday))
            monday += timedelta(days=7)
        first = quarter_last(FIRST_DAY) + timedelta(days=1)
        while at(first, 7.5) <= NOW:
            if first != STEP_DATES["quarterly"]:
                moments.append((at(first, 7.5), "quarterly", first))
            first = (first + timedelta(days=95)).replace(day=1)
        moments.sort()
        self.moments = moments
        self.moment_times = [m[0] for m in moments]
        # weekly escalation cutoff of each Monday: due before it = overdue > 10 working days
        self.cutoff = {
            day: self.cal.before(day, 11)
            for _t, kind, day in moments
            if kind == "weekly"
        }
        self.next_day = {
            day: self.cal.add(day, 1) for _t, kind, day in moments if kind == "daily"
        }
        self.previous = {
            day: self.cal.before(day) for _t, kind, day in moments if kind == "daily"
        }
        self.rating_cutoff = {
            day: midnight(self.cal.before(day, self.rating_days))
            for _t, kind, day in moments
            if kind == "daily"
        }
        # what the simulated runs did, for their ReviewRun rows
        self.daily = defaultdict(lambda: defaultdict(list))
        self.escalations = []  # (run kind, run day, petition pk, reason, period, dep, age, overdue, at)


class Life:
    """One petition from intake to where it stands at NOW; `fields` are the Petition's."""

    def __init__(self, world: World, pk: int, number: str, created: datetime) -> None:
        self.w, self.rng = world, world.rng
        self.pk = pk
        self.t = created
        enterprise = self.rng.choices(world.enterprises, world.enterprise_weights)[0]
        members = world.members.get(enterprise, [])
        self.member = self.rng.choice(members) if members else (None, "")
        channel = pick(self.rng, CHANNELS)
        self.category = self.rng.choice(world.categories)
        topic = self.rng.choice(TOPICS[self.category.code])
        staff = self.rng.choice(world.staff)
        self.fields = {
            "id": pk,
            "number": number,
            "enterprise_id": enterprise,
            "submitted_by_id": self.member[0] if channel == "online" else staff,
            "contact_name": self.member[1] or "",
            "contact_phone": f"139{pk:08d}",
            "channel": channel,
            "title": f"关于{topic}的问题，{self.rng.choice(ASKS)}",
            "description": "".join(
                s.format(
                    n=self.rng.randrange(8, 400),
                    m=self.rng.randrange(20, 5000),
                    month=self.rng.randrange(1, 13),
                )
                for s in self.rng.sample(SENTENCES, self.rng.randrange(3, 6))
            ),
            "may_share_anonymously": self.rng.random() < 0.3,
            "category_id": self.category.pk if self.rng.random() < 0.75 else None,
            "priority": "urgent" if self.rng.random() < 0.1 else "normal",
            "handling": "",
            "status": "submitted",
            "department_id": None,
            "accepted_at": None,
            "dispatched_at": None,
            "due_on": None,
            "original_due_on": None,
            "paused_working_days": 0,
            "signed_at": None,
            "signed_by_id": None,
            "bounce_count": 0,
            "awaiting_triage_since": created,
            "triage_flagged_on": None,
            "supervised_on": None,
            "outcome": "",
            "department_reply": "",
            "follow_up_plan": "",
            "department_replied_at": None,
            "department_replied_by_id": None,
            "answer": "",
            "answered_at": None,
            "answer_round": 0,
            "solved": "",
            "rating": "",
            "rating_taken_by_id": None,
            "rating_comment": "",
            "rated_at": None,
            "merged_into_id": None,
            "closed_at": None,
            "created_at": created,
        }
        self.events = []
        self.escalated_dues = set()
        self.event(
            created,
            "status",
            to_status="submitted",
            actor=self.fields["submitted_by_id"],
            data={"channel": channel},
            public=True,
        )

    # - events and the review cycle between two steps -

    def event(
        self,
        t,
        kind,
        *,
        actor=None,
        note="",
        data=None,
        public=False,
        from_status="",
        to_status="",
    ):
        self.events.append(
            (self.pk, kind, from_status, to_status, actor, note, data or {}, public, t)
        )

    def move(self, t, to, *, actor, note="", data=None, public=True, **changes):
        old = self.fields["status"]
        self.fields.update(changes, status=to)
        self.event(
            t,
            "status",
            actor=actor,
            note=note,
            data=data,
            public=public,
            from_status=old,
            to_status=to,
        )

    def go(self, t: datetime) -> datetime:
        """Move the clock to `t`, doing what the review cycle did meanwhile; Stop past NOW."""
        w, f = self.w, self.fields
        first = bisect.bisect_right(w.moment_times, self.t)
        last = bisect.bisect_right(w.moment_times, min(t, NOW))
        for moment, kind, day in w.moments[first:last]:
            status = f["status"]
            waiting = (
                status in ("dispatched", "in_progress")
                and f["department_replied_at"] is None
            )
            if kind == "daily":
                stamp = moment + timedelta(seconds=5)
                if (
                    status == "submitted"
                    and f["triage_flagged_on"] is None
                    and f["awaiting_triage_since"] < midnight(w.previous[day])
                ):
                    f["triage_flagged_on"] = day
                    self.event(stamp, "triage_flag")
                    w.daily[day]["untriaged"].append(self.pk)
                if waiting and day < f["due_on"] <= w.next_day[day]:
                    self.event(
                        stamp, "reminder", data={"due_on": w.next_day[day].isoformat()}
                    )
                    w.daily[day]["due_next_working_day"].append(self.pk)
                if waiting and f["due_on"] < day and f["supervised_on"] is None:
                    f["supervised_on"] = day
                    self.event(stamp, "supervision")
                    w.daily[day]["newly_supervised"].append(self.pk)
                if status == "replied" and f["answered_at"] < w.rating_cutoff[day]:
                    self.move(
                        stamp,
                        "closed",
                        actor=None,
                        note=w.unrated_note,
                        data={"rating": "none"},
                        rating="none",
                        rated_at=stamp,
                        closed_at=stamp,
                    )
                    w.daily[day]["closed_without_rating"].append(self.pk)
                    self.t = stamp
                    raise Stop
            elif kind == "weekly":
                if (
                    waiting
                    and f["due_on"] < w.cutoff[day]
                    and f["due_on"] not in self.escalated_dues
                ):
                    self.escalated_dues.add(f["due_on"])
                    self.escalate(moment, "weekly", day, "overdue", f["due_on"])
            elif kind == "quarterly":
                quarter = quarter_first(day - timedelta(days=1))
                created = f["created_at"].date()
                if (
                    status not in ("closed", "rejected", "merged")
                    and quarter <= created < day
                ):
                    self.escalate(moment, "quarterly", day, "clearance", quarter)
        if t > NOW:
            raise Stop
        self.t = t
        return t

    def escalate(self, moment, run_kind, day, reason, period) -> None:
        f, cal = self.fields, self.w.cal
        stamp = moment + timedelta(seconds=3)
        age = cal.between(f["created_at"].date(), day)
        overdue = cal.between(f["due_on"], day) if f["due_on"] else 0
        self.w.escalations.append(
            (
                run_kind,
                day,
                self.pk,
                reason,
                period,
                f["department_id"],
                age,
                overdue,
                stamp,
            )
        )
        self.event(stamp, "escalation", data={"reason": reason})

    def later(self, wd: int) -> datetime:
        """The time of the next step, `wd` working days on (0: later the same working day)."""
        t, cal, rng = self.t, self.w.cal, self.rng
        if wd <= 0:
            nt = t + timedelta(minutes=rng.uniform(10, 240))
            if (
                nt.date() == t.date()
                and nt.hour < 18
                and t.date() == cal.on_or_after(t.date())
            ):
                return self.go(nt)
            wd = 1
        return self.go(at(cal.add(t.date(), wd), rng.uniform(8.6, 17.5)))

    # - the life -

    def live(self) -> None:
        with contextlib.suppress(Stop):
            self._live()

    def _live(self) -> None:
        rng = self.rng
        staff = rng.choice(self.w.staff)
        t = self.later(rng.choices([0, 1, 2, 3], [55, 35, 8, 2])[0])
        roll = rng.random()
        if roll < 0.03:
            reason = "经研究，该事项属于企业间民事纠纷，不属于工商联受理范围，建议通过司法途径解决。"
            self.move(
                t,
                "rejected",
                actor=staff,
                note=reason,
                answer=reason,
                answered_at=t,
                closed_at=t,
                answer_round=1,
            )
            return
        if roll < 0.05 and self.pk > 300:
            target = self.w.merge_target(self.pk)
            if target is not None:
                reason = f"该诉求与{target[1]}反映的是同一事项，合并办理。"
                self.move(
                    t,
                    "merged",
                    actor=staff,
                    note=reason,
                    data={"merged_into": target[1]},
                    merged_into_id=target[0],
                    answer=reason,
                    answered_at=t,
                    closed_at=t,
                    answer_round=1,
                )
                return
        chamber = rng.random() < (0.7 if self.category.code == "policy" else 0.15)
        self.accept(t, staff, "chamber" if chamber else "department")
        if chamber:
            self.chamber_answer(staff, first=True)
        else:
            self.department_round(staff, first=True)

    def accept(self, t, staff, handling) -> None:
        category = self.category
        self.move(
            t,
            "accepted",
            actor=staff,
            data={
                "category": category.name,
                "priority": self.fields["priority"],
                "handling": handling,
            },
            category_id=category.pk,
            handling=handling,
            accepted_at=t,
        )

    def limit(self) -> int:
        return (
            self.category.urgent_working_days
            if self.fields["priority"] == "urgent"
            else self.category.working_days
        )

    def pick_department(self, avoid=None) -> int:
        w, rng = self.w, self.rng
        choices = [w.departments[i].pk for i in DEPARTMENTS_FOR[self.category.code]]
        department = (
            rng.choice(choices) if rng.random() < 0.8 else rng.choice(w.departments).pk
        )
        if department == avoid:
            department = rng.choice([d.pk for d in w.departments if d.pk != avoid])
        return department

    def dispatch(self, staff, department) -> None:
        w = self.w
        t = self.later(self.rng.choice([0, 0, 1]))
        due = w.cal.add(t.date(), self.limit())
        name = next(d.name for d in w.departments if d.pk == department)
        self.move(
            t,
            "dispatched",
            actor=staff,
            data={
                "department": name,
                "department_id": department,
                "due_on": due.isoformat(),
            },
            department_id=department,
            dispatched_at=t,
            due_on=due,
            original_due_on=due,
            signed_at=None,
            signed_by_id=None,
            department_replied_at=None,
            supervised_on=None,
        )

    def reply_days(self) -> float:
        """Working days the department takes, from dispatch: mostly on time, a late tail."""
        rng, limit = self.rng, self.limit()
        roll = rng.random()
        if roll < 0.70:
            return rng.uniform(1, max(limit * 0.8, 1))
        if roll < 0.88:
            return rng.uniform(limit * 0.8, limit)
        if roll < 0.98:
            return limit + rng.uniform(1, 8)
        if roll < 0.997:
            return limit + rng.uniform(9, 40)
        return float("inf")  # never answered: the uncleared core

    def department_round(self, staff, *, first: bool) -> None:
        rng, f, w = self.rng, self.fields, self.w
        if first:
            department = self.pick_department()
            self.dispatch(staff, department)
            if rng.random() < 0.05:  # not this department's duty: back to triage
                liaison = w.liaison[department]
                t = self.later(rng.choice([0, 1, 2]))
                name = next(d.name for d in w.departments if d.pk == department)
                self.move(
                    t,
                    "submitted",
                    actor=liaison,
                    public=False,
                    note="经研究，该事项不属于本部门职责范围，建议转交相关部门办理。",
                    data={
                        "returned_by": name,
                        "returned_by_id": department,
                        "bounce": True,
                    },
                    department_id=None,
                    due_on=None,
                    signed_at=None,
                    signed_by_id=None,
                    handling="",
                    department_replied_at=None,
                    bounce_count=f["bounce_count"] + 1,
                    awaiting_triage_since=t,
                    triage_flagged_on=None,
                    supervised_on=None,
                )
                t = self.later(rng.choice([0, 1]))
                self.accept(t, staff, "department")
                department = self.pick_department(avoid=department)
                self.dispatch(staff, department)
            days = self.reply_days()
            liaison = w.liaison[f["department_id"]]
            sign = min(
                rng.choice([0, 0, 1, 1, 2]), int(days) if days != float("inf") else 2
            )
            if days == float("inf") and rng.random() < 0.3:
                self.go(NOW + timedelta(days=1))  # never even signed for
            t = self.later(sign)
            self.move(
                t, "in_progress", actor=liaison, signed_at=t, signed_by_id=liaison
            )
            if days == float("inf"):
                self.go(NOW + timedelta(days=1))
            remaining = max(int(round(days)) - sign, 0)
        else:
            liaison = w.liaison[f["department_id"]]
            remaining = rng.randrange(1, self.limit() + 3)
        if remaining >= 2 and rng.random() < 0.15:
            half = remaining // 2
            t = self.later(half)
            self.event(
                t,
                "progress",
                actor=liaison,
                note="已与企业对接，正在协调相关单位推进。",
                public=True,
            )
            remaining -= half
        outcome = pick(rng, [("resolved", 65), ("partly", 20), ("explained", 15)])
        self.department_reply(liaison, outcome, remaining)
        if rng.random() < 0.05:  # staff send the reply back once
            t = self.later(rng.choice([0, 1]))
            self.event(
                t,
                "review",
                actor=staff,
                note="答复内容过于笼统，请补充具体办理结果和时间。",
            )
            f["department_replied_at"] = None
            self.department_reply(liaison, outcome, rng.randrange(1, 4))
        t = self.later(rng.choice([0, 0, 1, 2]))
        self.answer(t, staff, f["due_on"])
        self.rate(staff, first)

    def department_reply(self, liaison, outcome, wd) -> None:
        t = self.later(wd)
        plan = "" if outcome == "resolved" else PLAN
        self.fields.update(
            outcome=outcome,
            department_reply=REPLIES[outcome],
            follow_up_plan=plan,
            department_replied_at=t,
            department_replied_by_id=liaison,
        )
        self.event(
            t,
            "department_reply",
            actor=liaison,
            note=REPLIES[outcome],
            data={"outcome": outcome, "follow_up_plan": plan},
        )

    def answer(self, t, staff, due) -> None:
        f = self.fields
        text = (
            f"您好！关于您反映的问题，{REPLIES[f['outcome']]}感谢您对工商联工作的支持。"
        )
        self.move(
            t,
            "replied",
            actor=staff,
            note=text,
            data={
                "outcome": f["outcome"],
                "department_id": f["department_id"],
                "due_on": due.isoformat(),
                "on_time": t.date() <= due,
            },
            answer=text,
            answered_at=t,
            answer_round=f["answer_round"] + 1,
            rating="",
            rating_comment="",
            rated_at=None,
        )

    def chamber_answer(self, staff, *, first: bool) -> None:
        rng, f = self.rng, self.fields
        due = self.w.cal.add(f["accepted_at"].date(), self.limit())
        t = self.later(rng.randrange(1, self.limit() + 3))
        f["outcome"] = pick(rng, [("resolved", 60), ("partly", 15), ("explained", 25)])
        self.answer(t, staff, due)
        self.rate(staff, first)

    def rate(self, staff, first: bool) -> None:
        rng, f = self.rng, self.fields
        if rng.random() >= (0.6 if first else 0.5):
            self.go(NOW + timedelta(days=1))  # no rating: the daily study closes it
        t = self.later(rng.choice([0, 1, 1, 2, 3, 4]))
        rating = pick(
            rng,
            [("satisfied", 55), ("basically", 30), ("unsatisfied", 15 if first else 0)],
        )
        actor = self.member[0]
        # The enterprise's word on 问题是否解决 goes with its satisfaction, mostly.
        solved = pick(
            rng,
            {
                "satisfied": [("solved", 85), ("partly", 15)],
                "basically": [("solved", 40), ("partly", 50), ("unsolved", 10)],
                "unsatisfied": [("partly", 30), ("unsolved", 70)],
            }[rating],
        )
        data = {"rating": rating, "solved": solved, "department_id": f["department_id"]}
        if rating != "unsatisfied":
            comment = rng.choice(COMMENTS)
            self.move(
                t,
                "closed",
                actor=actor,
                note=comment,
                data=data,
                rating=rating,
                solved=solved,
                rating_comment=comment,
                rated_at=t,
                closed_at=t,
            )
            return
        changes = {
            "rating": rating,
            "solved": solved,
            "rating_comment": UNSATISFIED,
            "rated_at": t,
            "department_replied_at": None,
        }
        if f["department_id"]:
            due = self.w.cal.add(t.date(), self.limit())
            self.move(
                t,
                "in_progress",
                actor=actor,
                note=UNSATISFIED,
                data={**data, "due_on": due.isoformat(), "reopened": True},
                due_on=due,
                supervised_on=None,
                **changes,
            )
            self.department_round(staff, first=False)
        else:
            self.move(
                t,
                "accepted",
                actor=actor,
                note=UNSATISFIED,
                data={**data, "reopened": True},
                **changes,
            )
            self.chamber_answer(staff, first=False)


def created_times(rng: random.Random, cal: Calendar, count: int) -> list[datetime]:
    """When the petitions came in: working days, office hours mostly, a little more each month."""
    days = cal.span(FIRST_DAY, LAST_DAY)
    weights = [1 + 0.5 * i / len(days) for i in range(len(days))]
    chosen = rng.choices(days, weights, k=count)
    times = [
        at(
            d,
            rng.choice(
                [rng.uniform(8, 17.5), rng.uniform(8, 17.5), rng.uniform(8, 21)]
            ),
        )
        for d in chosen
    ]
    return sorted(times)


def generate(count: int, seed: int) -> None:
    from django.apps import apps as django_apps
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from chamber.models import Department, Official, User
    from petitions import selectors
    from petitions.models import (
        Escalation,
        NumberSequence,
        Petition,
        PetitionEvent,
        ReviewRun,
    )

    started = time.perf_counter()
    if connection.settings_dict["NAME"] != DATABASE:
        raise SystemExit(f"generate writes only to the database {DATABASE}")
    # seed_demo's sixty petitions and the review runs it made for this week, this
    # month and last quarter would take the periods `steps` times: gone, with their
    # events (TRUNCATE, since the append-only trigger refuses DELETE on events), and
    # the demo's monthly topic, which names some of them.
    # Every table of the petitions app (its models and their many-to-many tables) but the
    # categories and rate targets, so a model added later is emptied too; CASCADE for the
    # rows of other apps that point at a petition.
    petitions_app = django_apps.get_app_config("petitions")
    kept = {"petitions_category", "petitions_ratetarget"}
    tables = sorted(
        {m._meta.db_table for m in petitions_app.get_models(include_auto_created=True)}
        - kept
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    # Every department a liaison (seed_demo leaves two without), and two more staff.
    for department in Department.objects.filter(is_active=True):
        if not Official.objects.filter(department=department, is_liaison=True).exists():
            user = User.objects.create(
                username=f"bench-liaison-{department.pk}",
                full_name=f"{department.short_name}联络员",
                email=f"bench-liaison-{department.pk}@example.com",
                password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
            )
            Official.objects.create(
                user=user, department=department, is_liaison=True, position="联络员"
            )
    for n in (1, 2):
        User.objects.get_or_create(
            username=f"bench-staff-{n}",
            defaults={
                "full_name": f"秘书{n}",
                "is_staff": True,
                "email": f"bench-staff-{n}@example.com",
                "password": f"{UNUSABLE_PASSWORD_PREFIX}bench",
            },
        )

    rng = random.Random(seed)
    world = World(rng)
    numbers = {}
    times = created_times(rng, world.cal, count)
    lives_index = []  # (pk, number) of petitions that may be merged into

    def merge_target(pk):
        candidates = lives_index[max(0, len(lives_index) - 300) :]
        return rng.choice(candidates) if candidates else None

    world.merge_target = merge_target
    fields = [f.attname for f in Petition._meta.concrete_fields]
    chunk, written_events, by_status = [], 0, defaultdict(int)
    created_by_day = []
    ended_at = []  # (pk, received, ended or None): the quarter warnings' uncleared lists

    def flush():
        nonlocal written_events
        with transaction.atomic():
            Petition.objects.bulk_create(
                [Petition(**life.fields) for life in chunk], batch_size=1000
            )
            events = [
                PetitionEvent(
                    petition_id=pk,
                    kind=kind,
                    from_status=fs,
                    to_status=ts,
                    actor_id=actor,
                    note=note,
                    data=data,
                    is_public=public,
                    created_at=t,
                )
                for life in chunk
                for pk, kind, fs, ts, actor, note, data, public, t in life.events
            ]
            PetitionEvent.objects.bulk_create(events, batch_size=2000)
        written_events += len(events)
        chunk.clear()

    for pk, created in enumerate(times, start=1):
        year = created.year
        numbers[year] = numbers.get(year, 0) + 1
        number = f"XS-{year}-{numbers[year]:04d}"
        life = Life(world, pk, number, created)
        life.live()
        assert set(life.fields) >= set(fields) - {
            "activity_id",
            "duty_log_entry_id",
            "duty_shift_id",
            "batch_id",
        }, life.fields
        if life.fields["status"] != "merged":
            lives_index.append((pk, number))
        by_status[life.fields["status"]] += 1
        created_by_day.append(created)
        ended_at.append((pk, created, life.fields["closed_at"]))
        chunk.append(life)
        if len(chunk) >= 5000:
            flush()
            print(
                f"  {pk} petitions, {written_events} events ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    if chunk:
        flush()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Petition]):
            cursor.execute(sql)
    for year, last in numbers.items():
        NumberSequence.objects.update_or_create(
            year=year, defaults={"last_number": last}
        )

    # The runs the review cycle made before NOW (their figures from the simulation).
    runs = []
    for day in world.cal.span(FIRST_DAY + timedelta(days=1), NOW.date()):
        if at(day, 8.5) > NOW:
            continue
        lists = world.daily.get(day, {})
        start, end = midnight(world.cal.before(day)), midnight(day)
        intake = list(
            range(
                bisect.bisect_left(created_by_day, start) + 1,
                bisect.bisect_left(created_by_day, end) + 1,
            )
        )
        report = {
            key: lists.get(key, [])
            for key in (
                "untriaged",
                "due_next_working_day",
                "newly_supervised",
                "closed_without_rating",
            )
        }
        report["intake"] = intake
        report["next_working_day"] = world.cal.add(day, 1).isoformat()
        stats = {
            key: len(value) for key, value in report.items() if isinstance(value, list)
        }
        runs.append(
            ReviewRun(
                kind="daily",
                period_start=day,
                period_end=day,
                stats=stats,
                report=report,
                started_at=at(day, 8.5),
                finished_at=at(day, 8.5) + timedelta(seconds=2),
            )
        )
    escalated = defaultdict(list)
    for run_kind, day, pk, *_rest in world.escalations:
        escalated[(run_kind, day)].append(pk)
    for moment, kind, day in world.moments:
        if kind == "weekly":
            pks = escalated.get(("weekly", day), [])
            runs.append(
                ReviewRun(
                    kind="weekly",
                    period_start=day,
                    period_end=day + timedelta(days=6),
                    stats={"escalated": len(pks)},
                    report={"escalated": pks, "departments": []},
                    started_at=moment,
                    finished_at=moment + timedelta(seconds=1),
                )
            )
        elif kind == "quarterly":
            first = quarter_first(day - timedelta(days=1))
            pks = escalated.get(("quarterly", day), [])
            runs.append(
                ReviewRun(
                    kind="quarterly",
                    period_start=first,
                    period_end=day - timedelta(days=1),
                    stats={"uncleared": len(pks)},
                    report={"uncleared": pks},
                    started_at=moment,
                    finished_at=moment + timedelta(seconds=5),
                )
            )
    first = quarter_first(FIRST_DAY)
    while first <= NOW.date():
        last = quarter_last(first)
        warn = last - timedelta(days=13)
        if warn < NOW.date() and warn != STEP_DATES["quarter_warning"]:
            moment = at(warn, 8.5)
            start, end = midnight(first), midnight(last + timedelta(days=1))
            # uncleared then: received in the quarter before that morning, not ended by it
            uncleared = [
                life_pk
                for life_pk, created, ended in ended_at
                if start <= created < min(end, moment)
                and (ended is None or ended > moment)
            ]
            runs.append(
                ReviewRun(
                    kind="quarter_warning",
                    period_start=first,
                    period_end=last,
                    stats={
                        "uncleared": len(uncleared),
                        "days_left": (last - warn).days + 1,
                    },
                    report={"uncleared": uncleared},
                    started_at=moment,
                    finished_at=moment + timedelta(seconds=1),
                )
            )
        first = last + timedelta(days=1)
    ReviewRun.objects.bulk_create(runs, batch_size=500)
    run_ids = {
        (kind, start): pk
        for pk, kind, start in ReviewRun.objects.values_list(
            "pk", "kind", "period_start"
        )
    }

    def run_of(kind, day):
        if kind == "weekly":
            return run_ids[("weekly", day)]
        return run_ids[("quarterly", quarter_first(day - timedelta(days=1)))]

    Escalation.objects.bulk_create(
        [
            Escalation(
                petition_id=pk,
                run_id=run_of(kind, day),
                reason=reason,
                period_start=period,
                department_id=dep,
                age_working_days=age,
                overdue_working_days=overdue,
                created_at=stamp,
            )
            for kind, day, pk, reason, period, dep, age, overdue, stamp in world.escalations
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # Stored monthly and quarterly reports, made by the real selector (as the steps would).
    reports_started = time.perf_counter()
    month = FIRST_DAY.replace(day=1)
    benched = (STEP_DATES["monthly"] - timedelta(days=1)).replace(day=1)
    monthly = []
    while month < benched:
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        t0 = time.perf_counter()
        report = selectors.period_report(first=month, last=last)
        monthly.append(time.perf_counter() - t0)
        moment = at(last + timedelta(days=1), 7)
        ReviewRun.objects.create(
            kind="monthly",
            period_start=month,
            period_end=last,
            stats=report["totals"],
            report=report,
            started_at=moment,
            finished_at=moment + timedelta(seconds=3),
        )
        month = last + timedelta(days=1)
    for run in ReviewRun.objects.filter(kind="quarterly"):
        summary = selectors.period_report(first=run.period_start, last=run.period_end)
        run.stats = {**summary["totals"], **run.stats}
        run.report = {**summary, **run.report}
        run.save(update_fields=["stats", "report"])
    reports_time = time.perf_counter() - reports_started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    events = PetitionEvent.objects.count()
    print(
        f"{count} petitions ({', '.join(f'{k} {v}' for k, v in sorted(by_status.items()))}), "
        f"{events} events ({events / count:.2f} a petition), "
        f"{Escalation.objects.count()} escalations, {ReviewRun.objects.count()} review runs; "
        f"{len(world.enterprises)} enterprises, {len(world.departments)} departments with liaisons; "
        f"{time.perf_counter() - started:.0f} s, of which {reports_time:.0f} s for "
        f"{len(monthly)} monthly and 6 quarterly reports "
        f"(period_report of a month: median {statistics.median(monthly) * 1000:.0f} ms)"
    )


# --- the review steps -----------------------------------------------------------------


class CacheCalls:
    """Counts and times the calls to the default cache (Redis) while in the block."""

    METHODS = (
        "get",
        "set",
        "add",
        "delete",
        "get_many",
        "set_many",
        "incr",
        "touch",
        "has_key",
    )

    def __enter__(self):
        from django.core.cache import caches

        self.backend = caches["default"]
        self.count, self.seconds = 0, 0.0
        for name in self.METHODS:
            original = getattr(self.backend, name)

            def counted(*args, _original=original, **kwargs):
                self.count += 1
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - started

            setattr(self.backend, name, counted)
        return self

    def __exit__(self, *exc):
        for name in self.METHODS:
            delattr(self.backend, name)


class QueryTimer:
    """Times each query with perf_counter (CaptureQueriesContext rounds to the millisecond)."""

    def __init__(self) -> None:
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not sql.startswith(SAVEPOINTS):
                self.queries.append((time.perf_counter() - started, sql, params))

    def __enter__(self):
        from django.db import connection

        self.wrapped = connection.execute_wrapper(self)
        self.wrapped.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapped.__exit__(*exc)

    @property
    def ms(self) -> float:
        return round(sum(t for t, _sql, _p in self.queries) * 1000, 2)

    def slowest(self, n: int = 3) -> list[dict]:
        """The n slowest queries, with their parameters (for EXPLAIN ANALYZE)."""
        from django.db import connection

        found = []
        for took, sql, params in sorted(self.queries, key=lambda q: q[0], reverse=True)[
            :n
        ]:
            try:
                with connection.cursor() as cursor:
                    text = cursor.mogrify(sql, params).decode()
            except Exception:  # noqa: BLE001 - a query the driver cannot render again
                text = sql
            # bulk inserts and long id lists run to megabytes: their start is enough
            found.append({"ms": round(took * 1000, 2), "sql": text[:SQL_KEPT]})
        return found


SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")
SQL_KEPT = 4000


def sql_count(captured) -> int:
    return sum(1 for q in captured if not q["sql"].startswith(SAVEPOINTS))


def time_step(kind: str, on: date, *, commit: bool) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from petitions import review

    step = {
        "daily": review.run_daily_study,
        "weekly": review.run_weekly_dispatch,
        "monthly": review.run_monthly_summary,
        "quarterly": review.run_quarterly_clearance,
        "quarter_warning": review.run_quarter_warning,
    }[kind]
    with (
        CacheCalls() as cache_calls,
        CaptureQueriesContext(connection) as captured,
        QueryTimer() as timer,
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        if commit:
            run = step(on=on)
        else:
            with transaction.atomic():
                run = step(on=on)
                transaction.set_rollback(True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "wall_ms": round(wall * 1000, 1),
        "cpu_ms": round(cpu * 1000, 1),
        "sql_ms": timer.ms,
        "queries": sql_count(captured.captured_queries),
        "cache_calls": cache_calls.count,
        "cache_ms": round(cache_calls.seconds * 1000, 2),
        "stats": run.stats if run else None,
        "period": [run.period_start.isoformat(), run.period_end.isoformat()]
        if run
        else None,
        "slowest": timer.slowest(),
    }


def steps(repeat: int) -> dict:
    from django.db import connection

    from petitions.models import Escalation, PetitionEvent

    plan = [(kind, on, True) for kind, on in STEP_DATES.items()] + [
        (k, on, False) for k, on in EXTRA_STEPS
    ]
    rows = []
    for kind, on, then_commit in plan:
        tries = [time_step(kind, on, commit=False) for _ in range(repeat)]
        row = {
            "step": kind,
            "on": on.isoformat(),
            "rolled_back": tries,
            "median_ms": statistics.median(t["wall_ms"] for t in tries),
            "min_ms": min(t["wall_ms"] for t in tries),
            "max_ms": max(t["wall_ms"] for t in tries),
        }
        if then_commit:
            before = (PetitionEvent.objects.count(), Escalation.objects.count())
            row["committed"] = time_step(kind, on, commit=True)
            row["events_written"] = PetitionEvent.objects.count() - before[0]
            row["escalations_written"] = Escalation.objects.count() - before[1]
        rows.append(row)
        last = row.get("committed") or tries[-1]
        print(
            f"  {kind:<16} {on}  median {row['median_ms']:8.1f} ms (min {row['min_ms']:.1f}, "
            f"max {row['max_ms']:.1f}) rolled back; "
            + (
                f"committed {row['committed']['wall_ms']:.1f} ms; "
                if then_commit
                else ""
            )
            + f"{last['queries']} queries, {last['cache_calls']} cache calls "
            + f"({last['cache_ms']:.1f} ms), "
            f"sql {last['sql_ms']:.1f} ms; stats {last['stats']}",
            file=sys.stderr,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"repeat": repeat, "steps": rows}


# --- the pages --------------------------------------------------------------------------


PAGES = [
    # (path, role, kind): kind "member" pages must reach the house standard; "info" pages are reported
    (BASELINE, "anonymous", "baseline"),
    (BASELINE, "staff", "probe"),
    ("/petitions/staff/", "staff", "info"),
    ("/petitions/staff/all/", "staff", "info"),
    ("/petitions/staff/all/?status=open", "staff", "info"),
    ("/petitions/staff/all/?q={search}", "staff", "info"),
    ("/petitions/staff/{staff_petition}/", "staff", "info"),
    ("/petitions/department/", "official", "info"),
    ("/petitions/department/{department_petition}/", "official", "info"),
    ("/petitions/", "member", "member"),
    ("/petitions/escalations/", "staff", "info"),
    ("/petitions/escalations/{escalated}/", "leader", "info"),
    ("/petitions/reports/", "leader", "info"),
    ("/petitions/reports/{monthly}/", "leader", "info"),
    ("/petitions/reports/{quarterly}/", "leader", "info"),
    ("/staff/", "staff", "info"),
    ("/staff/outbox/", "staff", "info"),
    ("/petitions/leader/", "leader", "info"),
]
# The staff list's search: two characters of a generated title (TOPICS), as staff type them.
SEARCH = "用地"


def host() -> str:
    """A name of ALLOWED_HOSTS for the test Client (as bench/queries.py)."""
    from django.conf import settings

    for name in settings.ALLOWED_HOSTS:
        if name and not name.startswith((".", "*", "[")):
            return name
    return "testserver"


def resolve_pages() -> list[dict]:
    from petitions.models import ReviewRun

    # the runs `steps` committed: the October summary and the Q3 clear-to-zero
    last = STEP_DATES["monthly"].replace(day=1) - timedelta(days=1)
    runs = {
        "monthly": ReviewRun.objects.get(
            kind="monthly", period_start=last.replace(day=1)
        ).pk,
        "quarterly": ReviewRun.objects.get(
            kind="quarterly",
            period_start=quarter_first(STEP_DATES["quarterly"] - timedelta(days=1)),
        ).pk,
    }
    from django.db.models import Count

    from chamber.models import Official
    from petitions.models import Escalation, Petition

    department = Official.objects.get(user__username=LOGINS["official"]).department_id

    def busiest(petitions):
        """The open petition with the most events: the longest page of its kind."""
        return (
            petitions.open()
            .annotate(n=Count("events"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)
            .first()
        )

    runs["staff_petition"] = busiest(Petition.objects.all())
    runs["department_petition"] = busiest(
        Petition.objects.filter(
            department_id=department, status__in=Petition.WITH_DEPARTMENT
        )
    )
    runs["escalated"] = busiest(
        Petition.objects.filter(pk__in=Escalation.objects.values("petition_id"))
    )
    runs["search"] = SEARCH
    return [
        {
            "path": path.format(**runs),
            "url": quote(path.format(**runs), safe="/?=&%"),
            "role": role,
            "kind": kind,
        }
        for path, role, kind in PAGES
    ]


def scale() -> dict:
    from django.utils import timezone

    from chamber.models import Department
    from members.models import Enterprise, Member
    from petitions import selectors
    from petitions.models import Escalation, Petition, PetitionEvent

    member = Member.objects.get(user__username=LOGINS["member"])
    from chamber.models import Official

    official = Official.objects.get(user__username=LOGINS["official"])
    today = timezone.localdate()
    queue = selectors.department_queue(department_id=official.department_id, on=today)
    board = selectors.triage_board(on=today)
    return {
        "petitions": Petition.objects.count(),
        "open": Petition.objects.open().count(),
        "events": PetitionEvent.objects.count(),
        "escalations": Escalation.objects.count(),
        "open_escalations": selectors.escalations().count(),
        "enterprises": Enterprise.objects.count(),
        "departments": Department.objects.count(),
        "member_enterprise_petitions": Petition.objects.filter(
            enterprise_id=member.enterprise_id
        ).count(),
        "official_queue": {k: len(v) for k, v in queue.items()},
        "triage_board": {k: v["count"] for k, v in board.items()},
    }


def pages(
    repeat: int,
    *,
    resolved: list[dict] | None = None,
    logins: dict | None = None,
    sizes=None,
) -> tuple[dict, dict]:
    """Queries, SQL and cache time of each page, then `repeat` serial requests in-process;
    the pages, logins and data sizes default to this benchmark's (bench/publicity.py
    passes its own)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    resolved = resolve_pages() if resolved is None else resolved
    logins = LOGINS if logins is None else logins
    users = get_user_model().objects
    rows = []
    for page in resolved:
        client = Client(HTTP_HOST=host())
        if page["role"] != "anonymous":
            client.force_login(users.get(username=logins[page["role"]]))
        client.get(page["url"], secure=True)
        with (
            CacheCalls() as cache_calls,
            CaptureQueriesContext(connection) as captured,
            QueryTimer() as timer,
        ):
            response = client.get(page["url"], secure=True)
        row = {
            **page,
            "status": response.status_code,
            "bytes": len(response.content),
            # the pieces the response is made of: a WSGI server writes each one apart
            "chunks": len(getattr(response, "_container", [])),
            "queries": sql_count(captured.captured_queries),
            "sql_ms": timer.ms,
            "cache_calls": cache_calls.count,
            "cache_ms": round(cache_calls.seconds * 1000, 2),
            "slowest": timer.slowest(),
            "sql": [q["sql"] for q in captured.captured_queries],
        }
        walls, cpus = [], []
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(page["url"], secure=True)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        if repeat:
            row["serial_wall_ms"] = round(statistics.median(walls) * 1000, 2)
            row["serial_cpu_ms"] = round(statistics.median(cpus) * 1000, 2)
        # The same with the cache emptied before each request: the pages keep their
        # lists under the data's version (petitions.selectors.data_version), so this is
        # what a request pays after a petition moved (the session is read from the
        # database again too: one query more than a real first request).
        colds = []
        for _ in range(min(repeat, 10)):
            cache.clear()
            wall = time.perf_counter()
            client.get(page["url"], secure=True)
            colds.append(time.perf_counter() - wall)
        if colds:
            row["cold_wall_ms"] = round(statistics.median(colds) * 1000, 2)
        rows.append(row)
        print(
            f"  {page['path']:<36} {page['role']:<9} {row['status']} {row['queries']:>3} queries "
            f"({row['sql_ms']:.1f} ms SQL), {row['cache_calls']} cache calls "
            f"({row['cache_ms']:.1f} ms), {row['bytes']:>7} bytes, "
            f"1 req {row.get('serial_wall_ms', 0):.1f} ms, "
            f"cold {row.get('cold_wall_ms', 0):.1f} ms",
            file=sys.stderr,
        )

    def cookie(username):
        client = Client()
        client.force_login(users.get(username=username))
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    sessions = {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "cookies": {role: cookie(name) for role, name in logins.items()},
        "logins": logins,
        "pages": resolved,
    }
    return {"scale": (sizes or scale)(), "repeat": repeat, "pages": rows}, sessions


# --- load -----------------------------------------------------------------------------------


def load(args) -> dict:
    """wrk on each page through bench/load.py; our database counts as the benchmark's."""
    from datetime import datetime as wall_clock

    from bench import load as driver

    # bench/load.py may give staff pages a run of their own length; here every page
    # runs as long as the others unless told.
    for name, default in (
        ("duration_info", args.duration),
        ("warmup_info", args.warmup),
    ):
        if getattr(args, name, None) is None:
            setattr(args, name, default)
    original = driver.postgres_database

    def database(pid):
        name = original(pid)
        if name == DATABASE:
            return "bench"
        return "other-bench" if name == "bench" else name

    driver.postgres_database = database
    sessions = json.loads(Path(args.sessions).read_text(encoding="utf-8"))
    queries = {}
    if args.queries and Path(args.queries).exists():
        data = json.loads(Path(args.queries).read_text(encoding="utf-8"))
        queries = {(p["path"], p["role"]): p for p in data["pages"]}
    pages_ = sessions["pages"]
    baseline = next(p for p in pages_ if p["kind"] == "baseline")
    started = wall_clock.now().astimezone()
    rows = [{**driver.run_page(args, sessions, baseline), "when": "start"}]
    rows += [
        driver.run_page(args, sessions, p) for p in pages_ if p["kind"] != "baseline"
    ]
    rows.append({**driver.run_page(args, sessions, baseline), "when": "end"})
    measured = [r for r in rows if r["kind"] == "baseline" and "rps" in r]
    used = [r for r in measured if r["cpu"]["other"] <= args.max_other] or measured
    reference = sum(r["rps"] for r in used) / len(used) if used else None
    base_cpu = sum(r["serving_cpu_ms"] for r in used) / len(used) if used else None
    for row in measured:
        row["in_reference"] = row in used
    for row in rows:
        counted = queries.get((row["path"], row["role"]), {})
        for key in (
            "queries",
            "sql_ms",
            "cache_calls",
            "cache_ms",
            "serial_wall_ms",
            "serial_cpu_ms",
            "cold_wall_ms",
            "bytes",
        ):
            if key in counted:
                row[key] = counted[key]
        if reference and "rps" in row:
            row["ratio"] = row["rps"] / reference
        if base_cpu and row.get("serving_cpu_ms"):
            row["cpu_ratio"] = base_cpu / row["serving_cpu_ms"]
        row["result"] = driver.verdict(row)
        row.pop("wrk_output", None)
    return {
        "date": started.isoformat(timespec="seconds"),
        "command": "bash bench/petitions.sh",
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        "target": {"min_ratio": driver.MIN_RATIO, "max_p99_ms": driver.MAX_P99_MS},
        "baseline_rps": reference,
        "baseline_serving_cpu_ms": base_cpu,
        "machine": driver.versions(args),
        "pages": rows,
    }


# --- report -----------------------------------------------------------------------------


def fmt(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def report(path: Path) -> None:
    """The tables of docs/performance.md from a results file."""
    run = json.loads(path.read_text(encoding="utf-8"))
    if "steps" in run:
        print(
            "| step | on | period | ms, median (min) of rolled-back runs | ms, committed "
            "| queries | cache calls (ms) | SQL ms | written |"
        )
        print("|---|---|---|--:|--:|--:|--:|--:|---|")
        for row in run["steps"]["steps"]:
            last = row.get("committed") or row["rolled_back"][-1]
            period = "–" if not last["period"] else " – ".join(last["period"])
            written = (
                f"{row['events_written']} events, {row['escalations_written']} escalations"
                if "committed" in row
                else "(rolled back only)"
            )
            committed = row.get("committed", {}).get("wall_ms")
            print(
                f"| {row['step']} | {row['on']} | {period} "
                f"| {row['median_ms']:,.0f} ({row['min_ms']:,.0f}) "
                f"| {fmt(committed, ',.0f')} | {last['queries']} "
                f"| {last['cache_calls']} ({last.get('cache_ms', 0):.1f}) "
                f"| {last['sql_ms']:,.1f} | {written} |"
            )
        print()
    if "load" in run:
        load_ = run["load"]
        print(
            f"baseline {load_['baseline_rps']:,.0f} req/s, "
            f"{fmt(load_['baseline_serving_cpu_ms'], '.2f')} ms CPU/req"
        )
        print()
        print(
            "| page | as | req/s | ratio | p50 ms | p99 ms | queries | SQL ms "
            "| cache calls | 1 req ms | cold ms | CPU ms/req | CPU ratio | other | result |"
        )
        print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for row in load_["pages"]:
            label = row["path"] + (f" ({row['when']})" if row.get("when") else "")
            if row["kind"] == "probe":
                label += " (probe)"
            print(
                f"| `{label}` | {row['role']} | {fmt(row.get('rps'), ',.0f')} "
                f"| {fmt(row.get('ratio'), '.3f')} "
                f"| {fmt(row.get('p50_ms'), '.1f')} | {fmt(row.get('p99_ms'), '.1f')} "
                f"| {fmt(row.get('queries'), 'd')} | {fmt(row.get('sql_ms'), '.1f')} "
                f"| {fmt(row.get('cache_calls'), 'd')} "
                f"| {fmt(row.get('serial_wall_ms'), '.1f')} "
                f"| {fmt(row.get('cold_wall_ms'), '.1f')} "
                f"| {fmt(row.get('serving_cpu_ms'), '.2f')} "
                f"| {fmt(row.get('cpu_ratio'), '.3f')} "
                f"| {fmt(row.get('cpu', {}).get('other'), '.2f')} | **{row['result']}** |"
            )


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--petitions", type=int, default=50_000)
    g.add_argument("--seed", type=int, default=8)
    s = sub.add_parser("steps")
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--out", type=Path)
    p = sub.add_parser("pages")
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--out", type=Path)
    p.add_argument("--sessions", type=Path)
    ld = sub.add_parser("load")
    ld.add_argument("--base", required=True)
    ld.add_argument("--sessions", type=Path, required=True)
    ld.add_argument("--queries", type=Path)
    ld.add_argument("--steps", type=Path, help="steps JSON, merged into --out")
    ld.add_argument("--out", type=Path)
    ld.add_argument("--threads", type=int, default=2)
    ld.add_argument("--connections", type=int, default=8)
    ld.add_argument("--duration", type=int, default=10)
    ld.add_argument("--warmup", type=int, default=2)
    ld.add_argument("--server-pid", type=int)
    ld.add_argument("--attempts", type=int, default=3)
    ld.add_argument("--max-other", type=float, default=0.2)
    r = sub.add_parser("report")
    r.add_argument(
        "path", type=Path, nargs="?", default=ROOT / "bench/results/petitions.json"
    )
    args = parser.parse_args()

    if args.command == "load":
        args.base = args.base.rstrip("/")
        result = {"load": load(args)}
        if args.steps and args.steps.exists():
            result["steps"] = json.loads(args.steps.read_text(encoding="utf-8"))
        if args.queries and args.queries.exists():
            result["queries"] = json.loads(args.queries.read_text(encoding="utf-8"))
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(
                json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
            report(args.out)
        return
    if args.command == "report":
        report(args.path)
        return

    setup_django()
    configure(datetime.now(TZ).date())
    if args.command == "generate":
        generate(args.petitions, args.seed)
    elif args.command == "steps":
        result = steps(args.repeat)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(
                json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
    elif args.command == "pages":
        result, sessions = pages(args.repeat)
        print(json.dumps(result["scale"], ensure_ascii=False), file=sys.stderr)
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(
                json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n",
                encoding="utf-8",
            )
        if args.sessions:
            args.sessions.write_text(
                json.dumps(sessions, ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )


if __name__ == "__main__":
    main()
