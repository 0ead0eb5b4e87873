"""Demo data of the members app: a small believable district of enterprises and members."""

from datetime import date

from django.utils import timezone

from chamber.demo import demo_user
from members.credit_code import check_character
from members.models import Area, ChamberTitle, Enterprise, Industry, Member, TitleTerm

TITLES = [
    ("主席", False),
    ("兼职副主席", True),
    ("副会长", True),
    ("常务理事", False),
    ("理事", False),
    ("会员", False),
]

INDUSTRIES = [
    "装备制造",
    "新材料",
    "商贸流通",
    "文化旅游",
    "现代物流",
    "建筑地产",
    "餐饮服务",
    "信息技术",
]

# name, area, industry, size, legal representative, address
ENTERPRISES = [
    (
        "营口辽河装备制造有限公司",
        Area.XISHI,
        "装备制造",
        "medium",
        "张晓明",
        "西市区渤海大街西12号",
    ),
    (
        "营口西市时光文旅发展有限公司",
        Area.XISHI,
        "文化旅游",
        "small",
        "孙丽",
        "西市区辽河大街南3号",
    ),
    (
        "营口沿海新材料科技有限公司",
        Area.COASTAL,
        "新材料",
        "large",
        "刘建国",
        "沿海产业基地新材料园8号",
    ),
    (
        "营口港湾冷链物流有限公司",
        Area.COASTAL,
        "现代物流",
        "medium",
        "周强",
        "沿海产业基地物流园2号",
    ),
    (
        "营口自贸区跨境贸易有限公司",
        Area.FTZ,
        "商贸流通",
        "small",
        "吴敏",
        "自贸区营口片区跨境电商大厦5层",
    ),
    (
        "营口金地房地产开发有限公司",
        Area.FTZ,
        "建筑地产",
        "large",
        "郑海",
        "自贸区营口片区金地中心",
    ),
    (
        "营口西市老街餐饮管理有限公司",
        Area.XISHI,
        "餐饮服务",
        "micro",
        "王芳",
        "西市区得胜街22号",
    ),
    (
        "营口渤海电子信息技术有限公司",
        Area.XISHI,
        "信息技术",
        "small",
        "陈伟",
        "西市区创业大厦9层",
    ),
    (
        "营口西市商贸城有限公司",
        Area.XISHI,
        "商贸流通",
        "medium",
        "杨帆",
        "西市区新兴大街1号",
    ),
    (
        "营口鲅鱼圈精工机械有限公司",
        Area.COASTAL,
        "装备制造",
        "medium",
        "赵磊",
        "沿海产业基地装备园16号",
    ),
    (
        "营口海纳新能源材料有限公司",
        Area.COASTAL,
        "新材料",
        "medium",
        "黄静",
        "沿海产业基地化工园4号",
    ),
    (
        "营口辽滨建设工程有限公司",
        Area.COASTAL,
        "建筑地产",
        "large",
        "周涛",
        "沿海产业基地建设路7号",
    ),
    (
        "营口自贸区数字科技有限公司",
        Area.FTZ,
        "信息技术",
        "small",
        "徐杰",
        "自贸区营口片区创新中心3层",
    ),
    (
        "营口港城国际物流有限公司",
        Area.FTZ,
        "现代物流",
        "large",
        "孙浩",
        "自贸区营口片区港城路18号",
    ),
    (
        "营口西市文化传媒有限公司",
        Area.XISHI,
        "文化旅游",
        "micro",
        "马丽",
        "西市区公园路15号",
    ),
    (
        "营口西市家政服务有限公司",
        Area.XISHI,
        "餐饮服务",
        "micro",
        "朱红",
        "西市区民主街6号",
    ),
    (
        "营口辽河智能装备有限公司",
        Area.XISHI,
        "装备制造",
        "small",
        "胡斌",
        "西市区工业园A区3号",
    ),
    (
        "营口沿海钢构工程有限公司",
        Area.COASTAL,
        "建筑地产",
        "medium",
        "郭勇",
        "沿海产业基地钢构园1号",
    ),
    (
        "营口自贸区供应链管理有限公司",
        Area.FTZ,
        "现代物流",
        "small",
        "何平",
        "自贸区营口片区综合保税区2号",
    ),
    (
        "营口西市电商产业园有限公司",
        Area.XISHI,
        "商贸流通",
        "small",
        "林峰",
        "西市区电商产业园",
    ),
    (
        "营口渔港海产品有限公司",
        Area.COASTAL,
        "商贸流通",
        "small",
        "高丹",
        "沿海产业基地渔港路9号",
    ),
    (
        "营口自贸区文旅投资有限公司",
        Area.FTZ,
        "文化旅游",
        "medium",
        "罗军",
        "自贸区营口片区文旅大厦",
    ),
    (
        "营口西市印刷包装有限公司",
        Area.XISHI,
        "装备制造",
        "micro",
        "梁静",
        "西市区胜利路11号",
    ),
    (
        "营口沿海环保科技有限公司",
        Area.COASTAL,
        "新材料",
        "small",
        "宋刚",
        "沿海产业基地环保园5号",
    ),
    (
        "营口自贸区软件服务有限公司",
        Area.FTZ,
        "信息技术",
        "micro",
        "郑洁",
        "自贸区营口片区软件园2号",
    ),
    (
        "营口西市酒店管理有限公司",
        Area.XISHI,
        "餐饮服务",
        "medium",
        "谢明",
        "西市区渤海大街88号",
    ),
    (
        "营口沿海汽车零部件有限公司",
        Area.COASTAL,
        "装备制造",
        "large",
        "韩冰",
        "沿海产业基地汽配园10号",
    ),
    (
        "营口自贸区进出口有限公司",
        Area.FTZ,
        "商贸流通",
        "medium",
        "唐亮",
        "自贸区营口片区贸易大厦7层",
    ),
    (
        "营口西市装饰工程有限公司",
        Area.XISHI,
        "建筑地产",
        "small",
        "冯雪",
        "西市区建设街20号",
    ),
    (
        "营口沿海冷藏仓储有限公司",
        Area.COASTAL,
        "现代物流",
        "small",
        "董宁",
        "沿海产业基地冷链园3号",
    ),
]

# username, full name, enterprise index, position, title (or None)
NAMED_MEMBERS = [
    ("demo-member", "张晓明", 0, "总经理", None),
    ("demo-rep", "刘建国", 2, "董事长", "副会长"),
]
SURNAMES = "王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦许何吕施孔曹严华金魏陶姜"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
]
DUTY_TITLES = ["兼职副主席", "副会长"]


def _credit_code(n: int, area: str) -> str:
    division = {"xishi": "210803", "coastal": "210804", "ftz": "210800"}[area]
    first17 = f"91{division}MA0{n:04d}X{n % 10}"
    return first17 + check_character(first17)


def _members() -> list[tuple[str, str, int, str, str | None]]:
    """Two named demo logins, then 38 more: one or two per enterprise, some with duty titles."""
    rows = list(NAMED_MEMBERS)
    for n in range(38):
        index = (n + 1) % len(ENTERPRISES)
        name = (
            SURNAMES[n % len(SURNAMES)]
            + GIVEN[n % len(GIVEN)]
            + GIVEN[(n * 7 + 3) % len(GIVEN)]
        )
        title = DUTY_TITLES[n % 2] if n % 4 == 0 else ("理事" if n % 5 == 0 else None)
        position = "董事长" if n % 3 == 0 else ("总经理" if n % 3 == 1 else "副总经理")
        rows.append((f"member-{n + 1:02d}", name, index, position, title))
    return rows


def seed(*, password: str) -> None:
    for order, (name, takes_duty) in enumerate(TITLES, start=1):
        ChamberTitle.objects.get_or_create(
            name=name, defaults={"takes_duty": takes_duty, "sort_order": order}
        )
    industries = {}
    for order, name in enumerate(INDUSTRIES, start=1):
        industries[name], _ = Industry.objects.get_or_create(
            name=name, defaults={"sort_order": order}
        )
    enterprises = []
    for n, (name, area, industry, size, legal, address) in enumerate(
        ENTERPRISES, start=1
    ):
        enterprise, _ = Enterprise.objects.get_or_create(
            credit_code=_credit_code(n, area),
            defaults={
                "name": name,
                "area": area,
                "industry": industries[industry],
                "size": size,
                "legal_representative": legal,
                "address": address,
                "phone": f"0417-28{n:05d}",
                "introduction": f"{name}是西市区工商联会员企业，扎根{Area(area).label}，主营{industry}。",
                "joined_on": date(2022, 1 + n % 12, 1 + n % 28),
            },
        )
        enterprises.append(enterprise)
    titles = {title.name: title for title in ChamberTitle.objects.all()}
    year = timezone.localdate().year
    for n, (username, full_name, index, position, title) in enumerate(_members()):
        user = demo_user(username=username, full_name=full_name, password=password)
        member, _ = Member.objects.get_or_create(
            user=user,
            defaults={
                "enterprise": enterprises[index],
                "position": position,
                "mobile": f"139{n:08d}",
                "show_phone": n % 2 == 0,
                "show_email": n % 3 == 0,
            },
        )
        if title:
            TitleTerm.objects.get_or_create(
                member=member,
                title=titles[title],
                defaults={
                    "starts_on": date(year - 1, 1, 1),
                    "ends_on": date(year + 3, 12, 31),
                },
            )
    seed_rota()


def seed_rota() -> None:
    """The studio, this half-year's rota (served, current and coming weeks), a swap, a log."""
    from datetime import datetime, time, timedelta

    from members.models import DutyLogEntry, DutyShift, DutyStudio, SwapRequest
    from members.services import rota

    if not DutyStudio.objects.exists():
        DutyStudio.objects.create(
            name="工商联代表人士工作室",
            address="中共西市区委统战部一楼（西市区渤海大街西5号）",
            hours="工作日 9:00–17:00",
        )
    today = timezone.localdate()
    first, last = rota.half_year(today)
    if not DutyShift.objects.between(rota.monday(first), last).exists():
        rota.generate_rota(
            first=first, last=last, actor=None, today=first - timedelta(days=1)
        )
    coming = (
        DutyShift.objects.filter(
            first_day__gt=today + timedelta(days=7), representative__isnull=False
        )
        .order_by("week_start")
        .first()
    )
    if coming and not SwapRequest.objects.exists():
        SwapRequest.objects.create(
            shift=coming,
            requested_by=coming.representative,
            reason="外出参加省工商联培训",
        )
    current = DutyShift.objects.filter(week_start=rota.monday(today)).first()
    previous = DutyShift.objects.filter(
        week_start=rota.monday(today) - timedelta(days=7)
    ).first()
    if DutyLogEntry.objects.exists():
        return
    zone = timezone.get_current_timezone()
    visits = [
        (
            previous,
            1,
            "孙经理",
            "营口港湾冷链物流有限公司",
            "冷库用电价格",
            "希望协调冷库执行农业生产用电价格。",
        ),
        (
            previous,
            3,
            "赵女士",
            "营口西市老街餐饮管理有限公司",
            "老街改造期间的经营",
            "",
        ),
        (
            current,
            0,
            "陈先生",
            "营口渤海电子信息技术有限公司",
            "高新技术企业认定",
            "请帮助对接科技部门，辅导高企认定材料。",
        ),
    ]
    for shift, offset, name, enterprise, subject, appeal in visits:
        if shift is None or shift.representative is None:
            continue
        day = min(shift.first_day + timedelta(days=offset), shift.last_day)
        DutyLogEntry.objects.create(
            shift=shift,
            visitor_name=name,
            visitor_enterprise=enterprise,
            enterprise=Enterprise.objects.filter(name=enterprise).first(),
            visited_at=datetime.combine(day, time(10, 30), tzinfo=zone),
            subject=subject,
            appeal=appeal,
            recorded_by=shift.representative.user,
        )
