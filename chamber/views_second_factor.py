"""The second-factor pages: give a code, set up an authenticator, new backup codes."""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from chamber import second_factor
from chamber.forms import CodeForm, PasswordCheckForm, SetupForm
from chamber.security_log import Action, log_event


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app (or a backup code)."""
    if not second_factor.has_authenticator(request.user):
        return redirect("second_factor_setup")
    form = CodeForm(request.POST or None)
    wait = second_factor.waiting_seconds(request.user)
    if request.method == "POST" and form.is_valid():
        if not wait and second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(_next(request))
        form.add_error(
            "code",
            _("Too many wrong codes: wait %(n)d seconds, then try again.") % {"n": wait}
            if wait
            else _("The code is not right, or it was used already."),
        )
        wait = 0  # the error says it; the banner is for a page opened while waiting
        _log_failure(request)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/second_factor.html",
        {"form": form, "next": _next(request), "wait": wait},
        status=status,
    )


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the code, type the first six digits."""
    replacing = second_factor.has_authenticator(request.user)
    if replacing and not request.user.is_verified():
        return redirect("second_factor")
    device = second_factor.new_authenticator(request.user)
    form = SetupForm(request.POST or None, request=request, replacing=replacing)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_authenticator(
            request, device, form.cleaned_data["code"]
        )
        if codes is not None:
            messages.success(request, _("Your authenticator app is set up."))
            return render(
                request,
                "registration/second_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "code", _("The code is not right: check the time on your phone and retry.")
        )
        _log_failure(request)
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "form": form,
        "next": _next(request),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "replacing": replacing,
    }
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/second_factor_setup.html", context, status=status
    )


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), after the password."""
    if not request.user.is_verified():
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('second_factor')}?{query}")
    form = PasswordCheckForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.new_backup_codes(request.user)
        return render(
            request,
            "registration/second_factor_codes.html",
            {"codes": codes, "next": "/"},
        )
    context = {"form": form, "left": second_factor.backup_codes_left(request.user)}
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/second_factor_backup.html", context, status=status
    )


def _log_failure(request: HttpRequest) -> None:
    """A wrong code, for the security log (never the code itself)."""
    log_event(Action.OTP_FAILURE, request=request)
