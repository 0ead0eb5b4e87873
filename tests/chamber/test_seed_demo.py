"""seed_demo: refuses in production, creates the README's demo logins, and is idempotent."""

import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from chamber.models import User
from chamber.roles import Role, roles_of
from members.models import Area, Enterprise

# The demo logins and their roles, as README.md's "Demo logins" table lists them.
DEMO_ROLES = {
    "demo-staff": {Role.STAFF},
    "demo-member": {Role.MEMBER},
    "demo-rep": {Role.MEMBER, Role.REPRESENTATIVE},
    "demo-official": {Role.OFFICIAL},
    "demo-leader": {Role.LEADER},
}
SNAPSHOT_APPS = ["chamber", "members", "auth", "django_celery_beat"]


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


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


def test_seed_demo_creates_the_five_demo_logins_with_the_demo_password(db, settings):
    settings.DEMO_PASSWORD = "another-demo-passphrase"

    output = _seed()

    for username in DEMO_ROLES:
        user = User.objects.get(username=username)
        assert user.is_active
        assert user.check_password("another-demo-passphrase"), username
        assert username in output


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(DEMO_ROLES))
def test_each_demo_login_has_the_role_the_readme_promises(username):
    _seed()

    user = User.objects.get(username=username)

    assert set(roles_of(user).roles) == DEMO_ROLES[username]


@pytest.mark.django_db
def test_demo_member_belongs_to_the_enterprise_the_readme_names():
    _seed()

    member = User.objects.get(username="demo-member").member
    official = User.objects.get(username="demo-official").official

    assert member.enterprise.name == "营口辽河装备制造有限公司"
    assert official.department.name == "西市区教育局"


@pytest.mark.django_db
def test_demo_staff_can_open_the_staff_dashboard_and_the_admin(client):
    _seed()
    client.force_login(User.objects.get(username="demo-staff"))

    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/members/enterprise/").status_code == 200


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    _seed()
    before = _snapshot()

    _seed()

    after = _snapshot()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label


@pytest.mark.django_db
def test_seed_demo_keeps_a_password_changed_after_the_first_run():
    _seed()
    user = User.objects.get(username="demo-member")
    user.set_password("changed-by-the-user-42")
    user.save()

    _seed()

    user.refresh_from_db()
    assert user.check_password("changed-by-the-user-42")


@pytest.mark.django_db
def test_demo_enterprises_are_valid_and_cover_all_three_areas():
    _seed()

    enterprises = list(Enterprise.objects.all())
    for enterprise in enterprises:
        enterprise.full_clean()
    assert {e.area for e in enterprises} == set(Area.values)


@pytest.mark.django_db(transaction=True)
def test_seeding_sends_no_mail_for_the_demos_past_and_records_it_as_sent(
    settings, mailoutbox
):
    """`make run` starts with an empty var/mail/: the history's notices are recorded as
    sent, so neither the worker nor the outbox's sweep sends them later."""
    from chamber import outbox
    from chamber.models import OutgoingMessage
    from publicity.models import DigestDelivery

    settings.DEBUG = True

    _seed()

    assert mailoutbox == []
    sent = OutgoingMessage.objects.filter(key__startswith="petition-dispatched:")
    assert sent.exists()
    assert not sent.exclude(status=OutgoingMessage.Status.SENT).exists()
    assert DigestDelivery.objects.exists()
    assert not DigestDelivery.objects.exclude(
        message__status=OutgoingMessage.Status.SENT
    ).exists()
    later = timezone.now() + timedelta(hours=2)
    assert outbox.sweep(now=later) == []
    _seed()
    assert mailoutbox == []
