"""A fake of WeChat's APIs on 127.0.0.1: 企业微信 / 政务微信 and the 服务号.

It checks what WeChat checks (the credentials of a token fetch, a current
access_token on each call, the JSON of a text card or a template message, who may
receive) and answers with WeChat's documented errcode and errmsg. Tests turn its knobs:
`answer_next(errcode)` makes the next message call fail so, `expire_tokens()` makes the
tokens issued so far expire (42001), and `requests` records every call.

Use the `fake_wechat` fixture (import `fake_wechat_fixture` into a test module): it also points the
settings at the fake and selects the API backend. `signed_callback` builds the query
and body the 服务号 posts to our callback, encrypted as in 安全模式.
"""

import atexit
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field

import pytest
from pytest_httpserver import HTTPServer
from wechatpy.crypto import WeChatCrypto
from werkzeug import Request, Response

CORP_ID = "wwfakecorp0001"
CORP_SECRET = "fake-wecom-secret-0123456789"
AGENT_ID = 1000002
APP_ID = "wxfakeapp0000001"
APP_SECRET = "fake-mp-secret-0123456789abcdef"
CALLBACK_TOKEN = "fakecallbacktoken"
# 43 characters, as WeChat's EncodingAESKey.
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEMPLATE_ID = "tmpl-petition-answered"

# WeChat's words for the codes the fake answers.
ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40037: "invalid template_id",
    40056: "invalid agentid",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    47001: "data format error",
    60111: "userid not found",
    81013: "user & party & tag all invalid",
}


@dataclass
class Call:
    """One request the fake received: the path after the host, query, JSON body."""

    path: str
    params: dict
    body: dict | None


@dataclass
class FakeWechat:
    server: HTTPServer
    wecom_users: set[str] = field(default_factory=lambda: {"zhangsan", "lisi"})
    followers: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=lambda: {TEMPLATE_ID})
    requests: list[Call] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    wecom_token: str = ""
    _next: list[dict] = field(default_factory=list)

    @property
    def wecom_base(self) -> str:
        return self.server.url_for("/wecom/cgi-bin/")

    @property
    def mp_base(self) -> str:
        return self.server.url_for("/mp/cgi-bin/")

    def answer_next(self, errcode: int, errmsg: str | None = None, **extra) -> None:
        """The next message or QR call answers this (after its token is checked)."""
        answer = {"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "")}
        self._next.append({**answer, **extra})

    def expire_tokens(self) -> None:
        """Every token issued so far expires: WeChat answers 42001 until a new fetch."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()
        self.wecom_token = ""

    def calls(self, path: str) -> list[Call]:
        """The calls to one endpoint, such as "/wecom/cgi-bin/message/send"."""
        return [call for call in self.requests if call.path == path]

    # --- the endpoints ---------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        body = None
        if request.method == "POST":
            try:
                body = json.loads(request.get_data(as_text=True) or "null")
            except ValueError:
                return _answer(47001)
        self.requests.append(Call(request.path, dict(request.args), body))
        route = {
            "/wecom/cgi-bin/gettoken": self._wecom_token,
            "/mp/cgi-bin/token": self._mp_token,
            "/wecom/cgi-bin/message/send": self._wecom_send,
            "/mp/cgi-bin/message/template/send": self._mp_template,
            "/mp/cgi-bin/qrcode/create": self._qrcode,
        }.get(request.path)
        if route is None:
            return Response("not found", status=404)
        return route(request.args, body)

    def _wecom_token(self, args, body) -> Response:
        if args.get("corpid") != CORP_ID:
            return _answer(40013)
        if args.get("corpsecret") != CORP_SECRET:
            return _answer(40001)
        # WeCom gives the same token again while it is valid.
        if not self.wecom_token:
            self.wecom_token = self._issue()
        return _json({"errcode": 0, "errmsg": "ok", **self._token(self.wecom_token)})

    def _mp_token(self, args, body) -> Response:
        if args.get("grant_type") != "client_credential":
            return _answer(40002)
        if args.get("appid") != APP_ID:
            return _answer(40013)
        if args.get("secret") != APP_SECRET:
            return _answer(40125)
        return _json(self._token(self._issue()))

    def _wecom_send(self, args, body) -> Response:
        refused = self._check_token(args)
        if refused:
            return refused
        if not isinstance(body, dict) or body.get("msgtype") != "textcard":
            return _answer(40008, "invalid message type")
        if body.get("agentid") != AGENT_ID:
            return _answer(40056)
        card = body.get("textcard")
        if not isinstance(card, dict) or not all(
            isinstance(card.get(key), str) and card.get(key)
            for key in ("title", "description", "url")
        ):
            return _answer(40035, "invalid textcard")
        if self._next:
            return _json(self._next.pop(0))
        if body.get("touser") not in self.wecom_users:
            return _answer(81013)
        return _json(
            {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": _msgid()}
        )

    def _mp_template(self, args, body) -> Response:
        refused = self._check_token(args)
        if refused:
            return refused
        if not isinstance(body, dict) or body.get("template_id") not in self.templates:
            return _answer(40037)
        data = body.get("data")
        if not isinstance(data, dict) or not all(
            isinstance(item, dict) and isinstance(item.get("value"), str)
            for item in data.values()
        ):
            return _answer(47001)
        if self._next:
            return _json(self._next.pop(0))
        if body.get("touser") not in self.followers:
            return _answer(43004)
        return _json({"errcode": 0, "errmsg": "ok", "msgid": int(_msgid()[:9])})

    def _qrcode(self, args, body) -> Response:
        refused = self._check_token(args)
        if refused:
            return refused
        if self._next:
            return _json(self._next.pop(0))
        scene = (body or {}).get("action_info", {}).get("scene", {})
        seconds = (body or {}).get("expire_seconds", 60)
        if (body or {}).get("action_name") != "QR_STR_SCENE" or not (
            isinstance(scene.get("scene_str"), str)
            and 1 <= len(scene["scene_str"]) <= 64
            and isinstance(seconds, int)
            and 60 <= seconds <= 2592000
        ):
            return _answer(40035, "invalid args")
        ticket = secrets.token_urlsafe(32)
        return _json(
            {
                "ticket": ticket,
                "expire_seconds": seconds,
                "url": f"http://weixin.qq.com/q/{ticket[:22]}",
            }
        )

    def _check_token(self, args) -> Response | None:
        token = args.get("access_token")
        if not token:
            return _answer(41001)
        if token in self.expired_tokens:
            return _answer(42001)
        if token not in self.valid_tokens:
            return _answer(40014)
        return None

    def _issue(self) -> str:
        token = secrets.token_urlsafe(48)
        self.valid_tokens.add(token)
        return token

    @staticmethod
    def _token(token: str) -> dict:
        return {"access_token": token, "expires_in": 7200}


def _answer(errcode: int, errmsg: str | None = None) -> Response:
    return _json({"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "")})


def _json(data: dict) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )


def _msgid() -> str:
    return str(secrets.randbelow(10**18))


@pytest.fixture(name="fake_wechat")
def fake_wechat_fixture(settings):
    """`fake_wechat`: the fake WeChat on a random loopback port, the settings pointing
    at it. A test module imports this function (`# noqa: F401`) to use the fixture."""
    fake = FakeWechat(_server())
    _current[0] = fake
    settings.WECHAT_BACKEND = "chamber.channels.wechat.ApiBackend"
    settings.WECOM_CORP_ID = CORP_ID
    settings.WECOM_SECRET = CORP_SECRET
    settings.WECOM_AGENT_ID = str(AGENT_ID)
    settings.WECOM_API_BASE = fake.wecom_base
    settings.WECHAT_MP_APP_ID = APP_ID
    settings.WECHAT_MP_SECRET = APP_SECRET
    settings.WECHAT_MP_API_BASE = fake.mp_base
    settings.WECHAT_MP_TOKEN = CALLBACK_TOKEN
    settings.WECHAT_MP_AES_KEY = AES_KEY
    yield fake
    _current[0] = None


# One server for the whole run (stopping one takes half a second); each test gets a
# fresh FakeWechat behind it.
_current: list[FakeWechat | None] = [None]
_servers: list[HTTPServer] = []


def _server() -> HTTPServer:
    if not _servers:
        server = HTTPServer(host="127.0.0.1", port=0)
        server.expect_request(re.compile("/.*")).respond_with_handler(_dispatch)
        server.start()
        atexit.register(server.stop)
        _servers.append(server)
    return _servers[0]


def _dispatch(request: Request) -> Response:
    fake = _current[0]
    if fake is None:
        return Response("no test is running", status=503)
    return fake._handle(request)


def signed_callback(
    xml: str, *, encrypt: bool = True, timestamp: int | None = None
) -> tuple[dict, str]:
    """The query string and body WeChat posts for `xml`, signed (and encrypted) as WeChat
    does with the fake's CALLBACK_TOKEN, AES_KEY and APP_ID."""
    stamp = str(timestamp or int(time.time()))
    nonce = secrets.token_hex(5)
    signature = hashlib.sha1(
        "".join(sorted([CALLBACK_TOKEN, stamp, nonce])).encode()
    ).hexdigest()
    query = {"signature": signature, "timestamp": stamp, "nonce": nonce}
    if not encrypt:
        return query, xml
    envelope = WeChatCrypto(CALLBACK_TOKEN, AES_KEY, APP_ID).encrypt_message(
        xml, nonce, stamp
    )
    encrypted = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    msg_signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    # WeChat posts the ToUserName and Encrypt; the signature travels in the query.
    body = (
        f"<xml><ToUserName><![CDATA[gh_fake]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    query |= {"encrypt_type": "aes", "msg_signature": msg_signature}
    return query, body


def event_xml(openid: str, event: str, key: str = "", *, at: int | None = None) -> str:
    """An event as the 服务号 sends it (subscribe, SCAN, unsubscribe)."""
    key_node = f"<EventKey><![CDATA[{key}]]></EventKey>" if key else ""
    return (
        "<xml><ToUserName><![CDATA[gh_fake]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{at or int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event>{key_node}</xml>"
    )
