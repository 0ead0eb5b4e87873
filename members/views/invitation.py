"""The page an invitation e-mail links to: the member chooses a password and is logged in."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from chamber.models import User
from members.invitations import invitation_token_generator

# As in Django's password reset: the token moves from the address to the session, so
# it does not stay in the browser's history or reach another site in a Referer.
SESSION_TOKEN = "_invitation_token"
SET_PASSWORD = "set-password"


def _invited_user(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        return None


def _valid(user: User | None, token: str | None) -> bool:
    return (
        user is not None
        and user.is_active
        and invitation_token_generator.check_token(user, token)
    )


@sensitive_post_parameters()
@never_cache
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Check the link once, then let the member choose a password; logs them in."""
    user = _invited_user(uidb64)
    if token != SET_PASSWORD:
        if not _valid(user, token):
            return render(request, "members/invitation_invalid.html")
        request.session[SESSION_TOKEN] = token
        return redirect("members:accept_invitation", uidb64=uidb64, token=SET_PASSWORD)
    if not _valid(user, request.session.get(SESSION_TOKEN)):
        return render(request, "members/invitation_invalid.html")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        del request.session[SESSION_TOKEN]
        login(request, user, backend="chamber.backends.UserBackend")
        messages.success(
            request, _("Welcome! Your password is set and you are logged in.")
        )
        return redirect("home")
    # Not "user": templates read that as the one logged in.
    context = {"form": form, "invitee": user}
    return render(request, "members/invitation_accept.html", context)
