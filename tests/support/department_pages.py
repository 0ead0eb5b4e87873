"""A department's petitions and the requests its pages answer
(tests/petitions/test_pages_department.py)."""

from datetime import timedelta
from importlib import import_module

from django.urls import reverse
from django.utils import timezone, translation

from petitions import services
from petitions.models import Category, Petition
from tests.factories import (
    CategoryFactory,
    PetitionFactory,
)

ACTIONS = ("sign", "return", "progress", "reply")
FULL_POST = {
    "basis": "该事项属于区市场监管局职责",
    "note": "已现场查看",
    "outcome": "resolved",
    "reply": "已协调解决。",
}
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


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def action_url(petition: Petition, action: str) -> str:
    return reverse("petitions:department_action", args=[petition.pk, action])


def detail_url(petition: Petition) -> str:
    return reverse("petitions:department_detail", args=[petition.pk])


def dispatched(
    staff, department, title: str = "厂区供电容量不足", *, enterprise=None
) -> Petition:
    """A petition triaged by staff and dispatched to `department` today."""
    petition = PetitionFactory(
        title=title, **({"enterprise": enterprise} if enterprise else {})
    )
    services.accept_petition(
        petition=petition,
        actor=staff,
        category=category("approvals"),
        priority="normal",
        handling="department",
    )
    return services.dispatch_petition(
        petition=petition, department=department, actor=staff
    )


def signed(
    staff, official, title: str = "厂区供电容量不足", *, due_in_days: int | None = None
):
    petition = dispatched(staff, official.department, title)
    services.sign_petition(petition=petition, actor=official.user)
    if due_in_days is not None:
        Petition.objects.filter(pk=petition.pk).update(
            due_on=timezone.localdate() + timedelta(days=due_in_days)
        )
    petition.refresh_from_db()
    return petition
