"""Demo articles: a dozen published ones of each kind (some with a cover picture), a
publicity-week campaign, one scheduled article, two approved showcases and one waiting."""

import struct
import zlib
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from activities.models import Awareness, Campaign
from chamber.models import User
from members.models import Enterprise
from publicity import services, showcases
from publicity.models import Article, ArticleKind

TITLES = {
    "policy": [
        "稳岗返还政策申领指南",
        "小微企业贷款贴息政策解读",
        "首台（套）重大技术装备保险补偿申报通知",
        "高新技术企业认定奖励办法",
        "外贸企业出口信用保险保费补贴",
        "企业研发费用加计扣除政策要点",
        "西市区招才引智“人才公寓”申请办法",
        "中小企业数字化转型补助申报",
        "个体工商户减税降费政策汇编",
        "企业上市挂牌奖励政策",
        "商贸流通企业纾困资金申请",
        "创业担保贷款政策问答",
    ],
    "exemplary": [
        "从作坊到车间：一家海产品加工企业的十年",
        "老字号焕新：西市区百年糕点铺的转型路",
        "专精特新“小巨人”的创新之道",
        "诚信经营二十年的建材商行",
        "带动百户就业的社区服务企业",
        "跨境电商新秀：把营口特产卖向全国",
        "技术工人出身的机械厂厂长",
        "绿色工厂是怎样炼成的",
        "疫情后逆势增长的物流企业",
        "回报家乡的在外营口商人",
        "以党建引领发展的民营企业",
        "校企合作培养技能人才的典型",
    ],
    "story": [
        "西市商业风云：渤海大街的变迁",
        "西市商业风云：老市场里的新业态",
        "西市商业风云：一条街上的三代商户",
        "西市商业风云：夜市经济的烟火气",
        "西市商业风云：从码头到商圈",
        "西市商业风云：营口老字号地图",
        "西市商业风云：海鲜市场的早晨",
        "西市商业风云：家具城的二十年",
        "西市商业风云：新媒体直播间里的老板们",
        "西市商业风云：工商联会员的创业故事",
        "西市商业风云：年轻人返乡开店",
        "西市商业风云：商会小组的互助时光",
    ],
    "news": [
        "区工商联召开“12345+N”工作推进会",
        "第六期企业家会客厅举行",
        "纾困会诊日为企业解决融资难题",
        "企业宣传周启动仪式举行",
        "民营经济体服务月活动安排发布",
        "异地营口商会筹备工作座谈会召开",
        "代表人士坐班制度运行情况通报",
        "活动小组积分季度排名公布",
        "区领导走访调研会员企业",
        "工商联组织企业参加招聘会",
        "新媒体活动站开展直播培训",
        "商会党建活动基地揭牌",
    ],
}
KINDS = [
    ("policy", "惠企政策"),
    ("exemplary", "优企案例"),
    ("story", "西市商业风云"),
    ("news", "新闻动态"),
]
BODY = (
    "<p>{title}。</p><h2>主要内容</h2><ul><li>适用对象：区内会员企业</li>"
    "<li>办理方式：登录工商联门户或到服务大厅咨询</li></ul>"
    "<p>如有疑问，请联系区工商联办公室。</p>"
)


def seed(*, password: str) -> None:
    if Article.objects.exists():
        return
    staff = User.objects.filter(username="demo-staff").first()
    now = timezone.now()
    campaign, _ = Campaign.objects.get_or_create(
        name=f"{timezone.localdate().year}年企业宣传周",
        defaults={
            "kind": "publicity_week",
            "starts_on": timezone.localdate() - timedelta(days=3),
            "ends_on": timezone.localdate() + timedelta(days=4),
        },
    )
    # The migration writes the kinds; a flushed test database may not have them.
    for order, (code, name) in enumerate(KINDS):
        ArticleKind.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order * 10}
        )
    awareness = list(Awareness.objects.order_by("sort_order"))
    enterprises = list(Enterprise.objects.order_by("pk")[:12])
    for kind in ArticleKind.objects.filter(code__in=TITLES):
        for n, title in enumerate(TITLES[kind.code]):
            article = Article.objects.create(
                kind=kind,
                title=title,
                summary=f"{title}：要点与办理方式。",
                body=BODY.format(title=title),
                enterprise=enterprises[n % len(enterprises)]
                if kind.code == "exemplary" and enterprises
                else None,
                campaign=campaign if n < 3 else None,
                created_by=staff,
            )
            if awareness:
                article.awareness.set([awareness[n % len(awareness)]])
            if n < 3:
                article.cover = services.store_picture(
                    upload=_picture(f"{kind.code}-{n}.png", COLOURS[n]), actor=staff
                )
                article.save(update_fields=["cover"])
            services.publish_article(
                article=article,
                actor=staff,
                at=now - timedelta(days=2 * n + 1),
                now=now,
            )
    # One policy scheduled for tomorrow morning: beat publishes it then.
    policy = ArticleKind.objects.get(code="policy")
    article = Article.objects.create(
        kind=policy,
        title="2027年度惠企政策清单（定时发布）",
        summary="明日发布。",
        body=BODY.format(title="2027年度惠企政策清单"),
        created_by=staff,
    )
    services.publish_article(
        article=article, actor=staff, at=now + timedelta(days=1), now=now
    )
    _seed_showcases(staff)


COLOURS = [
    (0x1F, 0x5F, 0x8B),
    (0xC8, 0x4B, 0x31),
    (0x2E, 0x8B, 0x57),
    (0xE0, 0xA8, 0x2E),
]
SHOWCASES = [
    (
        "我们专注港口装卸设备与工程机械的设计制造，产品销往东北三省和环渤海港口。",
        "门座式起重机、皮带输送机、设备维修与改造服务。",
    ),
    (
        "扎根西市区二十余年的海产品加工企业，带动周边渔户和社区居民就业。",
        "即食海参、虾仁、海蜇等海产品；冷链仓储与配送。",
    ),
    (
        "为中小商户提供记账、报税与数字化经营服务的本地企业。",
        "代理记账、税务咨询、门店数字化改造。",
    ),
]


def _picture(name: str, colour: tuple[int, int, int]) -> ContentFile:
    """A plain 320×180 PNG of one colour, for demo covers and photos."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(colour) * 320
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 320, 180, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * 180, 9))
        + chunk(b"IEND", b"")
    )
    return ContentFile(png, name=name)


def _seed_showcases(staff: User | None) -> None:
    """Two showcases on the site (the demo member's enterprise first), one waiting."""
    from chamber.uploads import check_picture

    member = (
        User.objects.filter(username="demo-member").select_related("member").first()
    )
    first = [member.member.enterprise] if member and hasattr(member, "member") else []
    others = Enterprise.objects.exclude(pk__in=[e.pk for e in first]).order_by("pk")
    for n, enterprise in enumerate([*first, *others[: 3 - len(first)]]):
        showcase = showcases.showcase_of(enterprise)
        showcase.introduction, showcase.products = SHOWCASES[n]
        photos = [
            check_picture(_picture(f"photo-{n}-{i}.png", COLOURS[(n + i) % 4]))
            for i in range(2)
        ]
        showcases.save_showcase(
            showcase=showcase,
            actor=staff,
            photos=photos,
            remove_photo_ids=[],
            submit=True,
        )
        if n < 2 and staff is not None:
            showcases.approve_showcase(showcase=showcase, actor=staff)
