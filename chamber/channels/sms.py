"""SMS (短信) backends: Tencent Cloud SMS, or a file per message under var/sms/.

Tencent Cloud rather than Aliyun: its official Python SDK
(`tencentcloud-sdk-python-sms`) is small and signs every request (TC3-HMAC-SHA256) for
us, it posts the replies to our SMS (上行短信, "回T退订") to a URL of ours, and the
government's WeCom (政务微信) is Tencent's too, so one vendor account serves both.

A backend's `send(sms)` returns the provider's reference or raises `ChannelError`; the
outbox (chamber/outbox.py) decides what follows. Settings are read at each send, so a
test's override (tests/fakes/tencent_sms.py) or a changed key holds at once.
"""

import json
import logging
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from chamber.channels import ChannelError, Sms
from chamber.models import User
from chamber.outbox_kinds import kind_label
from chamber.phone import MOBILE, normalise_phone
from chamber.times import beijing

logger = logging.getLogger(__name__)

# Seconds to wait for Tencent Cloud; an outbox task must not hang on it.
TIMEOUT = 10

REFUSED = "refused"  # the number itself: the person's SMS channel is unusable
RETRY = "retry"  # a later try may succeed
SETTINGS = "settings"  # our settings or account: staff must act, then resend

# What each answer of Tencent Cloud SMS means for the outbox. A code that is not listed
# takes the entry of its family (the part before the first dot), else SETTINGS: shown
# to staff in the provider's words rather than retried blindly. Sources: 短信 API 3.0
# 发送错误码, https://cloud.tencent.com/document/api/382/59177 (the same list, with
# its descriptions, is the SDK's tencentcloud/sms/v20210111/errorcodes.py), and the
# common error codes of every API 3.0 product (AuthFailure.*, RequestLimitExceeded,
# InternalError). ClientNetworkError, ServerNetworkError (an HTTP status other than
# 200), JSONDecodeError and InvalidCredential are the SDK's own codes.
OUTCOMES = {
    # 手机号格式错误 / 号码解析失败: not a number the provider can send to.
    "InvalidParameterValue.IncorrectPhoneNumber": REFUSED,
    "FailedOperation.PhoneNumberParseFail": REFUSED,
    # 手机号在免打扰名单库中: the person unsubscribed, or the carrier's do-not-disturb list.
    "FailedOperation.PhoneNumberInBlacklist": REFUSED,
    # Not a mainland number, though our templates are mainland ones.
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone": REFUSED,
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": REFUSED,
    # Rate limits of the number (30 s, hour, day, same content) and of the application.
    "LimitExceeded": RETRY,
    "RequestLimitExceeded": RETRY,
    # International limits, configured in the console: a later try changes nothing.
    "LimitExceeded.AppCountryOrRegionInBlacklist": SETTINGS,
    # Marketing SMS are sent between 08:00 and 22:00 only.
    "FailedOperation.MarketingSendTimeConstraint": RETRY,
    # The provider's own faults, and no answer at all.
    "InternalError": RETRY,
    "ClientNetworkError": RETRY,
    "ServerNetworkError": RETRY,
    "JSONDecodeError": RETRY,  # an answer that is not JSON: a gateway's error page
    # 请求发起时间不正常: our clock is more than 10 minutes off.
    "InternalError.RequestTimeException": SETTINGS,
    # Keys, signature, SDK app id, IP allow list, arrears: AuthFailure.*, UnauthorizedOperation.*.
    "AuthFailure": SETTINGS,
    "UnauthorizedOperation": SETTINGS,
    "InvalidCredential": SETTINGS,  # the SDK's: no secret id or key set
    "InvalidParameterValue.SdkAppIdNotExist": SETTINGS,
    "InvalidParameter.AppidAndBizId": SETTINGS,
    # 签名/模板未审批, parameters that do not fit the approved template, no balance left.
    "FailedOperation.SignatureIncorrectOrUnapproved": SETTINGS,
    "FailedOperation.TemplateIncorrectOrUnapproved": SETTINGS,
    "FailedOperation.TemplateUnapprovedOrNotExist": SETTINGS,
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": SETTINGS,
    "FailedOperation.MissingSignatureList": SETTINGS,
    "FailedOperation.MissingTemplateList": SETTINGS,
    "FailedOperation.InsufficientBalanceInSmsPackage": SETTINGS,
    "InvalidParameterValue.TemplateParameterLengthLimit": SETTINGS,
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": SETTINGS,
}

# Replies that stop SMS (回T退订): the words carriers and providers honour. Compared
# after NFKC (full-width Ｔ is T), trimming and case folding.
OPT_OUT_REPLIES = frozenset(
    {"t", "td", "n", "r", "退订", "退", "拒收", "unsubscribe", "stop"}
)
_TRIM = " \t\r\n。.,，!！"


def outcome_of(code: str) -> str:
    """REFUSED, RETRY or SETTINGS for a Tencent Cloud error code (OUTCOMES)."""
    return OUTCOMES.get(code) or OUTCOMES.get(code.split(".", 1)[0], SETTINGS)


class FileBackend:
    """Each SMS as a text file in settings.SMS_DIR (var/sms/), as e-mail goes to
    var/mail/: a newcomer reads their codes and notices there without any account."""

    def send(self, sms: Sms) -> str:
        folder = Path(settings.SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        content = "\n".join(
            [
                f"To: {sms.number}",
                f"Kind: {sms.kind}",
                f"Template: {_configured_template(sms)}",
                f"Params: {json.dumps(sms.params, ensure_ascii=False)}",
                "",
                sms.text,
                "",
            ]
        )
        stem = f"{beijing(timezone.now()):%Y%m%d-%H%M%S-%f}-{_file_part(sms.session)}"
        for attempt in range(1, 100):
            name = f"{stem}.txt" if attempt == 1 else f"{stem}-{attempt}.txt"
            try:
                with (folder / name).open("x", encoding="utf-8", newline="\n") as out:
                    out.write(content)
            except FileExistsError:
                continue
            return f"file:{name}"
        raise ChannelError(
            _("The SMS could not be written to %(folder)s.") % {"folder": folder}
        )


class TencentBackend:
    """Tencent Cloud SMS (SendSms, API version 2021-01-11) through its official SDK."""

    def send(self, sms: Sms) -> str:
        template_id = _configured_template(sms)
        if not template_id:
            raise ChannelError(
                _(
                    "No SMS template is configured for “%(label)s” (%(kind)s): add "
                    "its approved template ID to SMS_TEMPLATE_IDS."
                )
                % {"label": kind_label(sms.kind), "kind": sms.kind},
                retry=False,
            )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = ["+86" + normalise_phone(sms.number)]
        request.SmsSdkAppId = settings.TENCENT_SMS_SDK_APP_ID
        request.SignName = settings.TENCENT_SMS_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = [str(param) for param in sms.params]
        if sms.session:
            request.SessionContext = sms.session
        try:
            response = _client().SendSms(request)
        except TencentCloudSDKException as error:
            raise _failure(error.get_code(), error.get_message()) from error
        status = next(iter(response.SendStatusSet or []), None)
        if status is None:
            raise ChannelError(
                _("The SMS provider's answer had no status for the number %(number)s.")
                % {"number": sms.number}
            )
        if status.Code != "Ok":
            raise _failure(status.Code or "", status.Message or "")
        return status.SerialNo


def _client() -> sms_client.SmsClient:
    http = HttpProfile(
        protocol=settings.TENCENT_SMS_SCHEME,
        endpoint=settings.TENCENT_SMS_ENDPOINT,
        reqTimeout=TIMEOUT,
    )
    credential = Credential(
        settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY
    )
    return sms_client.SmsClient(
        credential, settings.TENCENT_SMS_REGION, ClientProfile(httpProfile=http)
    )


def _configured_template(sms: Sms) -> str:
    """The message's template, else the one SMS_TEMPLATE_IDS names for its kind."""
    return sms.template_id or settings.SMS_TEMPLATE_IDS.get(sms.kind, "")


def _failure(code: str, message) -> ChannelError:
    """The provider's (or the SDK's) code and message as a ChannelError, per OUTCOMES."""
    outcome = outcome_of(code)
    words = _short(message)
    if code in ("ClientNetworkError", "ServerNetworkError"):
        reason = _("The SMS provider could not be reached: %(error)s.") % {
            "error": words
        }
    else:
        reason = _("The SMS provider answered %(code)s: %(message)s.") % {
            "code": code,
            "message": words,
        }
    return ChannelError(reason, retry=outcome == RETRY, refused=outcome == REFUSED)


_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")]*|[Rr]ead timed out|timed out")


def _short(message) -> str:
    """A message fit for the outbox page: the heart of a network error (Connection
    refused, timed out), a gateway's error page as text, one line, at most 200
    characters."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    message = " ".join(re.sub(r"<[^>]*>", " ", str(message or "")).split())
    found = _ERRNO.search(message)
    if found:
        message = found.group(0).strip()
    return message[:200].rstrip("。. ") or "—"


def _file_part(session: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", session).strip("-")[:40] or "x"


def is_opt_out(text: str) -> bool:
    """Whether a reply asks to stop SMS (T, TD, 退订, …: OPT_OUT_REPLIES)."""
    word = unicodedata.normalize("NFKC", text or "").strip(_TRIM).casefold()
    return word in OPT_OUT_REPLIES


def record_sms_reply(*, number: str, text: str) -> int:
    """Honour one reply to our SMS: T (退订) sets `sms_opt_out` on the people whose
    verified mobile is `number`. Returns how many were opted out; other text changes
    nothing. One UPDATE, so a reply posted twice is harmless."""
    if not is_opt_out(text):
        return 0
    number = normalise_phone(number)
    if not MOBILE.match(number):
        return 0
    opted_out = User.objects.filter(
        mobile=number, mobile_verified_at__isnull=False, sms_opt_out=False
    ).update(sms_opt_out=True)
    logger.info(
        "SMS reply %r from %s: %d user(s) opted out of SMS",
        text.strip()[:20],
        mask_number(number),
        opted_out,
    )
    return opted_out


def mask_number(number: str) -> str:
    """138****5678: enough for a log line, not the whole number."""
    return f"{number[:3]}****{number[-4:]}" if len(number) >= 8 else "****"
