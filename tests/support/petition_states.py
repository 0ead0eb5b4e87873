"""The petition workflow's world and its moves, through the services only: every state
a petition can be in, built the way it gets there (tests/petitions/test_workflow.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from chamber.models import Department, User
from members.models import Member
from petitions import services
from petitions.models import Category, Petition, PetitionEvent
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    PetitionFactory,
)

S = Petition.Status
NORMAL, URGENT = Petition.Priority.NORMAL, Petition.Priority.URGENT
BY_DEPARTMENT, BY_CHAMBER = Petition.Handling.DEPARTMENT, Petition.Handling.CHAMBER
RESOLVED, PARTLY = Petition.Outcome.RESOLVED, Petition.Outcome.PARTLY
YINGKOU = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Asia/Shanghai (the site's time zone)."""
    return datetime(year, month, day, hour, minute, tzinfo=YINGKOU)


# An ordinary working fortnight (no holidays in March 2026): petitions are brought to
# their state on Monday 2 March, the move under test is made on Tuesday 3 March.
NOW = at(2026, 3, 2)
LATER = at(2026, 3, 3)
ACCEPT_NOTE = "归口区发改局办理"
DISPATCH_NOTE = "请于时限内答复企业"
REPLY = "已协调供电公司，本周内完成增容。"
ANSWER = "经区发改局协调，供电增容已于本周完成。"
COMPLAINT = "增容仍未完成，请继续跟进。"
REJECT_REASON = "该事项属于司法程序，工商联无法受理，建议通过法律途径解决。"
MERGE_REASON = "与贵企业此前提交的诉求为同一事项，合并办理。"
INFO_REQUEST = "请补充提供用电报装申请表及营业执照复印件。"
INFO_ANSWER = "已上传用电报装申请表及营业执照复印件。"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    staff: User
    department: Department
    official: User  # an official of `department`
    member: Member  # of the petitioning enterprise
    category: Category  # 10 working days, 3 when urgent
    target: Petition  # another open petition, to merge into

    def user(self, who: str) -> User:
        return self.member.user if who == "member" else getattr(self, who)


@pytest.fixture
def w(staff) -> World:
    department = DepartmentFactory(name="西市区发展和改革局")
    member = MemberFactory(enterprise__name="营口甲机械制造有限公司")
    return World(
        staff=staff,
        department=department,
        official=OfficialFactory(department=department).user,
        member=member,
        category=CategoryFactory(
            name="要素保障", working_days=10, urgent_working_days=3
        ),
        target=PetitionFactory(enterprise=member.enterprise, created_at=NOW),
    )


def reload(petition: Petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def snapshot() -> tuple[list[dict], list[int]]:
    """Every petition row as stored, and the ids of every event."""
    return (
        list(Petition.objects.order_by("pk").values()),
        list(PetitionEvent.objects.order_by("pk").values_list("pk", flat=True)),
    )


def submitted(w: World, **kwargs) -> Petition:
    return PetitionFactory(
        enterprise=w.member.enterprise,
        submitted_by=w.member.user,
        category=kwargs.pop("category", w.category),
        created_at=NOW,
        **kwargs,
    )


def accepted(
    w: World, handling: str = BY_DEPARTMENT, priority: str = NORMAL
) -> Petition:
    return services.accept_petition(
        petition=submitted(w),
        actor=w.staff,
        category=w.category,
        priority=priority,
        handling=handling,
        now=NOW,
    )


def dispatched(w: World) -> Petition:
    return services.dispatch_petition(
        petition=accepted(w), department=w.department, actor=w.staff, now=NOW
    )


def in_progress(w: World) -> Petition:
    return services.sign_petition(petition=dispatched(w), actor=w.official, now=NOW)


def awaiting_review(w: World) -> Petition:
    return services.record_department_reply(
        petition=in_progress(w),
        actor=w.official,
        outcome=RESOLVED,
        reply=REPLY,
        now=NOW,
    )


def replied(w: World) -> Petition:
    return services.answer_petition(
        petition=awaiting_review(w), actor=w.staff, answer=ANSWER, now=NOW
    )


def replied_by_chamber(w: World) -> Petition:
    return services.answer_petition(
        petition=accepted(w, handling=BY_CHAMBER),
        actor=w.staff,
        answer=ANSWER,
        outcome=RESOLVED,
        now=NOW,
    )


def closed(w: World) -> Petition:
    return services.rate_petition(
        solved="solved",
        petition=replied(w),
        rating=Petition.Rating.SATISFIED,
        actor=w.member.user,
        now=NOW,
    )


def awaiting_info(w: World) -> Petition:
    """Signed for, then the department asks the enterprise for documents (待企业补充)."""
    return services.ask_enterprise(
        petition=in_progress(w), actor=w.official, request=INFO_REQUEST, now=NOW
    ).petition


def rejected(w: World) -> Petition:
    return services.reject_petition(
        petition=submitted(w), actor=w.staff, reason=REJECT_REASON, now=NOW
    )


def merged(w: World) -> Petition:
    return services.merge_petition(
        petition=submitted(w),
        into=w.target,
        actor=w.staff,
        reason=MERGE_REASON,
        now=NOW,
    )


STATES: dict[str, Callable[[World], Petition]] = {
    "submitted": submitted,
    "uncategorised": lambda w: submitted(w, category=None),
    "accepted": accepted,
    "accepted_for_chamber": lambda w: accepted(w, handling=BY_CHAMBER),
    "dispatched": dispatched,
    "in_progress": in_progress,
    "awaiting_review": awaiting_review,
    "awaiting_info": awaiting_info,
    "replied": replied,
    "replied_by_chamber": replied_by_chamber,
    "closed": closed,
    "rejected": rejected,
    "merged": merged,
}
# The status each state builder leaves its petition in.
STATE_STATUS = {
    "submitted": S.SUBMITTED,
    "uncategorised": S.SUBMITTED,
    "accepted": S.ACCEPTED,
    "accepted_for_chamber": S.ACCEPTED,
    "dispatched": S.DISPATCHED,
    "in_progress": S.IN_PROGRESS,
    "awaiting_review": S.IN_PROGRESS,
    "awaiting_info": S.AWAITING_INFO,
    "replied": S.REPLIED,
    "replied_by_chamber": S.REPLIED,
    "closed": S.CLOSED,
    "rejected": S.REJECTED,
    "merged": S.MERGED,
}


def accept(w, p):
    return services.accept_petition(
        petition=p,
        actor=w.staff,
        category=w.category,
        priority=NORMAL,
        handling=BY_DEPARTMENT,
        note=ACCEPT_NOTE,
        now=LATER,
    )


def dispatch(w, p):
    return services.dispatch_petition(
        petition=p,
        department=w.department,
        actor=w.staff,
        note=DISPATCH_NOTE,
        now=LATER,
    )


def sign_as_staff(w, p):
    return services.sign_petition(petition=p, actor=w.staff, now=LATER)


def answer(w, p):
    return services.answer_petition(
        petition=p, actor=w.staff, answer=ANSWER, outcome=RESOLVED, now=LATER
    )


def answer_info(w, p):
    return services.answer_info_request(
        petition=p, actor=w.member.user, answer=INFO_ANSWER, now=LATER
    )


def close_info(w, p):
    """Staff close the request: refused on LATER, before the enterprise's time is up."""
    return services.close_info_request(
        petition=p, actor=w.staff, note="企业逾期未补充", now=LATER
    )


def rate(rating: str, comment: str = ""):
    def rate_it(w, p):
        return services.rate_petition(
            solved="solved",
            petition=p,
            rating=rating,
            comment=comment,
            actor=w.member.user,
            now=LATER,
        )

    rate_it.__name__ = f"rate_{rating}"
    return rate_it


satisfied = rate(Petition.Rating.SATISFIED)
basically = rate(Petition.Rating.BASICALLY, "基本解决，感谢")
unsatisfied = rate(Petition.Rating.UNSATISFIED, COMPLAINT)


def reject(w, p):
    return services.reject_petition(
        petition=p, actor=w.staff, reason=REJECT_REASON, now=LATER
    )


def merge(w, p):
    return services.merge_petition(
        petition=p, into=w.target, actor=w.staff, reason=MERGE_REASON, now=LATER
    )


OUTSIDERS = {
    "official of another department": lambda w: OfficialFactory().user,
    "former official of the department": lambda w: (
        OfficialFactory(department=w.department, is_active=False).user
    ),
    "district leader": lambda w: LeaderFactory().user,
    "the petitioning member": lambda w: w.member.user,
}
