"""WeChat backends of the outbox: files for development, WeChat's APIs in production.

Officials and staff get a text card from the government's 企业微信 / 政务微信 application
(`via="wecom"`, to their user ID); members get a template message from the chamber's
服务号 (`via="mp"`, to the OpenID they bound by scanning the QR code on their profile).

The API side uses wechatpy's clients with three changes. The API host comes from the
settings (政务微信 runs the same API on its own host; the tests run a fake on
loopback), and the token is fetched from that host too: wechatpy hard-codes
api.weixin.qq.com / qyapi.weixin.qq.com for it. The access_token lives in Django's
cache, so every web and worker process shares one: WeChat counts token fetches and,
for the 服务号, a new token retires the others. And wechatpy's own "token invalid:
fetch and retry" is off, as it retries without end; here a token WeChat calls invalid
or expired (40001, 40014, 42001) is dropped and the call is tried once more.

Every refusal becomes a `ChannelError` whose reason names WeChat's errcode and errmsg
after a sentence for staff; ERRORS says which codes refuse the recipient for good,
which may pass later, and which are our configuration.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wechatpy import WeChatClient
from wechatpy.enterprise import WeChatClient as WeComClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from chamber.channels import ChannelError, WechatCard

BEIJING = ZoneInfo("Asia/Shanghai")
# Seconds to wait for WeChat's answer (wechatpy waits for ever by default).
TIMEOUT = 10
# A token leaves the cache this long before WeChat expires it, so no process sends
# with one about to lapse (WeChat gives 7200 s).
TOKEN_MARGIN = 300
TOKEN_REJECTED = {40001, 40014, 42001}

REFUSED, RETRY, CONFIG = "refused", "retry", "config"

# WeChat's documented return codes (企业微信 "全局错误码", 公众号 "全局返回码" and the
# template message page) that the outbox must tell apart. A code not listed is shown
# to staff and not retried: only -1 and the limits are documented as passing.
ERRORS: dict[int, tuple[str, str]] = {
    -1: (RETRY, gettext_lazy("WeChat is busy")),
    40001: (RETRY, gettext_lazy("WeChat refused the access token")),
    40014: (RETRY, gettext_lazy("WeChat refused the access token")),
    42001: (RETRY, gettext_lazy("WeChat refused the access token")),
    45009: (RETRY, gettext_lazy("The interface's daily quota is used up")),
    45011: (RETRY, gettext_lazy("Too many calls to WeChat in a short time")),
    45033: (RETRY, gettext_lazy("Too many calls to WeChat in a short time")),
    40003: (REFUSED, gettext_lazy("WeChat does not know this user ID or OpenID")),
    40031: (
        REFUSED,
        gettext_lazy("The user ID is not in the application's visible range"),
    ),
    43004: (
        REFUSED,
        gettext_lazy(
            "The person does not follow the official account (or has not joined WeCom)"
        ),
    ),
    43019: (REFUSED, gettext_lazy("The person is on the official account's blacklist")),
    43101: (REFUSED, gettext_lazy("The person refused messages from the account")),
    60111: (REFUSED, gettext_lazy("The user ID is not in the WeCom directory")),
    81013: (
        REFUSED,
        gettext_lazy("The user ID is not in the WeCom directory or its visible range"),
    ),
    40013: (CONFIG, gettext_lazy("The corp ID or app ID is wrong")),
    40125: (CONFIG, gettext_lazy("The app secret is wrong")),
    40164: (CONFIG, gettext_lazy("This server's IP address is not on WeChat's list")),
    60020: (CONFIG, gettext_lazy("This server's IP address is not on WeChat's list")),
    40036: (CONFIG, gettext_lazy("The template ID is wrong")),
    40037: (CONFIG, gettext_lazy("The template ID is wrong")),
    40056: (CONFIG, gettext_lazy("The WeCom agent ID is wrong")),
    47001: (CONFIG, gettext_lazy("The message does not match the template")),
    47003: (CONFIG, gettext_lazy("The message does not match the template")),
    48001: (CONFIG, gettext_lazy("The account may not use this interface")),
    301002: (CONFIG, gettext_lazy("The secret is not the WeCom application's")),
}
# Fetching a token, 40001 means the secret is wrong, not the token.
TOKEN_ERRORS = {40001: (CONFIG, gettext_lazy("The secret is wrong"))}


class FileBackend:
    """Writes each card to settings.WECHAT_DIR as JSON, for a newcomer to read (`make run`)."""

    def send(self, card: WechatCard) -> str:
        folder = settings.WECHAT_DIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ChannelError(
                _("Could not write the WeChat file %(name)s.") % {"name": folder}
            ) from error
        moment = timezone.now().astimezone(BEIJING)
        stem = f"{moment:%Y%m%d-%H%M%S-%f}-{_safe(card.via)}-{_safe(card.to)}"
        content = {**asdict(card), "written_at": moment.isoformat()}
        text = json.dumps(content, ensure_ascii=False, indent=2) + "\n"
        for extra in range(100):
            name = f"{stem}{f'-{extra}' if extra else ''}.json"
            try:
                with open(folder / name, "x", encoding="utf-8") as file:
                    file.write(text)
            except FileExistsError:
                continue
            except OSError as error:
                raise ChannelError(
                    _("Could not write the WeChat file %(name)s.") % {"name": name}
                ) from error
            return f"file:{name}"
        raise ChannelError(
            _("Could not write the WeChat file %(name)s.") % {"name": stem}
        )


def _safe(part: str) -> str:
    """A user ID or OpenID as a piece of a file name: no separators, no dots leading."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", part)[:64] or "_"


class ApiBackend:
    """Sends through WeChat's APIs; reads the settings at each send."""

    def send(self, card: WechatCard) -> str:
        if card.via == "wecom":
            return self._send_wecom(card)
        if card.via == "mp":
            return self._send_mp(card)
        raise ChannelError(
            _("Unknown WeChat route %(via)s.") % {"via": card.via}, retry=False
        )

    def create_qr(self, scene: str, *, expire_seconds: int) -> str:
        """A temporary 服务号 QR code carrying `scene`: the URL to draw as the code."""
        client = _mp_client()
        result = _call(
            client,
            lambda: client.qrcode.create(
                {
                    "expire_seconds": expire_seconds,
                    "action_name": "QR_STR_SCENE",
                    "action_info": {"scene": {"scene_str": scene}},
                }
            ),
        )
        return str(result.get("url", ""))

    def _send_wecom(self, card: WechatCard) -> str:
        client = _wecom_client()
        try:
            agent_id = int(settings.WECOM_AGENT_ID)
        except ValueError:
            raise ChannelError(
                _("WECOM_AGENT_ID must be the application's number."), retry=False
            ) from None
        result = _call(
            client,
            lambda: client.message.send_text_card(
                agent_id=agent_id,
                user_ids=card.to,
                title=card.title,
                description=card.description,
                url=card.url,
                btntxt="详情",
            ),
        )
        # WeCom sends to the valid recipients and lists the others as "invalid".
        if card.to in str(result.get("invaliduser", "")).split("|"):
            raise ChannelError(
                _("%(meaning)s (WeChat: invaliduser %(user)s)")
                % {"meaning": ERRORS[81013][1], "user": card.to},
                refused=True,
            )
        return str(result.get("msgid", ""))

    def _send_mp(self, card: WechatCard) -> str:
        if not card.template_id:
            raise ChannelError(
                _(
                    "No template of the official account is set for notices of the kind %(kind)s."
                )
                % {"kind": card.kind},
                retry=False,
            )
        client = _mp_client()
        data = {"first": {"value": card.title}}
        for number, param in enumerate(card.params, start=1):
            data[f"keyword{number}"] = {"value": param}
        data["remark"] = {"value": card.description}
        result = _call(
            client,
            lambda: client.message.send_template(
                card.to, card.template_id, data, url=card.url or None
            ),
        )
        return str(result.get("msgid", ""))


class CacheSessionStorage(SessionStorage):
    """wechatpy's session storage in Django's cache: one access_token for all processes."""

    prefix = "wechat:"

    def get(self, key, default=None):
        return cache.get(self.prefix + key, default)

    def set(self, key, value, ttl=None):
        if value is None:
            return
        timeout = max(int(ttl) - TOKEN_MARGIN, 60) if ttl else None
        cache.set(self.prefix + key, value, timeout)

    def delete(self, key):
        cache.delete(self.prefix + key)


class _TimeoutSession(requests.Session):
    """wechatpy fetches tokens without a timeout; every request here has one."""

    def request(self, *args, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT
        return super().request(*args, **kwargs)


def _api_base(value: str) -> str:
    return value.rstrip("/") + "/"


class _WeComClient(WeComClient):
    """企业微信 / 政务微信 on the configured host, the token fetched from that host."""

    def __init__(self, corp_id: str, secret: str, api_base: str):
        super().__init__(
            corp_id, secret, session=CacheSessionStorage(), auto_retry=False
        )
        self.API_BASE_URL = api_base
        self._http = _TimeoutSession()

    @property
    def access_token_key(self) -> str:
        # wechatpy puts ten characters of the secret in the key; a digest says as much.
        digest = hashlib.sha256(self.secret.encode()).hexdigest()[:12]
        return f"wecom:{self.corp_id}:{digest}:access_token"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "gettoken",
            params={"corpid": self.corp_id, "corpsecret": self.secret},
        )


class _MpClient(WeChatClient):
    """The 服务号 on the configured host, the token fetched from that host."""

    def __init__(self, app_id: str, secret: str, api_base: str):
        super().__init__(
            app_id, secret, session=CacheSessionStorage(), auto_retry=False
        )
        self.API_BASE_URL = api_base
        self._http = _TimeoutSession()

    @property
    def access_token_key(self) -> str:
        return f"mp:{self.appid}:access_token"

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=self.API_BASE_URL + "token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )


def _wecom_client() -> _WeComClient:
    if not (settings.WECOM_CORP_ID and settings.WECOM_SECRET):
        raise ChannelError(
            _("WeCom is not configured (WECOM_CORP_ID, WECOM_SECRET)."), retry=False
        )
    return _WeComClient(
        settings.WECOM_CORP_ID,
        settings.WECOM_SECRET,
        _api_base(settings.WECOM_API_BASE),
    )


def _mp_client() -> _MpClient:
    if not (settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_SECRET):
        raise ChannelError(
            _(
                "The official account is not configured (WECHAT_MP_APP_ID, WECHAT_MP_SECRET)."
            ),
            retry=False,
        )
    return _MpClient(
        settings.WECHAT_MP_APP_ID,
        settings.WECHAT_MP_SECRET,
        _api_base(settings.WECHAT_MP_API_BASE),
    )


def _call(client, action: Callable[[], object]) -> dict:
    """Run one API call with the shared token; a token WeChat refuses is renewed once."""
    try:
        for attempt in (1, 2):
            _token(client)
            try:
                result = action()
            except WeChatClientException as error:
                if error.errcode in TOKEN_REJECTED and attempt == 1:
                    client.session.delete(client.access_token_key)
                    continue
                raise _channel_error(error, ERRORS) from error
            break
    except requests.RequestException as error:
        # The kind of failure only: requests' message carries the URL, and with it the
        # secret (token fetch) or the access_token.
        raise ChannelError(
            _("WeChat could not be reached: %(error)s")
            % {"error": type(error).__name__}
        ) from error
    finally:
        client._http.close()
    if not isinstance(result, dict):
        raise ChannelError(_("WeChat's answer was not JSON."))
    return result


def _token(client) -> str:
    try:
        return client.access_token
    except WeChatClientException as error:
        raise _channel_error(error, {**ERRORS, **TOKEN_ERRORS}) from error


def _short(errmsg: object) -> str:
    """WeChat's message without the request hint, IP and help link WeCom appends."""
    return str(errmsg).split(", hint:")[0][:150]


def _channel_error(error: WeChatClientException, table: dict) -> ChannelError:
    """The ChannelError for WeChat's answer: which kind, in words, with code and message."""
    if error.errcode is None:
        status = getattr(error.response, "status_code", None)
        return ChannelError(
            _("WeChat answered HTTP %(status)s.") % {"status": status},
            retry=status is None or status >= 500 or status == 429,
        )
    code = int(error.errcode)
    kind, meaning = table.get(
        code, (CONFIG, gettext_lazy("WeChat refused the message"))
    )
    reason = _("%(meaning)s (WeChat %(code)s: %(message)s)") % {
        "meaning": meaning,
        "code": code,
        "message": _short(error.errmsg),
    }
    return ChannelError(reason, retry=kind == RETRY, refused=kind == REFUSED)
