from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from chamber.models import User

# Every page needs the logged-in user's member and official records (the navigation,
# the roles); loading them with the user was the largest cost of a member page. The
# user row itself is read fresh on every request (a deactivated account or a changed
# password takes effect at once, even after a bulk update); the related records are
# kept in the cache for a minute, and saving a Member, Official or Enterprise forgets
# them at once (chamber.apps and members.apps connect that).
RELATED_CACHE_SECONDS = 60


def related_cache_key(user_id) -> str:
    return f"auth:related:{user_id}"


def forget_users(*user_ids) -> None:
    cache.delete_many([related_cache_key(pk) for pk in user_ids if pk is not None])


def _load_related(user: User) -> tuple:
    from chamber.models import Official

    member_model = User.member.related.related_model
    member = member_model.objects.select_related("enterprise").filter(user=user).first()
    official = Official.objects.select_related("department").filter(user=user).first()
    return member, official


class UserBackend(ModelBackend):
    """Django's model backend; the member and official records come from a short cache."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.get(pk=user_id)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        key = related_cache_key(user.pk)
        related = cache.get(key)
        if related is None:
            related = _load_related(user)
            cache.set(key, related, RELATED_CACHE_SECONDS)
        member, official = related
        User.member.related.set_cached_value(user, member)
        User.official.related.set_cached_value(user, official)
        return user
