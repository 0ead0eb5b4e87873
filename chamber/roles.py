"""Who may do what: the five roles of the portal, derived from the data.

Roles are not stored in a field or in auth groups. Each follows from a record that
must exist anyway, so a role can never disagree with the data:

- staff: ``user.is_staff`` (the secretariat); admin permissions come from the
  "Secretariat" group, which holds every permission of the portal's apps;
- member: the user has a ``members.Member`` whose enterprise has not left the chamber;
- representative: a member who holds, today, a chamber title that takes duty shifts;
- official: the user has an active ``Official`` record with a department;
- leader: the user has an active ``Official`` record marked as a district leader.

A user may hold several roles (a representative is also a member). The reverse
relations ``user.member`` and ``user.official`` are read without importing the
apps below chamber, which keeps imports flowing one way.
"""

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

SECRETARIAT_GROUP = "Secretariat"
# Apps whose every permission the secretariat holds. Not django_celery_beat: the
# schedule's times are the superusers' (a wrong crontab silently stops the review cycle).
SECRETARIAT_APPS = (
    "chamber",
    "members",
    "groups",
    "activities",
    "petitions",
    "publicity",
)


class Role(models.TextChoices):
    STAFF = "staff", _("staff")
    MEMBER = "member", _("member")
    REPRESENTATIVE = "representative", _("representative")
    OFFICIAL = "official", _("official")
    LEADER = "leader", _("leader")


class UserRoles:
    """The roles of one user for one request; computed once, on first use."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def member(self):
        if not self.user.is_authenticated:
            return None
        member = getattr(self.user, "member", None)
        # A member of an enterprise that has left the chamber is no longer a member.
        return member if member is not None and member.is_current else None

    @cached_property
    def official(self):
        if not self.user.is_authenticated:
            return None
        official = getattr(self.user, "official", None)
        return official if official is not None and official.is_active else None

    @cached_property
    def roles(self) -> frozenset[Role]:
        found = set()
        if self.user.is_authenticated and self.user.is_active:
            if self.user.is_staff:
                found.add(Role.STAFF)
            if self.member is not None:
                found.add(Role.MEMBER)
                if _is_representative_today(self.user, self.member):
                    found.add(Role.REPRESENTATIVE)
            if self.official is not None:
                if self.official.is_leader:
                    found.add(Role.LEADER)
                if self.official.department_id is not None:
                    found.add(Role.OFFICIAL)
        return frozenset(found)

    def __contains__(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_staff(self) -> bool:
        return Role.STAFF in self

    @property
    def is_member(self) -> bool:
        return Role.MEMBER in self

    @property
    def is_representative(self) -> bool:
        return Role.REPRESENTATIVE in self

    @property
    def is_official(self) -> bool:
        return Role.OFFICIAL in self

    @property
    def is_leader(self) -> bool:
        return Role.LEADER in self

    def labels(self) -> list[str]:
        return [str(role.label) for role in Role if role in self.roles]


# Whether a member holds a duty title today is asked on every page (the navigation);
# it changes only when staff edit a term, which forgets the cached answer. The answer is
# read together with the cached user (chamber.backends), keyed by the user.
REPRESENTATIVE_CACHE_SECONDS = 300


def _is_representative_today(user, member) -> bool:
    from django.core.cache import cache

    from chamber.backends import representative_cache_key

    today = timezone.localdate()
    cached = getattr(user, "_representative_today", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    answer = member.is_representative(today)
    user._representative_today = (today, answer)
    cache.set(
        representative_cache_key(user.pk), (today, answer), REPRESENTATIVE_CACHE_SECONDS
    )
    return answer


def roles_of(user) -> UserRoles:
    """The roles of a user, cached on the user object for the rest of the request."""
    user = user or AnonymousUser()
    cached = getattr(user, "_chamber_roles", None)
    if cached is None:
        cached = UserRoles(user)
        if not isinstance(user, AnonymousUser):
            user._chamber_roles = cached
    return cached


def sync_secretariat_group() -> Group:
    """Give the secretariat group every permission of the portal's apps; idempotent."""
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    wanted = set(
        Permission.objects.filter(
            content_type__app_label__in=SECRETARIAT_APPS
        ).values_list("pk", flat=True)
    )
    have = set(group.permissions.values_list("pk", flat=True))
    if wanted != have:
        group.permissions.set(wanted)
    return group


def sync_secretariat_group_after_migrate(sender, using=None, **kwargs) -> None:
    if apps.is_installed("django.contrib.auth"):
        sync_secretariat_group()


def permission_hygiene(app_configs=None, databases=None, **kwargs) -> list:
    """System check (run by `manage.py check --database default`): no account that is not
    staff holds a permission, directly or through a group. Members, representatives and
    officials act through the portal's pages, never through Django permissions, so a
    permission on such an account is a mistake made in the admin (the CiviCRM lesson)."""
    from django.contrib.auth import get_user_model
    from django.core.checks import Error
    from django.db import connections
    from django.db.models import Q

    User = get_user_model()
    # `migrate` runs the database checks before it creates the tables: on a new machine
    # there is nothing to check yet.
    databases = [
        alias
        for alias in databases or ()
        if User._meta.db_table in connections[alias].introspection.table_names()
    ]
    if not databases:
        return []
    users = User.objects.filter(is_staff=False, is_active=True).filter(
        Q(user_permissions__isnull=False)
        | Q(groups__permissions__isnull=False)
        | Q(is_superuser=True)
    )
    return [
        Error(
            f"{user.get_username()} is not staff but holds Django permissions.",
            hint="Remove the permissions and groups of this account in the admin, "
            "or make the account staff.",
            obj=user,
            id="chamber.E001",
        )
        for user in users.distinct().order_by("pk")[:20]
    ]
