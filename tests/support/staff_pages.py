"""The staff's petitions and the requests their pages answer
(tests/petitions/test_pages_staff.py)."""

from importlib import import_module

from django.urls import reverse
from django.utils import translation

from petitions import services
from petitions.models import (
    Category,
    Petition,
)
from tests.factories import (
    CategoryFactory,
    PetitionFactory,
)


def get(client, url: str, **kwargs):
    with translation.override("zh-hans"):
        return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def post(client, url: str, data=None, **kwargs):
    with translation.override("zh-hans"):
        return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans", **kwargs)


def act(client, petition: Petition, action: str, data=None):
    """POST a staff action and follow the redirect back to the petition's page."""
    return post(
        client,
        reverse("petitions:staff_action", args=[petition.pk, action]),
        data,
        follow=True,
    )


# The categories the data migration petitions/0003 seeds. Transactional tests (the browser
# tests) empty every table, seeded rows too, and may run before this module: a category
# is made again when missing, with its seeded name and time limits.
SEEDED = {
    code: (name, days, urgent)
    for code, name, days, urgent in import_module(
        "petitions.migrations.0003_categories_and_schedule"
    ).CATEGORIES
}


def category(code: str = "approvals") -> Category:
    name, days, urgent = SEEDED[code]
    return CategoryFactory(
        code=code, name=name, working_days=days, urgent_working_days=urgent
    )


def accepted(staff, *, handling: str = "department", **kwargs) -> Petition:
    petition = PetitionFactory(**kwargs)
    return services.accept_petition(
        petition=petition,
        actor=staff,
        category=category(),
        priority="normal",
        handling=handling,
    )


def dispatched(staff, department, **kwargs) -> Petition:
    petition = accepted(staff, **kwargs)
    return services.dispatch_petition(
        petition=petition, department=department, actor=staff
    )


def replied_by_department(staff, official, **kwargs) -> Petition:
    petition = dispatched(staff, official.department, **kwargs)
    services.sign_petition(petition=petition, actor=official.user)
    return services.record_department_reply(
        petition=petition, actor=official.user, outcome="resolved", reply="已协调解决。"
    )
