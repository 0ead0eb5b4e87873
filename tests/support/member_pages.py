"""A member's answered petition and its rating link
(tests/petitions/test_pages_member.py)."""

from importlib import import_module

from django.urls import reverse

from petitions import services
from petitions.models import Category, Petition
from petitions.tokens import rating_token
from tests.factories import CategoryFactory

ANSWER = "已协调供电公司，本月底前完成增容。"
TITLE = "厂区供电容量不足"
# The categories the data migration petitions/0003 seeds. Transactional tests (the browser
# tests) empty every table, seeded rows too, and may run before this module: a category
# is made again when missing, with its seeded name and time limits.
SEEDED = {
    code: (name, days, urgent)
    for code, name, days, urgent in import_module(
        "petitions.migrations.0003_categories_and_schedule"
    ).CATEGORIES
}


def category(code: str) -> Category:
    name, days, urgent = SEEDED[code]
    return CategoryFactory(
        code=code, name=name, working_days=days, urgent_working_days=urgent
    )


def submitted(member, **kwargs) -> Petition:
    kwargs.setdefault("title", TITLE)
    kwargs.setdefault("description", "新生产线用电需求增加，申请协调供电公司增容。")
    return services.submit_petition(
        enterprise=member.enterprise,
        channel="online",
        submitted_by=member.user,
        **kwargs,
    )


def answered(member, staff, official, **kwargs) -> Petition:
    """Alice's petition, taken through triage, the department and the chamber's answer."""
    petition = submitted(member, **kwargs)
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category("infrastructure"),
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    services.sign_petition(petition=petition, actor=official.user)
    services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已协调增容。"
    )
    return services.answer_petition(petition=petition, actor=staff, answer=ANSWER)


def link_for(petition: Petition, member) -> str:
    token = rating_token(
        petition_id=petition.pk,
        answer_round=petition.answer_round,
        user_id=member.user_id,
    )
    return reverse("petitions:rate_by_link", args=[token])
