"""How messages reach me (消息接收方式): each kind of notice by e-mail, SMS or WeChat; my
mobile, verified by an SMS code; my WeChat, bound by scanning a QR code. And the short
links (/s/<code>) that SMS carry."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chamber import sms_codes
from chamber.channels import choices
from chamber.forms_channels import ChannelsForm, MobileCodeForm, MobileForm
from chamber.models import ShortLink, SmsCode, User
from chamber.roles import roles_of
from chamber.security import client_ip

PENDING = "channels:mobile"  # the number waiting for its code, in the session


def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """Where an SMS's short link leads; an expired one says so (410)."""
    link = get_object_or_404(ShortLink, code=code)
    if link.expires_at <= timezone.now():
        return render(request, "chamber/short_link_expired.html", status=410)
    return redirect(link.url)


@never_cache
@login_required
def channels(request: HttpRequest) -> HttpResponse:
    """The person's channels for each kind of notice they receive."""
    user = request.user
    kinds = choices.kinds_for(roles_of(user).roles)
    form = ChannelsForm(request.POST or None, user=user, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choices were saved."))
        return redirect("channels")
    return render(
        request,
        "chamber/channels.html",
        {
            "form": form,
            "sms_reason": choices.sms_reason(user),
            "wechat_reason": choices.wechat_reason(user),
            "mobile_form": MobileForm(initial={"mobile": user.mobile}),
            "code_form": MobileCodeForm(),
            "pending": request.session.get(PENDING, ""),
            "wechat_qr": _wechat_qr(user),
        },
        status=400 if request.method == "POST" else 200,
    )


def _wechat_qr(user: User) -> str:
    """The QR code that binds the person's WeChat (members; officials and staff use
    WeCom, entered by staff), as an image; "" when bound or not for them."""
    if user.wechat_openid or user.wecom_userid or not roles_of(user).is_member:
        return ""
    from chamber import wechat_binding

    content = wechat_binding.bind_qr_content(user)
    return segno.make(content, error="m").svg_data_uri(scale=4) if content else ""


@require_POST
@never_cache
@login_required
def mobile(request: HttpRequest) -> HttpResponse:
    """Verify a mobile: the number (a code is sent to it), then the code."""
    user = request.user
    if "code" in request.POST:
        form = MobileCodeForm(request.POST)
        number = request.session.get(PENDING, "")
        if not number:
            messages.error(request, _("Ask for a code to your mobile first."))
        elif form.is_valid():
            try:
                sms_codes.check_code(
                    number, SmsCode.Purpose.VERIFY, form.cleaned_data["code"]
                )
            except sms_codes.CodeRefused as refusal:
                messages.error(request, str(refusal))
                return redirect("channels")
            try:
                with transaction.atomic():
                    User.objects.filter(pk=user.pk).update(
                        mobile=number,
                        mobile_verified_at=timezone.now(),
                        sms_refused="",
                        sms_opt_out=False,
                    )
            except IntegrityError:
                messages.error(
                    request, _("Another user has verified this mobile number.")
                )
                return redirect("channels")
            del request.session[PENDING]
            messages.success(
                request, _("Your mobile %(number)s is verified.") % {"number": number}
            )
        else:
            messages.error(request, _("Enter the 6-digit code from the SMS."))
        return redirect("channels")
    form = MobileForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("mobile", []):
            messages.error(request, error)
        return redirect("channels")
    number = form.cleaned_data["mobile"]
    try:
        sms_codes.send_code(
            number, SmsCode.Purpose.VERIFY, user=user, address=client_ip(request)
        )
    except sms_codes.CodeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        request.session[PENDING] = number
        messages.success(
            request,
            _("A code was sent to %(number)s; enter it below within 5 minutes.")
            % {"number": number},
        )
    return redirect("channels")


@require_POST
@never_cache
@login_required
def wechat(request: HttpRequest) -> HttpResponse:
    """Unbind my WeChat (解除绑定): notices no longer go there."""
    from chamber import wechat_binding

    wechat_binding.unbind(request.user)
    messages.success(request, _("Your WeChat is no longer bound."))
    return redirect("channels")
