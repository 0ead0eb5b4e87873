from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from chamber.models import User

# Every request of a logged-in person needs their user row, member and official records
# (the navigation, the roles) and whether they hold a duty title today. They come from
# one cache entry and one cache read, with no database query: being logged in used to
# cost more than a whole page's budget (docs/performance.md, issue 22).
#
# The entry lives a minute, and whatever changes what it holds forgets it at once:
# saving or deleting a User, a Member, an Official or an Enterprise (chamber.apps,
# members.apps), a bulk `User.objects....update()` (chamber.models.UserQuerySet: a
# deactivated account or a changed password acts at the next request), and editing a
# title term (the representative answer). A password changed by raw SQL would act
# within the minute; Django's session hash check then logs the person out.
USER_CACHE_SECONDS = 60


def user_cache_key(user_id) -> str:
    return f"auth:user:{user_id}"


def representative_cache_key(user_id) -> str:
    return f"roles:representative:{user_id}"


# Sent by `forget_users` with `user_ids`: a user's row or records changed (the member
# directory, kept in the cache by the members app, shows names and e-mail addresses).
users_changed = Signal()


def forget_users(*user_ids) -> None:
    """Forget the cached users now and again when the transaction commits (a request
    that read the old rows meanwhile must not keep them for the rest of the minute)."""
    user_ids = [pk for pk in user_ids if pk is not None]
    if not user_ids:
        return
    users_changed.send(sender=User, user_ids=user_ids)
    keys = [
        key
        for pk in user_ids
        for key in (user_cache_key(pk), representative_cache_key(pk))
    ]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _load(user_id) -> User | None:
    from chamber.models import Official

    user = User._default_manager.filter(pk=user_id).first()
    if user is None:
        return None
    member_model = User.member.related.related_model
    member = (
        member_model.objects.select_related("enterprise__industry")
        .filter(user=user)
        .first()
    )
    official = Official.objects.select_related("department").filter(user=user).first()
    User.member.related.set_cached_value(user, member)
    User.official.related.set_cached_value(user, official)
    return user


class UserBackend(ModelBackend):
    """Django's model backend; the logged-in user and their records come from the cache."""

    def get_user(self, user_id):
        key = user_cache_key(user_id)
        representative_key = representative_cache_key(user_id)
        found = cache.get_many([key, representative_key])
        user = found.get(key)
        if user is None:
            user = _load(user_id)
            if user is None:
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        if not self.user_can_authenticate(user):
            return None
        # (day, answer) of chamber.roles, read with the user: one round trip for both.
        user._representative_today = found.get(representative_key)
        return user
