"""Demo data of activities: the method's own story, and every point of the standings behind it.

The seed article (12345+N工作法) gives the examples, at the dates it gives them: the
三八妇女节 activity at the party-and-masses base on 2022-03-08, the first group's
新春走访 on 2022-01-26, the fifth group's epidemic supplies with 金地房地产 in March
2022, and the 5th and 6th 企业家会客厅 with their topics and co-hosts. Around them, the
groups hold (or miss) their monthly activity in 2022, last year and this year, and
members are checked in through the service: the group-duty grid and the standings agree.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from activities import services
from activities.models import (
    Activity,
    ActivityType,
    Awareness,
    Campaign,
    Platform,
    Series,
)
from chamber.models import Department, User
from groups import demo as groups_demo
from groups import services as points
from groups.models import ActivityGroup, GroupMembership
from members.models import Enterprise, Member

TYPES = [
    ("theme", "主题活动"),
    ("visit", "走访慰问"),
    ("salon", "企业家会客厅"),
    ("consultation", "企业纾困会诊日"),
    ("clinic", "业务义诊"),
    ("training", "培训讲座"),
    ("charity", "公益志愿"),
]
FIVE_KINDS_OF_AWARENESS = [
    ("responsibility", "责任意识"),
    ("innovation", "创新意识"),
    ("unity", "团结意识"),
    ("service", "服务意识"),
    ("win-win", "合作共赢意识"),
]
BASE = "统战系统党群活动基地"
BASE_ROOM = "党群活动基地多功能厅"
# kind, name, theme, address, founding status, contacts, what it is for, member
# enterprises (a part of each name)
PLATFORMS = [
    (
        "base",
        BASE,
        "",
        "西市区渤海大街西5号",
        "founded",
        "区委统战部 王秘书 0417-2811008",
        "固党建之基、助企业之力、提服务之质、尽职责之能：以党建为引领的统战系统党群活动基地，"
        "企业家会客厅、会诊日和主题活动在这里举办。",
        ("辽河装备制造", "时光文旅", "金地房地产", "渤海电子信息", "西市商贸城"),
    ),
    (
        "station",
        "民营企业家活动站",
        "民营企业家",
        "西市区新兴大街1号（西市商贸城三楼）",
        "founded",
        "站长：郑洋静（营口西市商贸城有限公司）",
        "以民营企业家为主线，围绕企业家生产生活和精神文化需求设计活动。",
        ("西市商贸城", "老街餐饮", "西市家政服务", "西市酒店管理", "西市装饰工程"),
    ),
    (
        "station",
        "网络新媒体人士活动站",
        "网络新媒体",
        "西市区创业大厦9层",
        "founded",
        "站长：沈涛明（营口西市文化传媒有限公司）",
        "以网络新媒体人士为主线，宣传惠企政策、优企案例和西市商业风云。",
        ("西市文化传媒", "自贸区数字科技", "渤海电子信息", "西市电商产业园"),
    ),
    (
        "station",
        "沿海商业交流圈活动站",
        "沿海商业交流圈",
        "沿海产业基地物流园2号",
        "founded",
        "站长：赵娜芳（营口港湾冷链物流有限公司）",
        "以沿海商业交流圈为主线，带动沿海产业基地各行业的会员企业交流互助。",
        ("港湾冷链物流", "沿海新材料", "港城国际物流", "沿海钢构", "沿海冷藏仓储"),
    ),
    (
        "small_chamber",
        "西市区装备制造业小商会",
        "装备制造产业链",
        "西市区渤海大街西12号",
        "founded",
        "会长：张晓明（营口辽河装备制造有限公司）",
        "围绕西市区装备制造产业链成立的域内小商会，实现民营经济体互通互助互惠互补。",
        ("辽河装备制造", "鲅鱼圈精工", "辽河智能装备", "沿海汽车零部件", "印刷包装"),
    ),
    (
        "outside_chamber",
        "北京营口商会（筹）",
        "",
        "",
        "preparing",
        "联系人：王秘书 0417-2811008",
        "力争在国内一线城市成立一家域外营口商会，为营口和西市引资引智。",
        ("金地房地产", "自贸区跨境贸易", "自贸区进出口"),
    ),
]

# A group's monthly activity: what it does in each month, and of which type.
MONTHLY = {
    1: ("新春走访慰问", "visit"),
    2: ("元宵节联谊会", "theme"),
    3: ("学雷锋志愿服务", "charity"),
    4: ("走进会员企业参观交流", "visit"),
    5: ("劳动节企业家座谈", "theme"),
    6: ("安全生产知识培训", "training"),
    7: ("“七一”主题党日", "theme"),
    8: ("产业链供需对接交流", "visit"),
    9: ("中秋联谊会", "theme"),
    10: ("国庆主题参观", "theme"),
    11: ("惠企政策宣讲", "training"),
    12: ("年终交流座谈", "theme"),
}
# Where each group usually meets (None: at the enterprises it visits).
GROUP_PLATFORM = {
    1: None,
    2: "民营企业家活动站",
    3: "网络新媒体人士活动站",
    4: "沿海商业交流圈活动站",
    5: BASE,
    6: "西市区装备制造业小商会",
}
# The large or medium activity each group leads in a year (group 6 leads none: the
# grid shows it), and the months each group misses.
LEADS = {1: ("large", 9), 2: ("medium", 5), 3: ("medium", 10), 4: ("large", 6)}
LEADS_BY_YEAR = {groups_demo.METHOD_YEAR: {5: ("medium", 3)}}
MISSED_MONTHS = {1: 0, 2: 0, 3: 1, 4: 2, 5: 1, 6: 4}

FIFTH_WRITEUP = (
    "第五期“企业家会客厅”开厅，西市区工商联联合区政府（发改局、住建局、市场监管局）"
    "与企业共同研究“打造营口时光走廊，建设西市教育文旅”主题项目，提出线上线下相互融合的"
    "发展理念。企业提出的用地、停车、审批和资金问题当场登记为诉求，交有关部门办理。"
)
SIXTH_WRITEUP = (
    "第六期“企业家会客厅”开厅，联合西市区教育局与企业共同研究小学安全教育项目，主题为"
    "“激发科技内动力，践行生命教育新主张”。企业提出的幼儿园移交、研发费用等问题已登记为"
    "诉求。"
)


class _Story:
    """Builds the activities once; `make` creates and publishes, `hold` checks people in."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.staff = User.objects.get(username="demo-staff")
        self.types = {t.code: t for t in ActivityType.objects.all()}
        self.platforms = {p.name: p for p in Platform.objects.all()}
        self.awareness = {a.code: a for a in Awareness.objects.all()}
        self.members = list(
            Member.objects.select_related("user", "enterprise").order_by("pk")
        )

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def make(
        self,
        title: str,
        kind: str,
        start: datetime,
        *,
        hours: float = 2,
        platform: str | None = BASE,
        place: str = "",
        scale: str = "small",
        group: ActivityGroup | None = None,
        organisers=(),
        co_hosts=(),
        tags=(),
        **fields,
    ) -> Activity:
        found = self.platforms.get(platform) if platform else None
        if not place and found:
            place = BASE_ROOM if found.kind == Platform.Kind.BASE else found.address
        activity = Activity.objects.create(
            title=title,
            type=self.types[kind],
            platform=found,
            place=place,
            scale=scale,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            organising_group=group,
            description=fields.pop("description", f"{title}。欢迎会员企业家参加。"),
            **fields,
        )
        if organisers:
            activity.organisers.set(organisers)
        if co_hosts:
            activity.co_hosts.set(co_hosts)
        if tags:
            activity.awareness.set([self.awareness[t] for t in tags])
        return services.publish_activity(activity=activity, actor=self.staff)

    def hold(self, activity: Activity, attendees, *, no_shows=(), sign_up=True) -> None:
        """Sign people up three days ahead (if asked), then check the attendees in at the door."""
        if sign_up:
            for member in [*attendees, *no_shows]:
                services.sign_up(
                    activity=activity,
                    member=member,
                    now=activity.starts_at - timedelta(days=3),
                )
        for n, member in enumerate(attendees):
            services.check_in(
                activity=activity,
                member=member,
                actor=self.staff,
                now=activity.starts_at - timedelta(minutes=10 - n),
            )


def seed(*, password: str) -> None:
    for order, (code, name) in enumerate(TYPES, start=1):
        ActivityType.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
    # The migration writes these rows; a flushed test database may not have them.
    for order, (code, name) in enumerate(FIVE_KINDS_OF_AWARENESS, start=1):
        Awareness.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
    _platforms()
    if not Activity.objects.exists():
        story = _Story()
        for year in groups_demo.demo_years(story.today):
            _groups_year(story, year)
        _method_examples(story)
        _reception_hall(story)
        _coming(story)
    # A finished year's awards go to the best of its standings (once).
    for year in groups_demo.demo_years():
        if year < timezone.localdate().year:
            groups_demo.confirm_awards(year)


def _platforms() -> None:
    enterprises = list(Enterprise.objects.order_by("pk"))
    for order, row in enumerate(PLATFORMS, start=1):
        kind, name, theme, address, founding, contacts, description, members = row
        platform, created = Platform.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "theme": theme,
                "address": address,
                "sort_order": order,
                "founding_status": founding,
                "contacts": contacts,
                "description": description,
            },
        )
        if created:
            platform.enterprises.set(
                [e for e in enterprises if any(part in e.name for part in members)]
            )


def _groups_year(story: _Story, year: int) -> None:
    """Each group's monthly activities of a year, held up to today; some months missed."""
    last_month = 12 if year < story.today.year else story.today.month
    leads = {**LEADS, **LEADS_BY_YEAR.get(year, {})}
    for group in ActivityGroup.objects.filter(year=year).order_by("number"):
        n = group.number
        rng = random.Random(f"{year}:{n}")  # the same story on every machine
        lead = leads.get(n)
        keep = {1, lead[1] if lead else 0}
        missed = set(rng.sample(sorted(set(range(1, 13)) - keep), MISSED_MONTHS[n]))
        people = [
            m.member
            for m in GroupMembership.objects.filter(group=group)
            .select_related("member__user")
            .order_by("-is_leader", "member_id")
        ]
        others = [m for m in story.members if m not in people]
        for month in range(1, last_month + 1):
            if month in missed or _told_by_the_seed(year, n, month):
                continue
            start = story.at(date(year, month, 4 + 3 * n), 15)
            if start >= story.now - timedelta(hours=3):
                continue  # not held yet: the grid leaves this month open
            theme, kind = MONTHLY[month]
            scale = lead[0] if lead and lead[1] == month else "small"
            organiser = people[0] if month % 2 else rng.choice(people[1:] or people)
            # One of the group and one guest from another group come (checked in).
            attendees = [
                rng.choice([p for p in people if p != organiser]),
                rng.choice(others),
            ]
            activity = story.make(
                f"第{n}小组{theme}",
                kind,
                start,
                platform=GROUP_PLATFORM[n],
                scale=scale,
                group=group,
                organisers=[organiser],
                writeup=f"第{n}小组组织{len(attendees) + 1}位会员企业家开展{theme}，"
                "交流企业经营情况和下一步活动安排。",
            )
            story.hold(activity, attendees, sign_up=False)


def _told_by_the_seed(year: int, group: int, month: int) -> bool:
    """The months the seed article tells of itself (_method_examples makes them)."""
    return year == groups_demo.METHOD_YEAR and (group, month) in {(1, 1), (5, 3)}


def _method_examples(story: _Story) -> None:
    """The seed article's own examples of 2022, where and when it puts them."""
    year = groups_demo.METHOD_YEAR
    groups = {g.number: g for g in ActivityGroup.objects.filter(year=year)}
    leaders = {
        m.group.number: m.member
        for m in GroupMembership.objects.filter(
            year=year, is_leader=True
        ).select_related("group", "member")
    }
    visit = story.make(
        "“党恩慰民心、新春送温暖”系列走访",
        "visit",
        story.at(date(year, 1, 26), 9, 30),
        hours=6,
        platform=None,
        place="第1小组会员企业及困难职工家庭",
        group=groups.get(1),
        organisers=[leaders[1]] if 1 in leaders else [],
        tags=("responsibility", "unity"),
        description="第1小组组织企业家开展“党恩慰民心、新春送温暖”系列走访活动。",
        writeup="2022年1月26日，第1小组组织企业家开展“党恩慰民心、新春送温暖”系列走访"
        "活动，走访慰问困难职工家庭，送去节日的问候。",
    )
    first = _members_of(groups.get(1), 4)
    story.hold(visit, first, sign_up=False)

    women = [
        m for m in story.members if any(c in m.user.full_name for c in "芳娜静艳娟")
    ]
    march = story.make(
        "“弘家风、促文明”——“三八妇女节”主题活动",
        "theme",
        story.at(date(year, 3, 8), 14, 30),
        tags=("responsibility", "unity"),
        description="在党群活动基地开展“弘家风、促文明”——“三八妇女节”主题活动。",
        writeup="2022年3月8日，在党群活动基地开展“弘家风、促文明”——“三八妇女节”主题活动，"
        "进一步深化文明城市创建理念，大家彼此交流，加深感情。",
    )
    story.hold(march, women[:8], sign_up=False)

    jindi = next((m for m in story.members if "金地房地产" in str(m.enterprise)), None)
    organisers = [m for m in (leaders.get(5), jindi) if m]
    supplies = story.make(
        "会同金地房地产支援疫情防控",
        "charity",
        story.at(date(year, 3, 16), 8, 30),
        hours=8,
        platform=None,
        place="西市区人民政府疫情防控指挥部",
        scale="medium",
        group=groups.get(5),
        organisers=organisers,
        tags=("responsibility", "service"),
        description="疫情防控期间，第5小组会同金地房地产采购10车生活物资及防疫物资，"
        "支援西市区政府防控工作。",
        writeup="2022年3月，第5小组会同金地房地产采购10车生活物资及防疫物资，支援西市区"
        "政府防控工作。",
    )
    fifth = _members_of(groups.get(5), 3)
    story.hold(supplies, fifth, sign_up=False)
    if jindi:
        points.record_manual_points(
            member=jindi,
            points=5,
            reason="会同第5小组协调10车防疫物资支援区政府",
            actor=story.staff,
            year=year,
            at=supplies.ends_at,
        )


def _reception_hall(story: _Story) -> None:
    """The 5th and 6th 企业家会客厅 (sessions 1–4 were held before the portal)."""
    hall, _ = Series.objects.get_or_create(name="企业家会客厅")
    hall.last_number = 4
    hall.save(update_fields=["last_number"])
    members = story.members
    fifth = story.make(
        "企业家会客厅",
        "salon",
        story.at(story.today - timedelta(days=60), 14, 30),
        scale="medium",
        series=hall,
        topic="打造营口时光走廊，建设西市教育文旅",
        co_hosts=Department.objects.filter(
            short_name__in=["发改局", "住建局", "市场监管局"]
        ),
        tags=("innovation", "win-win"),
        writeup=FIFTH_WRITEUP,
    )
    story.hold(fifth, members[:12])
    sixth = story.make(
        "企业家会客厅",
        "salon",
        story.at(story.today - timedelta(days=20), 14, 30),
        scale="medium",
        series=hall,
        topic="激发科技内动力，践行生命教育新主张",
        co_hosts=Department.objects.filter(short_name="教育局"),
        tags=("responsibility", "innovation"),
        writeup=SIXTH_WRITEUP,
    )
    # demo-member had a place but did not come: "我的活动" lists it as missed.
    story.hold(sixth, members[5:20], no_shows=members[:1])
    beijing = story.make(
        "北京营口商会筹备座谈会",
        "salon",
        story.at(story.today - timedelta(days=100), 10),
        platform="北京营口商会（筹）",
        place="北京市朝阳区（营口驻京联络处会议室）",
        tags=("win-win",),
        writeup="在京营口籍企业家座谈，商议北京营口商会的筹备事项和首批会员。",
    )
    story.hold(beijing, members[5:8])


def _members_of(group, count: int) -> list:
    """The first `count` members (not the leader) of a group, in a stable order."""
    return [
        m.member
        for m in GroupMembership.objects.filter(group=group, is_leader=False)
        .select_related("member")
        .order_by("member_id")[:count]
    ]


def _coming(story: _Story) -> None:
    """What members can sign up for, and one activity today whose check-in is open."""
    members, today = story.members, story.today
    make = story.make
    # Starts within the hour of seeding: check-in is open (from an hour before the start
    # to the end of the day), so staff and the door's QR code can be tried at once.
    start = (story.now + timedelta(minutes=30)).replace(second=0, microsecond=0)
    briefing = make(
        "惠企政策解读会",
        "training",
        start,
        capacity=40,
        tags=("service",),
        description="区发改局、人社局解读今年的惠企政策和申报时间，欢迎会员企业家参加。",
    )
    for member in members[6:14]:
        services.sign_up(activity=briefing, member=member, now=story.now)
    for member in members[6:8]:
        services.check_in(
            activity=briefing, member=member, actor=story.staff, now=story.now
        )
    make(
        "企业纾困会诊日",
        "consultation",
        story.at(today + timedelta(days=10), 14, 30),
        capacity=30,
        tags=("service",),
    )
    full = make(
        "家风教育讲座",
        "training",
        story.at(today + timedelta(days=14), 14, 30),
        capacity=3,
        tags=("responsibility",),
    )
    for member in members[1:6]:  # three places, two on the waiting list
        services.sign_up(activity=full, member=member, now=story.now)
    campaign, _ = Campaign.objects.get_or_create(
        name=f"{today.year}年民营经济体服务月",
        defaults={
            "kind": "service_month",
            "starts_on": today,
            "ends_on": today + timedelta(days=30),
        },
    )
    clinic = make(
        "业务义诊：财税合规",
        "clinic",
        story.at(today + timedelta(days=21), 14, 30),
        capacity=20,
        tags=("service",),
        campaign=campaign,
    )
    services.sign_up(activity=clinic, member=members[0], now=story.now)
    group = ActivityGroup.objects.filter(year=today.year, number=2).first()
    leader = GroupMembership.objects.filter(group=group, is_leader=True).first()
    make(
        "第2小组走进会员企业参观交流",
        "visit",
        story.at(today + timedelta(days=5), 15),
        platform=GROUP_PLATFORM[2],
        group=group,
        organisers=[leader.member] if leader else [],
        capacity=15,
        tags=("unity",),
    )
    make(
        "装备制造产业链供需对接会",
        "theme",
        story.at(today + timedelta(days=30), 9, 30),
        platform="西市区装备制造业小商会",
        scale="medium",
        tags=("win-win", "innovation"),
    )
