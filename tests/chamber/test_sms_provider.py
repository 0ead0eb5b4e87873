"""The SMS backends (chamber/channels/sms.py): Tencent Cloud SMS through its official SDK,
against the fake of tests/fakes/tencent_sms.py, which checks the request's TC3
signature, headers and body as the real service does; and the file backend of `make
run`, whose files a newcomer reads as they read var/mail/.

What the outbox hears from a failure is what these tests check: refused (the number:
the person's SMS channel is unusable), retry (a later try may succeed), or neither
(our settings or account: staff act), with the provider's code and words in the reason.
"""

import json
import re
import time
from datetime import UTC, datetime

import pytest
import requests
import tencentcloud.sms.v20210111.errorcodes as documented
import time_machine

from chamber.channels import ChannelError, Sms, sms_backend
from chamber.channels.sms import OUTCOMES, FileBackend, TencentBackend
from tests.fakes import tencent_sms as fake
from tests.fakes.tencent_sms import SIGN_NAME

tencent_sms = fake.tencent_sms  # the fixture, for this module's tests

NUMBER = "13812345678"


def _sms(**changes) -> Sms:
    values = {
        "number": NUMBER,
        "kind": "petition-answered",
        "template_id": "",
        "params": ["2026", "aB3x9K"],
        "text": "【西市区工商联】您的诉求2026已办结，请评价：https://gsl.example.cn/s/aB3x9K",
        "session": "outbox-41",
    }
    return Sms(**{**values, **changes})


def _refusal(sms: Sms) -> ChannelError:
    with pytest.raises(ChannelError) as caught:
        TencentBackend().send(sms)
    return caught.value


def test_the_configured_backend_sends_to_the_provider_and_returns_its_serial_number(
    tencent_sms,
):
    answered_template = tencent_sms.templates["petition-answered"]

    reference = sms_backend().send(_sms())

    (accepted,) = tencent_sms.sent
    assert reference == accepted.serial_no
    assert re.fullmatch(r"2433:\d+", reference)
    assert accepted.number == "+8613812345678"
    assert accepted.template_id == answered_template
    assert accepted.params == ["2026", "aB3x9K"]
    assert accepted.sign_name == SIGN_NAME
    assert accepted.session == "outbox-41"
    # Signed as the documentation says (the fake recomputed it with the secret key).
    (call,) = tencent_sms.requests
    assert call.answered == "Ok"
    assert call.headers["Authorization"].startswith("TC3-HMAC-SHA256 Credential=")
    assert call.headers["X-TC-Action"] == "SendSms"


def test_a_template_id_on_the_message_wins_over_the_kind(tencent_sms):
    chosen = tencent_sms.approve("sms-login-code")

    TencentBackend().send(_sms(kind="petition-answered", template_id=chosen))

    assert tencent_sms.sent[0].template_id == chosen


def test_a_wrong_secret_key_is_the_providers_signature_failure_and_not_retried(
    tencent_sms, settings
):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-key"

    error = _refusal(_sms())

    assert "AuthFailure.SignatureFailure" in error.reason
    assert "签名错误" in error.reason  # the provider's own words
    assert (error.retry, error.refused) == (False, False)
    assert tencent_sms.sent == []


def test_an_unknown_secret_id_is_not_retried(tencent_sms, settings):
    settings.TENCENT_SMS_SECRET_ID = "AKIDsomeoneelse"

    error = _refusal(_sms())

    assert "AuthFailure.SecretIdNotFound" in error.reason
    assert (error.retry, error.refused) == (False, False)


def test_no_secret_id_at_all_is_a_settings_error(tencent_sms, settings):
    settings.TENCENT_SMS_SECRET_ID = ""

    error = _refusal(_sms())

    assert "InvalidCredential" in error.reason
    assert (error.retry, error.refused) == (False, False)
    assert tencent_sms.requests == []


def test_a_blacklisted_number_is_refused_for_good(tencent_sms):
    tencent_sms.number_status(NUMBER, "FailedOperation.PhoneNumberInBlacklist")

    error = _refusal(_sms())

    assert error.refused and not error.retry
    assert "FailedOperation.PhoneNumberInBlacklist" in error.reason
    assert "免打扰名单" in error.reason
    assert tencent_sms.sent == []


def test_a_number_the_provider_cannot_parse_is_refused(tencent_sms):
    error = _refusal(_sms(number="1381234"))

    assert error.refused
    assert "InvalidParameterValue.IncorrectPhoneNumber" in error.reason


@pytest.mark.parametrize(
    ("code", "how"),
    [
        ("LimitExceeded.PhoneNumberOneHourLimit", "for the number"),
        ("LimitExceeded.DeliveryFrequencyLimit", "for the request"),
        ("RequestLimitExceeded", "for the request"),
        ("InternalError.Timeout", "for the request"),
    ],
)
def test_rate_limits_and_the_providers_faults_are_tried_again(tencent_sms, code, how):
    if how == "for the number":
        tencent_sms.number_status(NUMBER, code)
    else:
        tencent_sms.fail_next(code)

    error = _refusal(_sms())

    assert error.retry and not error.refused
    assert code in error.reason


def test_the_next_try_after_a_rate_limit_goes_through(tencent_sms):
    tencent_sms.fail_next("RequestLimitExceeded")
    with pytest.raises(ChannelError):
        TencentBackend().send(_sms())

    assert TencentBackend().send(_sms()) == tencent_sms.sent[0].serial_no


def test_an_outage_is_tried_again_with_the_reason_in_words(tencent_sms):
    tencent_sms.down()

    error = _refusal(_sms())

    assert error.retry and not error.refused
    assert error.reason == "无法连接短信服务商：[Errno 111] Connection refused。"

    tencent_sms.up()
    assert TencentBackend().send(_sms()) == tencent_sms.sent[0].serial_no


def test_a_gateway_error_page_is_tried_again(tencent_sms):
    tencent_sms.fail_next_http(502)

    error = _refusal(_sms())

    assert error.retry and not error.refused
    assert error.reason == "无法连接短信服务商：502 Bad Gateway。"


@pytest.mark.parametrize(
    "code",
    [
        "FailedOperation.InsufficientBalanceInSmsPackage",
        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    ],
)
def test_account_and_template_errors_wait_for_staff(tencent_sms, code):
    tencent_sms.fail_next(code)

    error = _refusal(_sms())

    assert (error.retry, error.refused) == (False, False)
    assert code in error.reason


def test_an_unapproved_template_or_signature_waits_for_staff(tencent_sms, settings):
    error = _refusal(_sms(template_id="999"))
    assert "FailedOperation.TemplateIncorrectOrUnapproved" in error.reason
    assert (error.retry, error.refused) == (False, False)

    settings.TENCENT_SMS_SIGN_NAME = "某某公司"
    error = _refusal(_sms())
    assert "FailedOperation.SignatureIncorrectOrUnapproved" in error.reason
    assert (error.retry, error.refused) == (False, False)

    settings.TENCENT_SMS_SIGN_NAME = SIGN_NAME
    settings.TENCENT_SMS_SDK_APP_ID = "1400999999"
    error = _refusal(_sms())
    assert "InvalidParameterValue.SdkAppIdNotExist" in error.reason
    assert not error.retry


def test_the_provider_refuses_a_link_or_a_long_text_in_a_parameter(tencent_sms):
    """Tencent Cloud: "变量内不支持传入链接（包含短链接）": a link is a constant of the
    template. A variable's length is the account's (here 6, as the console may show)."""
    for link in ["https://gsl.example.cn/s/aB3x9K", "http://localhost:8000/s/aB3x9K"]:
        error = _refusal(_sms(params=["2026", link]))
        assert "ProhibitedUseUrlInTemplateParameter" in error.reason
        assert not error.retry

    tencent_sms.param_limit = 6
    error = _refusal(_sms(params=["市场监督管理局", "aB3x9K"]))
    assert "TemplateParameterLengthLimit" in error.reason
    assert not error.retry


def test_a_kind_without_a_template_says_which_and_asks_nothing_of_the_provider(
    tencent_sms, settings
):
    settings.SMS_TEMPLATE_IDS = {}

    error = _refusal(_sms(kind="rota-reminder"))

    assert "rota-reminder" in error.reason
    assert "SMS_TEMPLATE_IDS" in error.reason
    assert (error.retry, error.refused) == (False, False)
    assert tencent_sms.requests == []


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        ("timestamp six minutes old", "AuthFailure.SignatureExpire"),
        ("body changed after signing", "AuthFailure.SignatureFailure"),
        ("another action", "InvalidAction"),
    ],
)
def test_the_fake_refuses_what_the_provider_refuses(tencent_sms, tamper, code):
    """The fake's checks bite: a request signed by hand, then spoilt one way."""
    body = json.dumps(
        {
            "PhoneNumberSet": ["+8613812345678"],
            "SmsSdkAppId": fake.SDK_APP_ID,
            "SignName": SIGN_NAME,
            "TemplateId": tencent_sms.templates["petition-answered"],
            "TemplateParamSet": ["2026"],
        }
    ).encode()
    stamp = int(time.time()) - (360 if tamper.startswith("timestamp") else 0)
    host = f"127.0.0.1:{tencent_sms.server.port}"
    signature = fake.tc3_signature(
        secret_key=fake.SECRET_KEY,
        method="POST",
        content_type="application/json",
        host=host,
        payload=body,
        timestamp=stamp,
    )
    date = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
    headers = {
        "Content-Type": "application/json",
        "Host": host,
        "Authorization": f"TC3-HMAC-SHA256 Credential={fake.SECRET_ID}/{date}/sms/"
        f"tc3_request, SignedHeaders=content-type;host, Signature={signature}",
        "X-TC-Action": "SendSmsStatus" if tamper == "another action" else "SendSms",
        "X-TC-Version": "2021-01-11",
        "X-TC-Region": fake.REGION,
        "X-TC-Timestamp": str(stamp),
    }
    if tamper.startswith("body"):
        body = body.replace(b"2026", b"2027")

    answer = requests.post(f"http://{host}/", data=body, headers=headers, timeout=5)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json()["Response"]["Error"]["Code"] == code
    assert "RequestId" in answer.json()["Response"]
    assert tencent_sms.sent == []


def test_every_code_in_the_outcome_table_is_documented():
    """A misspelt code would never match; each entry is a documented code or family."""
    sdk_codes = {value for name, value in vars(documented).items() if name.isupper()}
    families = {code.split(".", 1)[0] for code in sdk_codes} | {
        "AuthFailure",  # common to every API 3.0 product
        "RequestLimitExceeded",
        "InternalError",
    }
    sdk_own = {
        "ClientNetworkError",
        "ServerNetworkError",
        "JSONDecodeError",
        "InvalidCredential",
    }

    unknown = set(OUTCOMES) - sdk_codes - families - sdk_own

    assert unknown == set()


def test_the_file_backend_writes_a_file_a_person_can_read(settings, tmp_path):
    settings.SMS_DIR = tmp_path / "var" / "sms"  # not there yet: the backend makes it
    sms = _sms(
        text="【西市区工商联】您的验证码为 482913，5分钟内有效。",
        params=["482913", "5"],
    )

    with time_machine.travel("2026-03-02 04:05:06.789012+00:00", tick=False):
        reference = FileBackend().send(sms)

    assert reference == "file:20260302-120506-789012-outbox-41.txt"  # Beijing time
    written = (settings.SMS_DIR / reference.removeprefix("file:")).read_text("utf-8")
    head, text = written.split("\n\n", 1)
    assert head.splitlines() == [
        "To: 13812345678",
        "Kind: petition-answered",
        f"Template: {settings.SMS_TEMPLATE_IDS.get('petition-answered', '')}",
        'Params: ["482913", "5"]',
    ]
    assert json.loads(head.splitlines()[3].removeprefix("Params: ")) == ["482913", "5"]
    assert text.strip() == "【西市区工商联】您的验证码为 482913，5分钟内有效。"


def test_two_messages_in_the_same_microsecond_get_two_files(settings, tmp_path):
    settings.SMS_DIR = tmp_path

    with time_machine.travel("2026-03-02 04:05:06+00:00", tick=False):
        first = FileBackend().send(_sms(session=""))
        second = FileBackend().send(_sms(session=""))

    assert first == "file:20260302-120506-000000-x.txt"
    assert second == "file:20260302-120506-000000-x-2.txt"
    assert len(list(tmp_path.iterdir())) == 2
