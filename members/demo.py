"""Demo data of the members app: a small believable district of enterprises and members."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from chamber import workdays
from chamber.demo import demo_mobile, demo_user
from members.credit_code import check_character
from members.models import (
    Area,
    ChamberTitle,
    DutyLogEntry,
    DutyShift,
    DutyStudio,
    Enterprise,
    Industry,
    Member,
    ShiftChange,
    SwapRequest,
    TitleTerm,
)
from members.services import rota

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
        user = demo_user(
            username=username,
            full_name=full_name,
            password=password,
            # The demo logins' mobiles are verified: SMS reach them (var/sms/).
            **(demo_mobile(f"139{n:08d}") if username.startswith("demo-") else {}),
        )
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


# The rota is generated forward from the seeding date; a few served weeks before it give
# the fairness table and the duty log a past.
HISTORY_WEEKS = 8
AHEAD_WEEKS = 26
DEMO_REP_NOTE = "演示：由演示代表坐班，可试用坐班日志和换班申请"


def seed_rota() -> None:
    """The studio; the rota from a few weeks back to half a year ahead of the seeding date,
    with demo-rep on duty this week and again two weeks on; another's swap request; a log.

    Idempotent: a second run the same day finds every week planned and changes nothing.
    """
    if not DutyStudio.objects.exists():
        DutyStudio.objects.create(
            name="工商联代表人士工作室",
            address="中共西市区委统战部一楼（西市区渤海大街西5号）",
            hours="工作日 9:00–17:00",
        )
    today = timezone.localdate()
    this_monday = rota.monday(today)
    _put_demo_rep_on_duty(today=today)
    first = this_monday - timedelta(weeks=HISTORY_WEEKS)
    last = this_monday + timedelta(weeks=AHEAD_WEEKS, days=6)
    weeks = {week for week, _days in rota.duty_weeks(first, last)}
    planned = set(
        DutyShift.objects.between(first, last).values_list("week_start", flat=True)
    )
    if weeks - planned:
        # From the first week missing only: a later seeding extends the rota and leaves
        # the weeks already given out (and any swap asked for them) as they are.
        rota.generate_rota(
            first=min(weeks - planned), last=last, actor=None, today=today
        )
    _seed_swap_request(today=today)
    _seed_duty_log(today=today)


def _demo_week(week: date) -> tuple[DutyShift | None, bool]:
    """The duty week starting `week` and whether it is new; None when it has no working day."""
    span = workdays.week_span(week)
    if span is None:
        return None, False
    return DutyShift.objects.get_or_create(
        week_start=week,
        defaults={
            "first_day": span[0],
            "last_day": span[1],
            "source": DutyShift.Source.MANUAL,
        },
    )


def _put_demo_rep_on_duty(*, today: date) -> None:
    """demo-rep holds the week under way (the duty log) and one two weeks on (a swap)."""
    rep = Member.objects.get(user__username="demo-rep")
    this_monday = rota.monday(today)
    if not DutyShift.objects.filter(
        representative=rep, week_start__lte=today, week_start__gt=today - timedelta(7)
    ).exists():
        _put_demo_rep_on_one_of(rep, [this_monday], this_week=True)
    if not DutyShift.objects.filter(
        representative=rep,
        first_day__gt=today,
        week_start__lte=this_monday + timedelta(weeks=5),
    ).exists():
        coming = [this_monday + timedelta(weeks=n) for n in (2, 3, 4)]
        _put_demo_rep_on_one_of(rep, coming, this_week=False)


def _put_demo_rep_on_one_of(rep: Member, weeks: list[date], *, this_week: bool) -> None:
    """The first of `weeks` with working days becomes demo-rep's, as staff would set it.

    A coming week someone asked to swap is passed over; this week's holder withdraws
    such a request (it would lapse today anyway), since demo-rep sits this week.
    """
    for week in weeks:
        shift, created = _demo_week(week)
        if shift is None or shift.representative_id == rep.pk:
            continue
        open_swaps = list(shift.swap_requests.filter(status=SwapRequest.Status.OPEN))
        if open_swaps and not this_week:
            continue
        for swap in open_swaps:
            rota.withdraw_swap(swap=swap, member=swap.requested_by)
        if created:
            # A week made just now for demo-rep: its one change says so.
            shift.representative = rep
            shift.save(update_fields=["representative"])
            ShiftChange.objects.create(
                shift=shift,
                kind=ShiftChange.Kind.MANUAL,
                to_member=rep,
                note=DEMO_REP_NOTE,
            )
            return
        try:
            rota.set_shift_representative(
                shift=shift, member=rep, actor=None, note=DEMO_REP_NOTE
            )
        except rota.RotaError:
            continue  # demo-rep declared the week unavailable: try the next
        return


def _seed_swap_request(*, today: date) -> None:
    """Another representative asks someone to take a coming week; demo-rep may take it."""
    if SwapRequest.objects.filter(
        status=SwapRequest.Status.OPEN, shift__first_day__gt=today
    ).exists():
        return
    coming = (
        DutyShift.objects.filter(
            first_day__gt=today + timedelta(days=7),
            representative__isnull=False,
            swap_requests__isnull=True,
        )
        .exclude(representative__user__username="demo-rep")
        .order_by("week_start")
        .first()
    )
    if coming:
        SwapRequest.objects.create(
            shift=coming,
            requested_by=coming.representative,
            reason="外出参加省工商联培训",
        )


def _seed_duty_log(*, today: date) -> None:
    """Visits of last week and this week (demo-rep's), each at the latest two hours ago."""
    if DutyLogEntry.objects.exists():
        return
    current = DutyShift.objects.filter(week_start=rota.monday(today)).first()
    previous = DutyShift.objects.filter(
        week_start=rota.monday(today) - timedelta(days=7)
    ).first()
    zone = timezone.get_current_timezone()
    latest = timezone.now() - timedelta(hours=2)
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
        visited_at = min(datetime.combine(day, time(10, 30), tzinfo=zone), latest)
        if timezone.localtime(visited_at).date() < shift.week_start:
            continue  # seeded in the small hours of the week's Monday
        DutyLogEntry.objects.create(
            shift=shift,
            visitor_name=name,
            visitor_enterprise=enterprise,
            enterprise=Enterprise.objects.filter(name=enterprise).first(),
            visited_at=visited_at,
            subject=subject,
            appeal=appeal,
            recorded_by=shift.representative.user,
        )
