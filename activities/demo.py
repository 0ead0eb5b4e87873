"""Demo data of activities: platforms, the reception hall's 5th and 6th sessions, past and coming events."""

from datetime import datetime, time, timedelta

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
from groups.models import ActivityGroup
from members.models import Member

TYPES = [
    ("theme", "主题活动"),
    ("visit", "走访慰问"),
    ("salon", "企业家会客厅"),
    ("consultation", "企业纾困会诊日"),
    ("clinic", "业务义诊"),
    ("training", "培训讲座"),
]
FIVE_KINDS_OF_AWARENESS = [
    ("responsibility", "责任意识"),
    ("innovation", "创新意识"),
    ("unity", "团结意识"),
    ("service", "服务意识"),
    ("win-win", "合作共赢意识"),
]
PLATFORMS = [
    ("base", "统战系统党群活动基地", "", "西市区渤海大街西5号"),
    ("station", "民营企业家活动站", "民营企业家", ""),
    ("station", "网络新媒体人士活动站", "网络新媒体", ""),
    ("station", "沿海商业交流圈活动站", "沿海商业交流圈", ""),
    ("small_chamber", "西市区装备制造业小商会", "装备制造产业链", ""),
    ("outside_chamber", "北京营口商会（筹）", "", ""),
]


def seed(*, password: str) -> None:
    types = {}
    for order, (code, name) in enumerate(TYPES, start=1):
        types[code], _ = ActivityType.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
    platforms = {}
    for order, (kind, name, theme, address) in enumerate(PLATFORMS, start=1):
        platforms[name], _ = Platform.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "theme": theme,
                "address": address,
                "sort_order": order,
                "founding_status": "preparing" if kind == "outside_chamber" else "",
                "contacts": "联系人：王秘书 0417-2811008"
                if kind == "outside_chamber"
                else "",
            },
        )
    if Activity.objects.exists():
        return
    staff = User.objects.get(username="demo-staff")
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    members = list(Member.objects.order_by("pk"))
    # The migration writes these rows; a flushed test database may not have them.
    for order, (code, name) in enumerate(FIVE_KINDS_OF_AWARENESS, start=1):
        Awareness.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
    awareness = {a.code: a for a in Awareness.objects.all()}
    hall, _ = Series.objects.get_or_create(name="企业家会客厅")
    base = platforms["统战系统党群活动基地"]

    def make(
        title,
        kind,
        days,
        *,
        scale="small",
        capacity=None,
        topic="",
        series=None,
        co_hosts=(),
        tags=(),
        group=None,
    ):
        start = datetime.combine(
            today + timedelta(days=days), time(14, 30), tzinfo=zone
        )
        activity = Activity.objects.create(
            title=title,
            type=types[kind],
            platform=base,
            scale=scale,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="党群活动基地多功能厅",
            capacity=capacity,
            topic=topic,
            series=series,
            organising_group=group,
            description=f"{title}。欢迎会员企业家参加。",
        )
        activity.co_hosts.set(co_hosts)
        activity.awareness.set([awareness[t] for t in tags])
        return services.publish_activity(activity=activity, actor=staff)

    hall.last_number = 4  # sessions 1–4 were held before the portal
    hall.save(update_fields=["last_number"])
    group = ActivityGroup.objects.filter(year=today.year, number=1).first()
    fifth = make(
        "企业家会客厅",
        "salon",
        -60,
        scale="medium",
        series=hall,
        topic="打造营口时光走廊，建设西市教育文旅",
        co_hosts=Department.objects.filter(name="西市区发展和改革局"),
        tags=("innovation", "win-win"),
    )
    sixth = make(
        "企业家会客厅",
        "salon",
        -20,
        scale="medium",
        series=hall,
        topic="激发科技内动力，践行生命教育新主张",
        co_hosts=Department.objects.filter(name="西市区教育局"),
        tags=("responsibility", "innovation"),
    )
    visit = make(
        "党恩慰民心、新春送温暖走访",
        "visit",
        -30,
        group=group,
        tags=("responsibility", "unity"),
    )
    for activity, attendees in (
        (fifth, members[:12]),
        (sixth, members[5:20]),
        (visit, members[:6]),
    ):
        if group and activity.organising_group_id:
            activity.organisers.set(members[:1])
        for member in attendees:
            services.sign_up(
                activity=activity,
                member=member,
                now=activity.starts_at - timedelta(days=3),
            )
            services.check_in(activity=activity, member=member, actor=staff)
    make("企业纾困会诊日", "consultation", 10, capacity=30, tags=("service",))
    full = make("家风教育讲座", "training", 14, capacity=3, tags=("responsibility",))
    for member in members[1:6]:  # three places, two on the waiting list
        services.sign_up(activity=full, member=member)
    campaign, _ = Campaign.objects.get_or_create(
        name=f"{today.year}年民营经济体服务月",
        defaults={
            "kind": "service_month",
            "starts_on": today,
            "ends_on": today + timedelta(days=30),
        },
    )
    clinic = make("业务义诊：财税合规", "clinic", 21, capacity=20, tags=("service",))
    clinic.campaign = campaign
    clinic.save(update_fields=["campaign"])
