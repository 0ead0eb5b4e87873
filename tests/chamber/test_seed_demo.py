"""seed_demo: refuses in production, creates the README's demo logins, and is idempotent."""

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from chamber.models import User
from chamber.roles import Role, roles_of
from members.models import Area, Enterprise
from tests.support.seed_demo import seed

# The demo logins and their roles, as README.md's "Demo logins" table lists them.
DEMO_ROLES = {
    "demo-staff": {Role.STAFF},
    "demo-member": {Role.MEMBER},
    "demo-rep": {Role.MEMBER, Role.REPRESENTATIVE},
    "demo-official": {Role.OFFICIAL},
    "demo-leader": {Role.LEADER},
}
SNAPSHOT_APPS = ["chamber", "members", "auth", "django_celery_beat"]


def _snapshot() -> dict[str, str]:
    """Every row of every model of the seeded apps, serialised in primary-key order."""
    return {
        model._meta.label: serializers.serialize(
            "json", model._default_manager.order_by("pk")
        )
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    }


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")

    assert not User.objects.filter(username__startswith="demo-").exists()


def test_seed_demo_runs_without_force_when_debug_is_on(db, settings):
    settings.DEBUG = True

    call_command("seed_demo")

    assert User.objects.filter(username="demo-staff").exists()


# The password the module's one seeding is made with: not the default.
PASSPHRASE = "another-demo-passphrase"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seeding shared by the module's tests (each in a savepoint of its own), rolled
    back after them; its output."""
    with (
        django_db_blocker.unblock(),
        override_settings(DEMO_PASSWORD=PASSPHRASE),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


def test_seed_demo_creates_the_five_demo_logins_with_the_demo_password(seeded, db):
    for username in DEMO_ROLES:
        user = User.objects.get(username=username)
        assert user.is_active
        assert user.check_password(PASSPHRASE), username
        assert username in seeded


@pytest.mark.parametrize("username", sorted(DEMO_ROLES))
def test_each_demo_login_has_the_role_the_readme_promises(seeded, db, username):
    user = User.objects.get(username=username)

    assert set(roles_of(user).roles) == DEMO_ROLES[username]


def test_demo_member_belongs_to_the_enterprise_the_readme_names(seeded, db):
    member = User.objects.get(username="demo-member").member
    official = User.objects.get(username="demo-official").official

    assert member.enterprise.name == "营口辽河装备制造有限公司"
    assert official.department.name == "西市区教育局"


def test_demo_staff_can_open_the_staff_dashboard_and_the_admin(seeded, db, client):
    client.force_login(User.objects.get(username="demo-staff"))

    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/members/enterprise/").status_code == 200


def test_seed_demo_twice_changes_nothing(seeded, db):
    before = _snapshot()

    seed()

    after = _snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label


def test_seed_demo_keeps_a_password_changed_after_the_first_run(seeded, db):
    user = User.objects.get(username="demo-member")
    user.set_password("changed-by-the-user-42")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-42")


def test_demo_enterprises_are_valid_and_cover_all_three_areas(seeded, db):
    enterprises = list(Enterprise.objects.all())
    for enterprise in enterprises:
        enterprise.full_clean()
    assert {e.area for e in enterprises} == set(Area.values)
