"""Factories that build valid objects by default (credit codes pass their checksum)."""

from datetime import date, datetime, time, timedelta

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


def valid_credit_code(n: int) -> str:
    first17 = f"91210803MA{n:07d}"
    return first17 + check_character(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"营口测试企业{n}有限公司")
    credit_code = factory.Sequence(valid_credit_code)
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


def _this_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())


def _working_days_of_week(monday) -> list:
    """The week's working days (chamber.workdays); Monday to Friday if it has none."""
    from chamber.workdays import working_days

    week = working_days(monday, monday + timedelta(days=6))
    return week or [monday, monday + timedelta(days=4)]


class DutyShiftFactory(factory.django.DjangoModelFactory):
    """This week's duty shift (pass week_start for another), held by a new representative."""

    class Meta:
        model = "members.DutyShift"

    week_start = factory.LazyFunction(_this_monday)
    first_day = factory.LazyAttribute(lambda s: _working_days_of_week(s.week_start)[0])
    last_day = factory.LazyAttribute(lambda s: _working_days_of_week(s.week_start)[-1])
    representative = factory.SubFactory(RepresentativeFactory)


class DutyLogEntryFactory(factory.django.DjangoModelFactory):
    """A visit on the first working day of the shift at 10:00, recorded by its representative."""

    class Meta:
        model = "members.DutyLogEntry"

    shift = factory.SubFactory(DutyShiftFactory)
    visitor_name = factory.Sequence(lambda n: f"来访人{n}")
    visitor_enterprise = "营口某商贸有限公司"
    subject = "咨询惠企政策"
    visited_at = factory.LazyAttribute(
        lambda e: timezone.make_aware(datetime.combine(e.shift.first_day, time(10)))
    )
    recorded_by = factory.LazyAttribute(lambda e: e.shift.representative.user)


class DutyRepresentativeFactory(MemberFactory):
    """A member holding a duty-taking title over fixed dates: 2025 to 2027 unless told.

    Rota tests work on 2026 (its Spring Festival and National Day) whatever year the
    suite runs in; pass term__starts_on / term__ends_on for a shorter term.
    """

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"duty-rep{n}")
    )

    @factory.post_generation
    def term(obj, create, extracted, **kwargs):
        if create:
            TitleTermFactory(
                member=obj,
                starts_on=kwargs.get("starts_on", date(2025, 1, 1)),
                ends_on=kwargs.get("ends_on", date(2027, 12, 31)),
            )


class DutyStudioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.DutyStudio"

    name = "工商联代表人士工作室"
    address = "中共西市区委统战部一楼（西市区渤海大街西5号）"
    hours = "工作日 9:00–17:00"


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    """Days a representative declared they cannot serve (written directly, no swap opened)."""

    class Meta:
        model = "members.Unavailability"

    member = factory.SubFactory(RepresentativeFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda u: u.starts_on)
    reason = "外出"


class ActivityGroupFactory(factory.django.DjangoModelFactory):
    """A group of this year, numbered 1, 2, 3, … (pass year= and number= for others)."""

    class Meta:
        model = "groups.ActivityGroup"
        django_get_or_create = ["year", "number"]

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    number = factory.Sequence(lambda n: n + 1)


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    """A new member in a new group of this year; the year is the group's."""

    class Meta:
        model = "groups.GroupMembership"

    group = factory.SubFactory(ActivityGroupFactory)
    member = factory.SubFactory(MemberFactory)
    year = factory.LazyAttribute(lambda m: m.group.year)
    is_leader = False


class PointRuleFactory(factory.django.DjangoModelFactory):
    """A rule for taking part in an activity, any scale, any year.

    Points entries have no factory: tests write them through groups.services, the
    only way the portal writes them.
    """

    class Meta:
        model = "groups.PointRule"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"rule-{n}")
    name = factory.Sequence(lambda n: f"参加活动{n}")
    points = 2
    applies_to = "participant"


class AwardKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "groups.AwardKind"
        django_get_or_create = ["name"]

    name = "最具活力组"
    awarded_to = "group"
    rank_by = "average"
    winners = 1


class ActivityTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ActivityType"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"主题活动{n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    """A published activity that starts in 7 days and lasts 2 hours, with no place limit."""

    class Meta:
        model = "activities.Activity"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"走进会员企业{n}")
    type = factory.SubFactory(ActivityTypeFactory)
    status = "published"
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    )
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(hours=2))
    capacity = None
    place = "西市区工商联会议室"


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Series"
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"企业家会客厅{n}")


# --- petitions ------------------------------------------------------------------------


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "petitions.Category"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    working_days = 10
    urgent_working_days = 3


class PetitionFactory(factory.django.DjangoModelFactory):
    """A submitted petition with its first event, as intake leaves it.

    Use the services (petitions.services) to move it on: that is what writes the events.
    """

    class Meta:
        model = "petitions.Petition"
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"XS-T-{n:05d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    channel = "online"
    title = factory.Sequence(lambda n: f"诉求{n}：办证进度")
    description = "希望尽快办理相关手续。"
    category = factory.SubFactory(CategoryFactory)
    created_at = factory.LazyFunction(timezone.now)
    # The daily study's triage clock starts at receipt, as intake sets it.
    awaiting_triage_since = factory.SelfAttribute("created_at")

    @factory.post_generation
    def received_event(obj, create, extracted, **kwargs):
        if create:
            from petitions.models import PetitionEvent

            PetitionEvent.objects.create(
                petition=obj,
                kind="status",
                to_status="submitted",
                is_public=True,
                created_at=obj.created_at,
            )


def copy_petitions_up_to(total: int, *, batch: int = 2000) -> None:
    """Grow the petitions to `total` by copying the ones there are, in turn, with their
    events and escalations (bulk_create): the same mix at a larger scale, for the tests
    that a page's queries do not grow with the data (10 and 10,000 petitions)."""
    from petitions.models import Escalation, Petition, PetitionEvent

    models = list(Petition.objects.order_by("pk"))
    events = {}
    for event in PetitionEvent.objects.order_by("pk"):
        events.setdefault(event.petition_id, []).append(event)
    escalations = {}
    for escalation in Escalation.objects.order_by("pk"):
        escalations.setdefault(escalation.petition_id, []).append(escalation)
    made = len(models)
    while made < total:
        originals, copies = [], []
        for _ in range(min(batch, total - made)):
            original = models[made % len(models)]
            copy = Petition(
                **{
                    f.attname: getattr(original, f.attname)
                    for f in Petition._meta.concrete_fields
                    if not f.primary_key
                }
            )
            copy.number = f"XS-C-{made:06d}"
            originals.append(original)
            copies.append(copy)
            made += 1
        Petition.objects.bulk_create(copies)
        for model, rows in ((PetitionEvent, events), (Escalation, escalations)):
            model.objects.bulk_create(
                model(
                    **{
                        f.attname: getattr(row, f.attname)
                        for f in model._meta.concrete_fields
                        if not f.primary_key
                    }
                    | {"petition_id": copy.pk}
                )
                for original, copy in zip(originals, copies, strict=True)
                for row in rows.get(original.pk, [])
            )
