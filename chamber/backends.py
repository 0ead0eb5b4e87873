from django.contrib.auth.backends import ModelBackend

from chamber.models import User


class UserBackend(ModelBackend):
    """Django's model backend, loading what the navigation needs in the same query."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related(
                "member__enterprise", "official__department"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
