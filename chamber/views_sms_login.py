"""The pages of logging in by SMS code (短信验证码登录) and of resetting a forgotten
password that way (用短信验证码重设密码); the rules are chamber/sms_login.py's.

One page, two steps: the mobile (获取验证码), then the code. The number waits in the
session between them, as on the channels page. The login itself is the password
login's view with another form (chamber.views.LoginView): the same landing page for
each role, `next`, and the second factor after it.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from chamber import sms_codes, sms_login
from chamber.forms_channels import MobileCodeForm, MobileForm
from chamber.security import client_ip
from chamber.security_log import Action, log_event
from chamber.views import LoginView

PENDING = "sms_login:mobile"  # the number waiting for its code, in the session


class SmsLoginForm(MobileCodeForm):
    """The code from the SMS for the number in the session, checked as a password is:
    through `authenticate`, so django-axes counts a wrong one and refuses a locked-out
    account."""

    error_messages = {
        "no_number": gettext_lazy("Ask for a code to your mobile first."),
        "refused": gettext_lazy(
            "The code is wrong; please check the SMS and try again."
        ),
    }

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True

    def clean(self) -> dict:
        data = super().clean()
        if "code" not in data:
            return data
        number = self.request.session.get(PENDING, "")
        if not number:
            raise forms.ValidationError(self.error_messages["no_number"])
        self.user_cache = authenticate(
            self.request, **sms_login.credentials(number, data["code"].strip())
        )
        if self.user_cache is None:
            why = getattr(self.request, sms_login.REFUSAL, "")
            raise forms.ValidationError(why or self.error_messages["refused"])
        return data

    def get_user(self):
        return self.user_cache


class SmsLoginView(LoginView):
    """Log in with the mobile and the code sent to it; with `then_set_password`, go on
    to set a new password (the forgotten one is not needed)."""

    form_class = SmsLoginForm
    template_name = "registration/login_sms.html"
    redirect_authenticated_user = True
    then_set_password = False

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if "mobile" in request.POST:
            return self._send_code()
        return super().post(request, *args, **kwargs)

    def _send_code(self) -> HttpResponse:
        """The first step: a code to the number (if it may log in), then the code box."""
        form = MobileForm(self.request.POST, auto_id="send_%s")
        if form.is_valid():
            number = form.cleaned_data["mobile"]
            try:
                sms_login.request_login_code(number, address=client_ip(self.request))
            except sms_codes.CodeRefused as refusal:
                form.add_error("mobile", str(refusal))
            else:
                if self.then_set_password:
                    log_event(
                        Action.PASSWORD_RESET_REQUESTED,
                        request=self.request,
                        mobile=number,
                    )
                self.request.session[PENDING] = number
                messages.success(
                    self.request,
                    _(
                        "If %(number)s is the verified mobile of an account, a code "
                        "was sent to it; enter it below within 5 minutes."
                    )
                    % {"number": number},
                )
                return redirect(self._this_page())
        code_form = self.get_form_class()(request=self.request, auto_id="login_%s")
        context = self.get_context_data(form=code_form, mobile_form=form)
        return self.render_to_response(context, status=400)

    def _this_page(self) -> str:
        target = self.get_redirect_url()
        query = f"?{urlencode({self.redirect_field_name: target})}" if target else ""
        return self.request.path + query

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "auto_id": "login_%s"}

    def form_invalid(self, form) -> HttpResponse:
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=400)

    def form_valid(self, form) -> HttpResponse:
        auth_login(self.request, form.get_user())
        self.request.session.pop(PENDING, None)
        sms_login.allow_setting_password(self.request.session)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        if self.then_set_password:
            if sms_login.may_set_password(self.request.session):
                return reverse("password_reset_sms_set")
            return reverse("password_change")
        return super().get_success_url()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        pending = self.request.session.get(PENDING, "")
        context.setdefault(
            "mobile_form", MobileForm(auto_id="send_%s", initial={"mobile": pending})
        )
        context.update(
            {
                "pending": pending,
                "show_code": bool(pending) or context["form"].is_bound,
                "then_set_password": self.then_set_password,
                "title": _("Reset your password with an SMS code")
                if self.then_set_password
                else _("Log in with an SMS code"),
            }
        )
        return context


@sensitive_post_parameters()
@never_cache
@login_required
def set_password(request: HttpRequest) -> HttpResponse:
    """A new password without the old one, just after a login by SMS code (忘记密码);
    otherwise the password change page, which asks for the old one."""
    if not sms_login.may_set_password(request.session):
        messages.info(
            request,
            _(
                "A new password can be set without the old one only just after "
                "logging in with an SMS code; here, give your current password."
            ),
        )
        return redirect("password_change")
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        del request.session[sms_login.SET_PASSWORD_UNTIL]
        messages.success(request, _("Your new password is saved."))
        return redirect("home")
    return render(
        request,
        "registration/sms_password.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
