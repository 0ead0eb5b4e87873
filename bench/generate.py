"""Benchmark data: the demo district, then N times more enterprises and members.

    .venv/bin/python bench/generate.py --scale 12      # on the database in DATABASE_URL

Migrates, runs `seed_demo --force`, then adds 30 × N enterprises and 40 × N members
(the demo's own 30 and 40, times N) with bulk_create, so list pages are measured at a
realistic size: the default scale 12 gives 390 enterprises and 520 members. The rows
are deterministic (the same scale gives the same names, codes and numbers), and a
second run at the same scale adds nothing. Benchmark logins cannot log in (unusable
passwords); the demo logins of seed_demo are the ones the load run uses.
"""

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chamber.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from chamber.models import User  # noqa: E402
from members.credit_code import check_character  # noqa: E402
from members.models import (  # noqa: E402
    Area,
    ChamberTitle,
    Enterprise,
    Industry,
    Member,
    TitleTerm,
)

DEMO_ENTERPRISES = 30
DEMO_MEMBERS = 40
USERNAME_PREFIX = "bench-"
TZ = ZoneInfo("Asia/Shanghai")

AREAS = [Area.XISHI, Area.COASTAL, Area.FTZ]
DIVISION = {Area.XISHI: "210803", Area.COASTAL: "210804", Area.FTZ: "210800"}
# Most member enterprises are registered in Yingkou; some elsewhere in the province.
CITIES = [
    "营口",
    "营口",
    "营口",
    "营口",
    "辽宁",
    "营口",
    "营口",
    "大连",
    "营口",
    "沈阳",
]
TRADE_NAMES = [
    "鑫源",
    "华信",
    "宏达",
    "恒泰",
    "金港",
    "顺通",
    "利民",
    "瑞丰",
    "东升",
    "海晟",
    "盛世",
    "永安",
    "汇通",
    "兴业",
    "长城",
    "天成",
    "富华",
    "嘉禾",
    "中联",
    "昌盛",
    "旭日",
    "德润",
    "博远",
    "新港",
    "北辰",
    "和美",
    "凯达",
    "锦程",
    "万隆",
    "福瑞",
]
TRADES = {
    "装备制造": ["机械制造", "重工", "精密机械", "阀门", "汽车配件"],
    "新材料": ["新材料科技", "镁业", "化工材料", "耐火材料", "环保材料"],
    "商贸流通": ["商贸", "贸易", "超市连锁", "电子商务", "进出口"],
    "文化旅游": ["文化旅游", "文化传媒", "旅行社", "影视文化", "会展服务"],
    "现代物流": ["物流", "供应链管理", "冷链物流", "货运代理", "仓储服务"],
    "建筑地产": ["建筑工程", "房地产开发", "装饰工程", "市政工程", "建材"],
    "餐饮服务": ["餐饮管理", "酒店管理", "食品", "家政服务", "物业服务"],
    "信息技术": ["信息技术", "软件开发", "网络科技", "数据服务", "智能科技"],
}
STREETS = ["渤海大街", "辽河大街", "新兴大街", "得胜街", "建设街", "胜利路", "港城路"]
SIZES = ["micro", "small", "small", "medium", "medium", "large"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯鑫晨阳建国海波东林峰辉"
POSITIONS = ["董事长", "总经理", "副总经理", "执行董事", "财务总监", "办公室主任"]
LEGAL_SURNAMES = SURNAMES[:40]


def credit_code(n: int, area: str) -> str:
    """A valid code of its own series ("MB…"), apart from the demo's ("MA0…")."""
    first17 = f"91{DIVISION[area]}MB{n:07d}"
    return first17 + check_character(first17)


def person_name(n: int) -> str:
    surname = SURNAMES[(n * 7) % len(SURNAMES)]
    given = GIVEN[(n * 13 + 5) % len(GIVEN)]
    if n % 3:  # two of three have a two-character given name
        given += GIVEN[(n * 31 + 11) % len(GIVEN)]
    return surname + given


def enterprise_name(n: int, industry: str) -> str:
    trades = TRADES[industry]
    trade_name = TRADE_NAMES[(n * 11) % len(TRADE_NAMES)]
    trade = trades[(n // len(TRADE_NAMES)) % len(trades)]
    return f"{CITIES[n % len(CITIES)]}{trade_name}{trade}有限公司"


def enterprises(scale: int, industries: list[Industry]) -> list[Enterprise]:
    rows, seen = [], set()
    for n in range(1, DEMO_ENTERPRISES * scale + 1):
        industry = industries[(n * 3) % len(industries)]
        area = AREAS[n % 3]
        status = Enterprise.Status.ACTIVE
        if n % 37 == 0:
            status = Enterprise.Status.LEFT
        elif n % 53 == 0:
            status = Enterprise.Status.SUSPENDED
        name = base = enterprise_name(n, industry.name)
        branch = 1
        while name in seen:  # the same name twice: a branch office (分公司)
            name, branch = f"{base}第{branch}分公司", branch + 1
        seen.add(name)
        rows.append(
            Enterprise(
                name=name,
                credit_code=credit_code(n, area),
                industry=industry,
                area=area,
                address=f"{Area(area).label}{STREETS[n % len(STREETS)]}{n % 200 + 1}号",
                legal_representative=person_name(n + 100_000),
                size=SIZES[n % len(SIZES)],
                phone=f"0417-{3000000 + n:07d}",
                introduction=(
                    f"{name}是西市区工商联会员企业，主营{industry.name}，"
                    f"{n % 20 + 3}年来扎根营口，服务本地客户。"
                ),
                status=status,
                joined_on=date(2015 + n % 10, 1 + n % 12, 1 + n % 28),
                created_at=datetime(2024, 1, 1, 9, 0, tzinfo=TZ),
            )
        )
    return rows


def users(scale: int) -> list[User]:
    return [
        User(
            username=f"{USERNAME_PREFIX}{n:05d}",
            full_name=person_name(n),
            email=f"{USERNAME_PREFIX}{n:05d}@example.com",
            password=f"{UNUSABLE_PASSWORD_PREFIX}bench",
            is_active=n % 61 != 0,
            date_joined=datetime(2024, 1, 1, 9, 0, tzinfo=TZ),
        )
        for n in range(1, DEMO_MEMBERS * scale + 1)
    ]


def generate(scale: int) -> tuple[int, int]:
    """Add what is missing at this scale; returns (enterprises, members) created."""
    industries = list(Industry.objects.order_by("sort_order", "name"))
    if not industries:
        raise SystemExit("no industries: seed_demo did not run")
    wanted_enterprises = enterprises(scale, industries)
    have_codes = set(
        Enterprise.objects.filter(
            credit_code__in=[e.credit_code for e in wanted_enterprises]
        ).values_list("credit_code", flat=True)
    )
    Enterprise.objects.bulk_create(
        [e for e in wanted_enterprises if e.credit_code not in have_codes],
        batch_size=500,
    )
    by_code = {
        e.credit_code: e
        for e in Enterprise.objects.filter(
            credit_code__in=[e.credit_code for e in wanted_enterprises]
        )
    }
    ordered = [by_code[e.credit_code] for e in wanted_enterprises]

    wanted_users = users(scale)
    have_names = set(
        User.objects.filter(username__startswith=USERNAME_PREFIX).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create(
        [u for u in wanted_users if u.username not in have_names], batch_size=500
    )
    by_username = {
        u.username: u for u in User.objects.filter(username__startswith=USERNAME_PREFIX)
    }
    have_members = set(
        Member.objects.filter(user__username__startswith=USERNAME_PREFIX).values_list(
            "user__username", flat=True
        )
    )
    new_members = []
    for n, wanted in enumerate(wanted_users, start=1):
        if wanted.username in have_members:
            continue
        # One to three members per enterprise, unevenly, like the real chamber.
        enterprise = ordered[(n * 7) % len(ordered)]
        new_members.append(
            Member(
                user=by_username[wanted.username],
                enterprise=enterprise,
                position=POSITIONS[n % len(POSITIONS)],
                mobile=f"13{n % 7 + 3}{n:08d}",
                show_phone=n % 2 == 0,
                show_email=n % 3 == 0,
                created_at=datetime(2024, 1, 1, 9, 0, tzinfo=TZ),
            )
        )
    created_members = Member.objects.bulk_create(new_members, batch_size=500)

    # Titles: a few vice-presidents, more standing directors and directors, for this term.
    titles = {t.name: t for t in ChamberTitle.objects.all()}
    year = timezone.localdate().year
    terms = []
    for member in created_members:
        n = int(member.user.username.removeprefix(USERNAME_PREFIX))
        name = None
        if n % 40 == 0:
            name = "副会长"
        elif n % 25 == 0:
            name = "常务理事"
        elif n % 8 == 0:
            name = "理事"
        if name and name in titles:
            terms.append(
                TitleTerm(
                    member=member,
                    title=titles[name],
                    starts_on=date(year - 1, 1, 1),
                    ends_on=date(year + 3, 12, 31),
                )
            )
    TitleTerm.objects.bulk_create(terms, batch_size=500)
    return len(wanted_enterprises) - len(have_codes), len(created_members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=int,
        default=12,
        help="add 30×N enterprises and 40×N members (default 12: ~500 members)",
    )
    args = parser.parse_args()
    if args.scale < 0:
        parser.error("--scale must be 0 or more")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", force=True)
    with transaction.atomic():
        new_enterprises, new_members = generate(args.scale)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # plans as on a database that has lived a while
    print(
        f"scale {args.scale}: +{new_enterprises} enterprises, +{new_members} members; "
        f"now {Enterprise.objects.count()} enterprises, {Member.objects.count()} members "
        f"({Member.objects.in_directory().count()} in the directory), "
        f"{TitleTerm.objects.count()} title terms"
    )


if __name__ == "__main__":
    main()
