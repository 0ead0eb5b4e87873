"""Roles follow from the data; the staff pages and the admin are for staff only."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from chamber.models import User
from chamber.roles import SECRETARIAT_APPS, Role, roles_of, sync_secretariat_group
from members.models import TitleTerm
from tests.factories import (
    PASSWORD,
    ChamberTitleFactory,
    DepartmentFactory,
    MemberFactory,
    OfficialFactory,
    UserFactory,
)
from tests.support.roles import user_change_form

# Queries of one staff dashboard request after the first: the user, the heartbeat, the
# outbox's counts, the day's work on petitions (one query, and the method's rules) and the
# monthly topics' overdue tasks (one), the three worklists (回访, 延期, 待企业补充: one each,
# and the rules), the showcases waiting, this week's shift, today's visitors and their
# count, this week's activities, the open swap requests, the review steps' last runs and
# their schedules, the failed weekly digests.
DASHBOARD_MAX_QUERIES = 19


def _fresh(user: User) -> User:
    """The user as the next request loads it, without roles cached on the object."""
    return User.objects.get(pk=user.pk)


def test_anonymous_user_has_no_role():
    assert roles_of(AnonymousUser()).roles == frozenset()
    assert roles_of(None).roles == frozenset()


def test_member_is_a_member_only(alice):
    assert roles_of(_fresh(alice.user)).roles == {Role.MEMBER}


def test_representative_is_a_member_and_a_representative(rep):
    assert roles_of(_fresh(rep.user)).roles == {Role.MEMBER, Role.REPRESENTATIVE}


def test_official_is_an_official_only(official):
    assert roles_of(_fresh(official.user)).roles == {Role.OFFICIAL}


def test_leader_is_a_leader_only(leader):
    assert roles_of(_fresh(leader.user)).roles == {Role.LEADER}


def test_staff_is_staff_only(staff):
    assert roles_of(_fresh(staff)).roles == {Role.STAFF}


def test_plain_user_has_no_role(db):
    assert roles_of(UserFactory()).roles == frozenset()


def test_representative_whose_term_ended_is_a_member_again(db):
    today = timezone.localdate()
    member = MemberFactory()
    TitleTerm.objects.create(
        member=member,
        title=ChamberTitleFactory(),
        starts_on=today - timedelta(days=400),
        ends_on=today - timedelta(days=1),
    )

    assert roles_of(_fresh(member.user)).roles == {Role.MEMBER}


def test_representative_whose_term_has_not_started_is_not_one_yet(db):
    today = timezone.localdate()
    member = MemberFactory()
    TitleTerm.objects.create(
        member=member,
        title=ChamberTitleFactory(),
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=400),
    )

    assert not roles_of(_fresh(member.user)).is_representative


def test_title_without_duty_shifts_does_not_make_a_representative(db):
    today = timezone.localdate()
    member = MemberFactory()
    TitleTerm.objects.create(
        member=member,
        title=ChamberTitleFactory(name="常务理事", takes_duty=False),
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )

    assert not roles_of(_fresh(member.user)).is_representative


def test_inactive_official_has_no_official_role(official):
    official.is_active = False
    official.save()

    assert roles_of(_fresh(official.user)).roles == frozenset()


def test_inactive_leader_has_no_leader_role(leader):
    leader.is_active = False
    leader.save()

    assert roles_of(_fresh(leader.user)).roles == frozenset()


def test_deactivated_user_loses_every_role(rep):
    User.objects.filter(pk=rep.user.pk).update(is_active=False)

    assert roles_of(_fresh(rep.user)).roles == frozenset()


def test_staff_without_the_secretariat_group_is_still_staff(staff):
    staff.groups.clear()

    assert roles_of(_fresh(staff)).is_staff


def test_a_person_may_hold_several_roles(db):
    official = OfficialFactory()
    MemberFactory(user=official.user)

    assert roles_of(_fresh(official.user)).roles == {Role.MEMBER, Role.OFFICIAL}


def test_staff_dashboard_is_open_to_staff(client, staff):
    client.force_login(staff)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 200
    assert "工作台" in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "rep", "official", "leader"])
def test_staff_dashboard_is_refused_to_non_staff(client, request, persona):
    who = request.getfixturevalue(persona)
    client.force_login(who.user)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 403


def test_staff_dashboard_sends_anonymous_users_to_the_login_page(client, db):
    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('login')}?next={reverse('staff_dashboard')}"
    )


@pytest.mark.parametrize("n", [1, 25])
def test_staff_dashboard_query_count_does_not_grow_with_the_data(
    client, staff, django_assert_max_num_queries, n
):
    for _ in range(n):
        OfficialFactory(department=DepartmentFactory())
        MemberFactory()
    client.force_login(staff)
    client.get(reverse("staff_dashboard"))  # the first request fills the session cache

    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 200


def test_navigation_shows_the_staff_dashboard_link_to_staff(client, staff):
    client.force_login(staff)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("staff_dashboard")}">工作台</a>' in html
    assert f'href="{reverse("admin:index")}"' in html


@pytest.mark.parametrize("persona", ["alice", "rep", "official", "leader", None])
def test_navigation_hides_the_staff_dashboard_from_everyone_else(
    client, db, request, persona
):
    if persona:
        client.force_login(request.getfixturevalue(persona).user)

    html = client.get(reverse("home")).content.decode()

    assert "工作台" not in html
    assert f'href="{reverse("staff_dashboard")}"' not in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_navigation_link_is_in_english_for_english_readers(client, staff):
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("staff_dashboard")}">Staff dashboard</a>' in html


def test_secretariat_group_holds_only_the_portals_permissions(db):
    group = sync_secretariat_group()

    labels = set(group.permissions.values_list("content_type__app_label", flat=True))

    assert labels <= set(SECRETARIAT_APPS)
    assert "auth" not in labels
    assert not group.permissions.filter(content_type__app_label="axes").exists()
    assert group.permissions.filter(codename="change_user").exists()


def test_secretariat_group_sync_twice_changes_nothing(db):
    first = set(sync_secretariat_group().permissions.values_list("pk", flat=True))

    second = set(sync_secretariat_group().permissions.values_list("pk", flat=True))

    assert first == second


def test_admin_index_is_open_to_staff(client, staff):
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "official"])
def test_admin_index_sends_non_staff_to_the_admin_login(client, request, persona):
    client.force_login(request.getfixturevalue(persona).user)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_sees_is_superuser_read_only_in_the_user_form(client, staff):
    client.force_login(staff)

    response = client.get(reverse("admin:chamber_user_change", args=[staff.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="is_staff"' in html
    assert 'name="is_superuser"' not in html
    assert 'name="user_permissions"' not in html


def test_staff_cannot_make_themselves_superuser_through_the_admin(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("admin:chamber_user_change", args=[staff.pk]),
        user_change_form(
            staff,
            full_name="改过的名字",
            is_superuser="on",
            user_permissions=["1"],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    staff.refresh_from_db()
    assert staff.full_name == "改过的名字"
    assert staff.is_superuser is False
    assert not staff.user_permissions.exists()


def test_superuser_may_grant_superuser_rights(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    target = UserFactory(is_staff=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:chamber_user_change", args=[target.pk]),
        user_change_form(target, is_superuser="on"),
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_superuser is True


def test_staff_cannot_take_over_a_superuser_account_in_the_admin(client, staff):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    page = client.get(reverse("admin:chamber_user_change", args=[superuser.pk]))
    password = client.post(
        reverse("admin:auth_user_password_change", args=[superuser.pk]),
        {
            "password1": "taken-over-by-staff-1",
            "password2": "taken-over-by-staff-1",
            "usable_password": "true",
        },
    )

    assert page.status_code == 302
    assert page["Location"] == reverse("admin:index")
    assert password.status_code == 404
    superuser.refresh_from_db()
    assert superuser.check_password(PASSWORD)
    assert not superuser.check_password("taken-over-by-staff-1")


def test_staff_can_still_reset_a_members_password_in_the_admin(client, staff, alice):
    client.force_login(staff)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.user.pk]),
        {
            "password1": "set-by-the-secretariat-1",
            "password2": "set-by-the-secretariat-1",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("set-by-the-secretariat-1")


def test_the_permission_check_finds_a_member_given_a_permission_through_a_group(
    alice, staff
):
    from django.contrib.auth.models import Group, Permission

    from chamber.roles import permission_hygiene

    assert permission_hygiene(databases=["default"]) == []
    group = Group.objects.create(name="会员小组")
    group.permissions.add(Permission.objects.get(codename="change_enterprise"))
    alice.user.groups.add(group)

    (error,) = permission_hygiene(databases=["default"])

    assert error.id == "chamber.E001"
    assert alice.user.username in error.msg


def test_check_with_the_database_passes_on_a_clean_portal(db, staff):
    from django.core.management import call_command

    call_command("check", "--database", "default", "--fail-level", "ERROR")


def test_a_new_machine_migrates_its_empty_database_with_the_checks_on(tmp_path):
    """`make run` starts with `migrate` on a database with no tables; migrate runs the
    database checks first, and the permission check must not need the tables."""
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}},
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FS_DIR": str(tmp_path / "broker"),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "var" / "db.sqlite3").stat().st_size > 0
