"""The certificates of honour (荣誉证书) of the published awards, on paper (issue 21).

One kind, "award-certificate": one A4 landscape page per award, so a single certificate
and a year's batch are the same template (`certificates` holds one or many). Only a
published award has a certificate (`published_certificates`). Every value handed to the
template is plain text, a number or a date.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from chamber import documents
from chamber.times import beijing_date
from groups.models import Award
from members.models import Member

KEY = "award-certificate"


def published_certificates() -> QuerySet[Award]:
    """The awards that have a certificate: the published ones, with their winners."""
    return Award.objects.filter(published_at__isnull=False).select_related(
        "kind", "group", "member__user", "member__enterprise"
    )


def certificates_of(member: Member | None) -> QuerySet[Award]:
    """A member's certificates: their published awards and their groups' ones."""
    if member is None:
        return Award.objects.none()
    return (
        published_certificates()
        .filter(Q(member=member) | Q(group__memberships__member=member))
        .order_by("-year", "kind__sort_order", "pk")
    )


def certificate_of(award: Award) -> dict:
    """What one certificate prints: the award, the winner, the year, the date, a number."""
    if award.group_id:
        winner, detail = award.group.label, award.group.name
    else:
        winner, detail = award.member.user.get_full_name(), award.member.enterprise.name
    return {
        "award": award.kind.name,
        "winner": winner,
        "winner_detail": detail,
        "year": award.year,
        "date": beijing_date(award.published_at),
        "number": f"{award.year}-{award.pk:04d}",
    }


def context_of(awards: list[Award]) -> dict:
    return {"certificates": [certificate_of(award) for award in awards]}


def filename(award: Award) -> str:
    """荣誉证书_2025_优秀会员_张三.pdf"""
    return f"{documents.KINDS[KEY].label}_{award.year}_{award.kind.name}_{certificate_of(award)['winner']}.pdf"


def batch_filename(year: int) -> str:
    """荣誉证书_2025.pdf"""
    return f"{documents.KINDS[KEY].label}_{year}.pdf"


def sample() -> dict:
    """A group's and a member's certificate, rare characters included."""
    return {
        "certificates": [
            {
                "award": "最具活力组",
                "winner": "第3小组",
                "winner_detail": "鲅鱼圈先锋队",
                "year": 2025,
                "date": date(2026, 1, 15),
                "number": "2025-0001",
            },
            {
                "award": "优秀会员",
                "winner": "王㙟",
                "winner_detail": "营口鲅鱼圈㙟记海产有限公司",
                "year": 2025,
                "date": date(2026, 1, 15),
                "number": "2025-0002",
            },
        ]
    }


documents.register(documents.Kind(KEY, gettext_lazy("certificate of honour"), sample))
