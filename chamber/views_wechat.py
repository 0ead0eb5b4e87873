"""The 服务号's callback (WeChat posts follows, scans and messages here) and, in
development, the page the profile's QR code opens instead of WeChat."""

import struct
from xml.parsers.expat import ExpatError

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
)
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from chamber import wechat_binding

# What a body that passed the signature check can still raise while being read.
UNREADABLE = (ValueError, KeyError, TypeError, IndexError, struct.error, ExpatError)


# WeChat's servers post without a CSRF token: the signature is the authority here. A
# refusal is a 403, which SecurityLogMiddleware writes to the chamber.security log.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest) -> HttpResponse:
    """GET: WeChat's check of the URL (echo `echostr`); POST: one message or event.

    Signed with WECHAT_MP_TOKEN; with WECHAT_MP_AES_KEY set, only encrypted posts
    (安全模式 or 兼容模式) are taken, so nobody can fall back to plain text.
    """
    token = settings.WECHAT_MP_TOKEN
    if not token:
        raise Http404
    query = request.GET
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    try:
        check_signature(token, query.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        return HttpResponseForbidden()
    if request.method == "GET":
        return HttpResponse(query.get("echostr", ""), content_type="text/plain")
    crypto = _crypto()
    encrypted = query.get("encrypt_type") == "aes"
    if encrypted != (crypto is not None):
        return HttpResponseForbidden()
    try:
        xml = request.body
        if crypto is not None:
            xml = crypto.decrypt_message(
                xml, query.get("msg_signature", ""), timestamp, nonce
            )
        message = parse_message(xml)
    except (InvalidSignatureException, InvalidAppIdException):
        return HttpResponseForbidden()
    except UNREADABLE:
        return HttpResponseBadRequest()
    if message is None:
        return HttpResponseBadRequest()
    acted, user = wechat_binding.receive(message)
    text = _reply_text(message, acted, user)
    if not text:
        return HttpResponse("success", content_type="text/plain")
    reply = TextReply(message=message, content=text).render()
    if crypto is not None:
        reply = crypto.encrypt_message(reply, nonce, timestamp)
    return HttpResponse(reply, content_type="application/xml")


def _crypto() -> WeChatCrypto | None:
    if not settings.WECHAT_MP_AES_KEY:
        return None
    return WeChatCrypto(
        settings.WECHAT_MP_TOKEN, settings.WECHAT_MP_AES_KEY, settings.WECHAT_MP_APP_ID
    )


def _reply_text(message, acted: bool, user) -> str:
    """What the follower reads in WeChat after a bind scan; nothing otherwise."""
    if not acted or message.event not in wechat_binding.BIND_EVENTS:
        return ""
    if user is None:
        return _(
            "This QR code has expired. Open your profile on the chamber portal "
            "again and scan the new code."
        )
    return _(
        "Bound: notices of the chamber portal will now reach you in WeChat. "
        "Unfollow this account or unbind on your profile to stop them."
    )


@require_http_methods(["GET", "POST"])
def dev_bind(request: HttpRequest, token: str) -> HttpResponse:
    """Development only (DEBUG): bind a made-up OpenID, as scanning the real code would.

    GET shows a button; POST binds "dev-<user id>" to the token's user.
    """
    if not settings.DEBUG:
        raise Http404
    user = wechat_binding.user_for_token(token)
    if user is None:
        return render(
            request, "chamber/wechat_dev_bind.html", {"invalid": True}, status=400
        )
    context = {"person": user, "openid": f"dev-{user.pk}"}
    if request.method == "POST":
        context["done"] = wechat_binding.bind(token, context["openid"]) is not None
    return render(request, "chamber/wechat_dev_bind.html", context)
