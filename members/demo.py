"""Demo data of the members app: enterprises of the three areas, titles, a member and a representative."""

from datetime import date

from django.utils import timezone

from chamber.demo import demo_user
from members.credit_code import check_character
from members.models import Area, ChamberTitle, Enterprise, Member, TitleTerm

TITLES = [
    ("主席", False),
    ("兼职副主席", True),
    ("副会长", True),
    ("常务理事", False),
    ("会员", False),
]

# name, area, the first 17 characters of the credit code (the 18th is computed)
ENTERPRISES = [
    ("营口辽河装备制造有限公司", Area.XISHI, "91210803MA0QD1234"),
    ("营口西市时光文旅发展有限公司", Area.XISHI, "91210803MA0QE2345"),
    ("营口沿海新材料科技有限公司", Area.COASTAL, "91210800MA0QF3456"),
    ("营口港湾冷链物流有限公司", Area.COASTAL, "91210800MA0QG4567"),
    ("营口自贸区跨境贸易有限公司", Area.FTZ, "91210800MA0QH5678"),
    ("营口金地房地产开发有限公司", Area.FTZ, "91210800MA0QJ6789"),
]

# username, full name, enterprise index, position, title (or None)
MEMBERS = [
    ("demo-member", "张晓明", 0, "总经理", None),
    ("demo-rep", "刘建国", 2, "董事长", "副会长"),
    ("member-sun", "孙丽", 1, "总经理", "兼职副主席"),
    ("member-zhou", "周强", 3, "董事长", "副会长"),
    ("member-wu", "吴敏", 4, "总经理", None),
    ("member-zheng", "郑海", 5, "副总经理", None),
]


def seed(*, password: str) -> None:
    for order, (name, takes_duty) in enumerate(TITLES, start=1):
        ChamberTitle.objects.get_or_create(
            name=name, defaults={"takes_duty": takes_duty, "sort_order": order}
        )
    enterprises = []
    for name, area, first17 in ENTERPRISES:
        enterprise, _ = Enterprise.objects.get_or_create(
            credit_code=first17 + check_character(first17),
            defaults={"name": name, "area": area, "joined_on": date(2022, 1, 1)},
        )
        enterprises.append(enterprise)
    year = timezone.localdate().year
    for username, full_name, index, position, title in MEMBERS:
        user = demo_user(username=username, full_name=full_name, password=password)
        member, _ = Member.objects.get_or_create(
            user=user, defaults={"enterprise": enterprises[index], "position": position}
        )
        if title:
            TitleTerm.objects.get_or_create(
                member=member,
                title=ChamberTitle.objects.get(name=title),
                defaults={
                    "starts_on": date(year - 1, 1, 1),
                    "ends_on": date(year + 3, 12, 31),
                },
            )
