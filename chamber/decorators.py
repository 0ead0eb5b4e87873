"""View guards by role: anonymous users go to the login page, others get 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from chamber.roles import Role, roles_of


def role_required(*allowed: Role) -> Callable:
    """Let a logged-in user through when they hold at least one of the roles."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not roles_of(request.user).roles & set(allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF)
member_required = role_required(Role.MEMBER)
