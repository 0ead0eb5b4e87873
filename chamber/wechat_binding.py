"""Binding a member's WeChat (the 服务号's OpenID) to the member's user.

The member's profile shows a QR code (`bind_qr_content`). In production it is a
temporary QR code of the 服务号 whose scene carries a signed token naming the user:
scanning it follows the account (or, for a follower, just scans), WeChat posts the
event to our callback (chamber/views_wechat.py), and `receive` binds the scanner's
OpenID to the token's user. Unfollowing clears it; so does 解除绑定 on the profile
(`unbind`). In development (the file backend, DEBUG on) the code opens a page of ours
that binds a made-up OpenID, so a newcomer can try the whole thing without an account.

The token is `django.core.signing`'s, valid BIND_MINUTES: short, because WeChat's scene
string holds at most 64 characters and the QR code expires with it.
"""

import hashlib
import logging

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse

from chamber.channels import ChannelError, wechat_backend
from chamber.models import User, WechatInbound

logger = logging.getLogger(__name__)

SALT = "wechat-bind"
BIND_MINUTES = 10
SCENE_PREFIX = "bind:"
# The profile shows the same code for a while, so each visit does not ask WeChat for a
# new one; still valid for at least BIND_MINUTES - QR_REUSE_MINUTES after it is shown.
QR_REUSE_MINUTES = 5
BIND_EVENTS = {"subscribe_scan", "scan"}
LEAVE_EVENTS = {"unsubscribe"}


def bind_token(user: User) -> str:
    """A signed token naming `user`, valid BIND_MINUTES."""
    return signing.TimestampSigner(salt=SALT).sign(str(user.pk))


def user_for_token(token: str) -> User | None:
    """The active user a bind token names, or None when forged, damaged or expired."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=BIND_MINUTES * 60
        )
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    return User.objects.filter(pk=int(value), is_active=True).first()


def bind_qr_content(user: User) -> str:
    """The text to draw as the profile's QR code; "" when WeChat binding is off.

    With the 服务号 configured, the URL of a temporary QR code from WeChat ("" while
    WeChat refuses, logged: the profile page still works); with the file backend and
    DEBUG, the URL of the development page that binds a made-up OpenID.
    """
    create_qr = getattr(wechat_backend(), "create_qr", None)
    if create_qr is not None:
        if not settings.WECHAT_MP_APP_ID:
            return ""
        key = f"wechat-bind-qr:{user.pk}"
        content = cache.get(key)
        if not content:
            try:
                content = create_qr(
                    SCENE_PREFIX + bind_token(user), expire_seconds=BIND_MINUTES * 60
                )
            except ChannelError as error:
                logger.warning("No WeChat QR code for user %s: %s", user.pk, error)
                return ""
            cache.set(key, content, QR_REUSE_MINUTES * 60)
        return content
    if settings.DEBUG:
        path = reverse("wechat-dev-bind", args=[bind_token(user)])
        return settings.SITE_URL + path
    return ""


@transaction.atomic
def bind(token: str, openid: str) -> User | None:
    """Bind `openid` to the token's user, or None when the token is not valid.

    An OpenID is one person's: bound to someone else before, it moves to this user.
    A channel marked unusable becomes usable again.
    """
    user = user_for_token(token)
    if user is None or not openid or len(openid) > 64:
        return None
    User.objects.filter(wechat_openid=openid).exclude(pk=user.pk).update(
        wechat_openid=""
    )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.wechat_openid = openid
    user.wechat_refused = ""
    user.save(update_fields=["wechat_openid", "wechat_refused"])
    return user


def unbind(user: User) -> None:
    """Forget the user's WeChat (the profile's 解除绑定 button)."""
    User.objects.filter(pk=user.pk).update(wechat_openid="")
    user.wechat_openid = ""


def unbind_openid(openid: str) -> None:
    """Forget `openid` for whoever has it (the follower left the 服务号)."""
    if openid:
        User.objects.filter(wechat_openid=openid).update(wechat_openid="")


def inbound_key(message) -> str:
    """The id of a callback message: its MsgId, or for an event who, when and what."""
    if message.id:
        key = f"msg:{message.id}"
    else:
        key = f"event:{message.source}:{message.time}:{message.event}"
    if len(key) > 100:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


@transaction.atomic
def receive(message) -> tuple[bool, User | None]:
    """Act on one message the 服务号 posted: (acted on, user bound by it).

    A bind scan binds the scanner; leaving unbinds. Each is acted on once: the
    WechatInbound row, unique by `inbound_key`, is written in the same transaction,
    so WeChat's retries and replays change nothing.
    """
    event = getattr(message, "event", "")
    scene = getattr(message, "scene_id", "") or ""
    binds = event in BIND_EVENTS and scene.startswith(SCENE_PREFIX)
    if not (binds or event in LEAVE_EVENTS):
        return False, None
    try:
        with transaction.atomic():
            WechatInbound.objects.create(
                msg_key=inbound_key(message),
                openid=message.source[:64],
                event=event[:30],
            )
    except IntegrityError:
        return False, None
    if binds:
        return True, bind(scene.removeprefix(SCENE_PREFIX), message.source)
    unbind_openid(message.source)
    return True, None
