"""Demo data of the chamber app: government departments, the staff, an official and a leader."""

import functools

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from chamber.models import Department, Official, User
from chamber.roles import sync_secretariat_group

# name, short name, office phone, what it handles
DEPARTMENTS = [
    ("西市区教育局", "教育局", "0417-2811001", "学校、校外培训与教育项目"),
    ("西市区发展和改革局", "发改局", "0417-2811002", "项目立项、产业政策与营商环境"),
    (
        "西市区住房和城乡建设局",
        "住建局",
        "0417-2811003",
        "工程建设审批、施工许可与城建配套",
    ),
    (
        "西市区市场监督管理局",
        "市场监管局",
        "0417-2811004",
        "登记注册、质量与食品安全、知识产权",
    ),
    (
        "西市区人力资源和社会保障局",
        "人社局",
        "0417-2811005",
        "用工招聘、社保与职业培训补贴",
    ),
    ("西市区财政局", "财政局", "0417-2811006", "财政奖补资金与惠企资金拨付"),
    ("西市区商务局", "商务局", "0417-2811007", "商贸流通、招商引资与外贸"),
    (
        "中共西市区委统战部",
        "统战部",
        "0417-2811008",
        "民营经济人士联络与代表人士工作室",
    ),
]

# username, full name, department index, position, liaison
OFFICIALS = [
    ("demo-official", "李科长", 0, "办公室主任", True),
    ("official-fgj", "陈立新", 1, "综合科科长", True),
    ("official-zjj", "杨海涛", 2, "建筑市场科科长", True),
    ("official-scj", "刘慧", 3, "登记注册科科长", True),
    ("official-rsj", "何文静", 4, "就业科科长", True),
    ("official-swj", "张宏", 6, "商贸科科长", True),
    ("official-jyj2", "吴娜", 0, "职成科副科长", False),
]


def demo_user(*, username: str, full_name: str, password: str, **extra) -> User:
    """The demo login, created once; a second run leaves it (and its password hash) as it is."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "email": f"{username}@example.com", **extra},
    )
    if created:
        user.password = _demo_hash(password)
        user.save(update_fields=["password"])
    return user


def demo_mobile(number: str) -> dict:
    """A demo login's mobile, verified: its SMS (codes to log in, notices) are written
    to var/sms/ in `make run`."""
    return {"mobile": number, "mobile_verified_at": timezone.now()}


@functools.cache
def _demo_hash(password: str) -> str:
    """One salted hash for the demo password, shared by every demo login: a slow hasher
    costs 0.1-0.2 s a call, and the demo has about fifty logins."""
    return make_password(password)


def seed(*, password: str) -> None:
    departments = []
    for order, (name, short, phone, duties) in enumerate(DEPARTMENTS, start=1):
        department, _ = Department.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short,
                "sort_order": order,
                "phone": phone,
                "duties": duties,
            },
        )
        departments.append(department)

    # demo-staff handles petitions, told of each event at once (the admin changes it).
    staff = demo_user(
        username="demo-staff",
        full_name="王秘书",
        password=password,
        is_staff=True,
        handles_petitions=True,
        **demo_mobile("13800000001"),
    )
    staff.groups.add(sync_secretariat_group())

    for n, (username, full_name, index, position, liaison) in enumerate(OFFICIALS):
        user = demo_user(
            username=username,
            full_name=full_name,
            password=password,
            **(demo_mobile("13800000002") if username == "demo-official" else {}),
        )
        Official.objects.get_or_create(
            user=user,
            defaults={
                "department": departments[index],
                "position": position,
                "is_liaison": liaison,
                "phone": f"1380417{n:04d}",
            },
        )
    leader = demo_user(
        username="demo-leader",
        full_name="赵副区长",
        password=password,
        **demo_mobile("13800000003"),
    )
    Official.objects.get_or_create(
        user=leader, defaults={"is_leader": True, "position": "副区长"}
    )
