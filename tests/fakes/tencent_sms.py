"""A fake Tencent Cloud SMS (API 3.0, SendSms 2021-01-11) on 127.0.0.1, for the tests.

It checks what the real service checks, in its order, and answers in its documented
shapes: the TC3-HMAC-SHA256 Authorization recomputed from the request with the known
secret key (API 3.0 "Signature v3", the steps of `tc3_signature` below), the X-TC-*
headers, the timestamp within five minutes, then the body: the approved
SmsSdkAppId, 签名 and template, E.164 mainland numbers, template parameters that are
strings and hold no link (正文模板审核标准, https://cloud.tencent.com/document/product/
382/39023: "变量内不支持传入链接（包含短链接）"; a link must be a constant of the
template), and no longer than `param_limit` where a test sets it (the console shows the
account's figure: 6 or 12 characters, none for some enterprise accounts). An error is `{"Response": {"Error": {"Code", "Message"},
"RequestId"}}`; a number the provider will not send to gets its own status in
`SendStatusSet` (https://cloud.tencent.com/document/api/382/59177 lists the codes).

Use the `tencent_sms` fixture: it starts the server and points the settings at it
(TENCENT_SMS_*, SMS_BACKEND = TencentBackend, SMS_TEMPLATE_IDS with an approved
template for every kind of notice). A test module takes it in by assignment (an import
used only as a test's argument trips ruff's F811):

    from tests.fakes import tencent_sms as fake

    tencent_sms = fake.tencent_sms

Knobs: `fail_next(code)`, `number_status(number, code)`, `fail_next_http(status)`,
`down()` / `up()`, `approve(kind)`, `param_limit`. What it saw: `requests` (every
call, with the code it answered) and `sent` (the messages it accepted).
"""

import hashlib
import hmac
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.datastructures import Headers

from chamber.outbox_kinds import KINDS

SECRET_ID = "AKIDfakeChamberPortal0000000000000000"
SECRET_KEY = "fake-secret-key-of-the-chamber-portal"
SDK_APP_ID = "1400123456"
SIGN_NAME = "西市区工商联"
REGION = "ap-guangzhou"
# The regions of Tencent Cloud SMS (SendSms "Region" common parameter).
REGIONS = {"ap-guangzhou", "ap-beijing", "ap-nanjing"}
SERVICE = "sms"
MAINLAND = re.compile(r"^\+861[3-9][0-9]{9}$")
LINK = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(?:cn|com|net|org|gov|top|ink)\b", re.IGNORECASE
)
SEND_SMS_FIELDS = {
    "PhoneNumberSet",
    "SmsSdkAppId",
    "TemplateId",
    "SignName",
    "TemplateParamSet",
    "ExtendCode",
    "SessionContext",
    "SenderId",
}
AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<service>[^/]+)/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)

# The documented messages (zh-CN, the SDK's default language) of the codes it answers.
MESSAGES = {
    "AuthFailure.InvalidAuthorization": "请求头部的 Authorization 不符合腾讯云标准。",
    "AuthFailure.SecretIdNotFound": "密钥不存在。请在控制台检查密钥是否已被删除或者禁用，如状态正常，请检查密钥是否填写正确，注意前后不得有空格。",
    "AuthFailure.SignatureExpire": "签名过期。Timestamp 和服务器时间相差不得超过五分钟，请检查本地时间是否和标准时间同步。",
    "AuthFailure.SignatureFailure": "签名错误。签名计算错误，请对照调用方式中的签名方法文档检查签名计算过程。",
    "InvalidAction": "接口不存在。",
    "NoSuchVersion": "接口版本不存在。",
    "UnsupportedRegion": "接口不支持所传地域。",
    "UnknownParameter": "未知参数错误，用户多传未定义的参数会导致错误。",
    "MissingParameter": "缺少参数错误。",
    "InvalidParameter": "参数错误。",
    "FailedOperation.JsonParseFail": "解析请求包体时候失败。",
    "MissingParameter.EmptyPhoneNumberSet": "传入的号码列表为空，请确认您的参数中是否传入号码。",
    "LimitExceeded.PhoneNumberCountLimit": "调用接口单次提交的手机号个数超过200个，请遵守 API 接口输入参数描述。",
    "InvalidParameterValue.SdkAppIdNotExist": "SdkAppId 不存在。",
    "FailedOperation.SignatureIncorrectOrUnapproved": "签名未审批或格式错误。",
    "FailedOperation.TemplateIncorrectOrUnapproved": "模板未审批或内容不匹配。",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": "请求内容与审核通过的模板内容不匹配。请检查请求中模板参数的个数是否与申请的模板一致。",
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": "禁止在模板变量中使用 URL。",
    "InvalidParameterValue.TemplateParameterLengthLimit": "单个模板变量字符数超过规定的限制数。",
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式错误。",
    "FailedOperation.PhoneNumberInBlacklist": "手机号在免打扰名单库中，通常是用户退订或者命中运营商免打扰名单导致的。",
    "LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限，可自行到控制台调整短信频率限制策略。",
    "LimitExceeded.PhoneNumberOneHourLimit": "单个手机号1小时内下发短信条数超过设定的上限，可自行到控制台调整短信频率限制策略。",
    "LimitExceeded.DeliveryFrequencyLimit": "下发短信命中了频率限制策略，可自行到控制台调整短信频率限制策略。",
    "RequestLimitExceeded": "请求的次数超过了频率限制。",
    "InternalError.Timeout": "请求下发短信超时。",
    "FailedOperation.InsufficientBalanceInSmsPackage": "套餐包余量不足，请购买套餐包。",
}


class Refusal(Exception):
    """The request fails with this documented code (the whole request, not a number)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Received:
    """One call as the fake saw it: headers, the parsed body, and the code answered."""

    headers: Headers  # case-insensitive: headers["X-TC-Action"]
    body: dict | None
    answered: str


@dataclass
class Accepted:
    """One SMS the fake accepted for one number."""

    number: str  # E.164, as sent: "+8613812345678"
    template_id: str
    params: list[str]
    sign_name: str
    session: str
    serial_no: str


@dataclass
class FakeTencentSms:
    """The fake's state and knobs; `handle` is the server's one request handler."""

    server: HTTPServer
    settings: object
    templates: dict[str, str]
    # Characters a template variable may have; None: no limit (the console shows the
    # account's figure).
    param_limit: int | None = None
    # Template id -> its number of variables, where a test wants that checked.
    param_counts: dict[str, int] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    sent: list[Accepted] = field(default_factory=list)
    _fail_next: list[str] = field(default_factory=list)
    _fail_next_http: list[int] = field(default_factory=list)
    _number_status: dict[str, str] = field(default_factory=dict)
    _serials: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- knobs --------------------------------------------------------------------------

    def fail_next(self, code: str) -> None:
        """Answer the next valid request with the documented error `code`."""
        self._fail_next.append(code)

    def fail_next_http(self, status: int = 502) -> None:
        """Answer the next request with an HTTP error page, as a gateway would."""
        self._fail_next_http.append(status)

    def number_status(self, number: str, code: str) -> None:
        """Answer `code` in SendStatusSet for this number (11 digits or +86…), for
        good: FailedOperation.PhoneNumberInBlacklist, LimitExceeded.PhoneNumberDailyLimit…"""
        self._number_status[_e164(number)] = code

    def down(self) -> None:
        """Point the settings at a closed port: connection refused, as in an outage."""
        self.settings.TENCENT_SMS_ENDPOINT = f"127.0.0.1:{_closed_port()}"

    def up(self) -> None:
        self.settings.TENCENT_SMS_ENDPOINT = f"127.0.0.1:{self.server.port}"

    def approve(self, kind: str, *, params: int | None = None) -> str:
        """An approved template for `kind` (in SMS_TEMPLATE_IDS); its id."""
        template_id = self.templates.setdefault(
            kind, str(2000000 + len(self.templates))
        )
        if params is not None:
            self.param_counts[template_id] = params
        return template_id

    # --- the server ---------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        with self._lock:
            if self._fail_next_http:
                status = self._fail_next_http.pop(0)
                self._record(request, None, f"HTTP {status}")
                return Response(
                    "<html><body>502 Bad Gateway</body></html>",
                    status=status,
                    content_type="text/html",
                )
            body = None
            try:
                self._authenticate(request)
                body = self._body(request)
                self._check(body)
                if self._fail_next:
                    raise Refusal(self._fail_next.pop(0))
            except Refusal as refusal:
                self._record(request, body, refusal.code)
                return _answer({"Error": _error(refusal.code)})
            statuses = [
                self._status_of(number, body) for number in body["PhoneNumberSet"]
            ]
            self._record(request, body, ",".join(s["Code"] for s in statuses))
            return _answer({"SendStatusSet": statuses})

    def _authenticate(self, request: Request) -> None:
        found = AUTHORIZATION.match(request.headers.get("Authorization", ""))
        if not found:
            raise Refusal("AuthFailure.InvalidAuthorization")
        if found["id"] != SECRET_ID:
            raise Refusal("AuthFailure.SecretIdNotFound")
        try:
            timestamp = int(request.headers.get("X-TC-Timestamp", ""))
        except ValueError:
            raise Refusal("MissingParameter") from None
        if abs(time.time() - timestamp) > 300:
            raise Refusal("AuthFailure.SignatureExpire")
        if found["service"] != SERVICE or found["signed"] != "content-type;host":
            raise Refusal("AuthFailure.SignatureFailure")
        expected = tc3_signature(
            secret_key=SECRET_KEY,
            method=request.method,
            content_type=request.headers.get("Content-Type", ""),
            host=request.headers.get("Host", ""),
            payload=request.get_data(),
            timestamp=timestamp,
        )
        scope_date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        if found["date"] != scope_date or not hmac.compare_digest(
            found["signature"], expected
        ):
            raise Refusal("AuthFailure.SignatureFailure")
        if request.headers.get("X-TC-Action") != "SendSms":
            raise Refusal("InvalidAction")
        if request.headers.get("X-TC-Version") != "2021-01-11":
            raise Refusal("NoSuchVersion")
        if request.headers.get("X-TC-Region") not in REGIONS:
            raise Refusal("UnsupportedRegion")

    def _body(self, request: Request) -> dict:
        if request.mimetype != "application/json":
            raise Refusal("FailedOperation.JsonParseFail")
        try:
            body = json.loads(request.get_data())
        except ValueError:
            raise Refusal("FailedOperation.JsonParseFail") from None
        if not isinstance(body, dict):
            raise Refusal("FailedOperation.JsonParseFail")
        return body

    def _check(self, body: dict) -> None:
        if set(body) - SEND_SMS_FIELDS:
            raise Refusal("UnknownParameter")
        if not {"PhoneNumberSet", "SmsSdkAppId", "TemplateId"} <= set(body):
            raise Refusal("MissingParameter")
        numbers = body["PhoneNumberSet"]
        if not _strings(numbers):
            raise Refusal("InvalidParameter")
        if not numbers:
            raise Refusal("MissingParameter.EmptyPhoneNumberSet")
        if len(numbers) > 200:
            raise Refusal("LimitExceeded.PhoneNumberCountLimit")
        for name in ("SmsSdkAppId", "TemplateId", "SignName", "SessionContext"):
            if name in body and not isinstance(body[name], str):
                raise Refusal("InvalidParameter")
        if body["SmsSdkAppId"] != SDK_APP_ID:
            raise Refusal("InvalidParameterValue.SdkAppIdNotExist")
        if body.get("SignName") != SIGN_NAME:
            raise Refusal("FailedOperation.SignatureIncorrectOrUnapproved")
        if body["TemplateId"] not in set(self.templates.values()):
            raise Refusal("FailedOperation.TemplateIncorrectOrUnapproved")
        self._check_params(body)

    def _check_params(self, body: dict) -> None:
        params = body.get("TemplateParamSet", [])
        if not _strings(params):
            raise Refusal("InvalidParameter")
        count = self.param_counts.get(body["TemplateId"])
        if count is not None and len(params) != count:
            raise Refusal("FailedOperation.TemplateParamSetNotMatchApprovedTemplate")
        for param in params:
            if LINK.search(param):
                raise Refusal(
                    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter"
                )
            if self.param_limit is not None and len(param) > self.param_limit:
                raise Refusal("InvalidParameterValue.TemplateParameterLengthLimit")

    def _status_of(self, number: str, body: dict) -> dict:
        code = self._number_status.get(number, "Ok")
        if not MAINLAND.match(number):
            code = "InvalidParameterValue.IncorrectPhoneNumber"
        status = {
            "SerialNo": "",
            "PhoneNumber": number,
            "Fee": 0,
            "SessionContext": body.get("SessionContext", ""),
            "Code": code,
            "Message": MESSAGES.get(code, code),
            "IsoCode": "CN",
        }
        if code == "Ok":
            self._serials += 1
            serial = f"2433:{416014383916830130011488130 + self._serials}"
            status.update(SerialNo=serial, Fee=1, Message="send success")
            self.sent.append(
                Accepted(
                    number=number,
                    template_id=body["TemplateId"],
                    params=list(body.get("TemplateParamSet", [])),
                    sign_name=body.get("SignName", ""),
                    session=body.get("SessionContext", ""),
                    serial_no=serial,
                )
            )
        return status

    def _record(self, request: Request, body: dict | None, answered: str) -> None:
        self.requests.append(Received(Headers(request.headers), body, answered))


def tc3_signature(
    *,
    secret_key: str,
    method: str,
    content_type: str,
    host: str,
    payload: bytes,
    timestamp: int,
    service: str = SERVICE,
) -> str:
    """The TC3-HMAC-SHA256 signature of a request to "/" without a query string, as
    the documentation's "Signature v3" steps compute it (signed headers content-type
    and host; credential scope <UTC date>/<service>/tc3_request)."""
    canonical_request = "\n".join(
        [
            method,
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    string_to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            f"{date}/{service}/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )

    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _answer(response: dict) -> Response:
    # Exactly "application/json": the SDK reads an error only under this content type.
    return Response(
        json.dumps({"Response": {**response, "RequestId": str(uuid.uuid4())}}),
        status=200,
        headers={"Content-Type": "application/json"},
    )


def _error(code: str) -> dict:
    return {"Code": code, "Message": MESSAGES.get(code, code)}


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _e164(number: str) -> str:
    return number if number.startswith("+") else f"+86{number}"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tencent_sms(settings) -> Iterator[FakeTencentSms]:
    """A running fake Tencent Cloud SMS; the settings send every SMS to it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    templates = {kind: str(1000000 + i) for i, kind in enumerate(sorted(KINDS))}
    fake = FakeTencentSms(server=server, settings=settings, templates=templates)
    server.expect_request("/", method="POST").respond_with_handler(fake.handle)
    settings.SMS_BACKEND = "chamber.channels.sms.TencentBackend"
    settings.TENCENT_SMS_SECRET_ID = SECRET_ID
    settings.TENCENT_SMS_SECRET_KEY = SECRET_KEY
    settings.TENCENT_SMS_SDK_APP_ID = SDK_APP_ID
    settings.TENCENT_SMS_SIGN_NAME = SIGN_NAME
    settings.TENCENT_SMS_REGION = REGION
    settings.TENCENT_SMS_SCHEME = "http"
    settings.SMS_TEMPLATE_IDS = templates
    fake.up()
    try:
        yield fake
        server.check_handler_errors()  # a fault of the fake must not pass as an outage
    finally:
        server.clear()
        server.stop()
