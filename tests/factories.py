"""Factories that build valid objects by default (credit codes pass their checksum)."""

from datetime import date

import factory
from django.utils import timezone

from chamber.models import Department, Official, User
from chamber.roles import sync_secretariat_group
from members.credit_code import check_character
from members.models import Area, ChamberTitle, Enterprise, Member, TitleTerm

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def secretariat(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(sync_secretariat_group())


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"西市区第{n}局")


class OfficialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Official

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"official{n}")
    )
    department = factory.SubFactory(DepartmentFactory)
    position = "科长"


class LeaderFactory(OfficialFactory):
    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"leader{n}")
    )
    department = None
    is_leader = True
    position = "副区长"


def _credit_code(n: int) -> str:
    first17 = f"91210803MA{n:07d}"
    return first17 + check_character(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"营口测试企业{n}有限公司")
    credit_code = factory.Sequence(_credit_code)
    area = Area.XISHI


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"member{n}")
    )
    enterprise = factory.SubFactory(EnterpriseFactory)
    position = "总经理"


class ChamberTitleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChamberTitle
        django_get_or_create = ["name"]

    name = "副会长"
    takes_duty = True


class RepresentativeFactory(MemberFactory):
    """A member holding a duty-taking title this year and next."""

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"rep{n}")
    )

    @factory.post_generation
    def term(obj, create, extracted, **kwargs):
        if create:
            year = timezone.localdate().year
            TitleTerm.objects.create(
                member=obj,
                title=ChamberTitleFactory(),
                starts_on=date(year - 1, 1, 1),
                ends_on=date(year + 1, 12, 31),
            )


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Industry"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"行业{n}")


class TitleTermFactory(factory.django.DjangoModelFactory):
    """A term that covers today (from last year to the end of next year) unless told otherwise."""

    class Meta:
        model = TitleTerm

    member = factory.SubFactory(MemberFactory)
    title = factory.SubFactory(ChamberTitleFactory)
    starts_on = factory.LazyFunction(lambda: date(timezone.localdate().year - 1, 1, 1))
    ends_on = factory.LazyFunction(lambda: date(timezone.localdate().year + 1, 12, 31))
