"""Binding a member's WeChat: the profile's QR code, the 服务号's callback (signed and
encrypted as WeChat does, tests/fakes/wechat.py) and the development page."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
import xmltodict
from django.urls import reverse
from django.utils import timezone
from wechatpy.crypto import WeChatCrypto

from chamber.models import WechatInbound
from chamber.wechat_binding import (
    bind_qr_content,
    bind_token,
    unbind,
    user_for_token,
)
from tests.factories import UserFactory
from tests.fakes.wechat import (
    AES_KEY,
    APP_ID,
    CALLBACK_TOKEN,
    event_xml,
    fake_wechat_fixture,  # noqa: F401
    signed_callback,
)

OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz0"
QR_CREATE = "/mp/cgi-bin/qrcode/create"


@pytest.fixture
def member(alice):
    return alice.user


@pytest.fixture
def security_lines():
    """The lines written to the chamber.security log during the test."""
    lines: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = _Keep()
    logger = logging.getLogger("chamber.security")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def _post(client, xml: str, *, encrypt: bool = True, **query_changes):
    query, body = signed_callback(xml, encrypt=encrypt)
    query |= query_changes
    url = (
        reverse("wechat-callback")
        + "?"
        + "&".join(f"{k}={v}" for k, v in query.items())
    )
    return client.generic("POST", url, body.encode(), content_type="text/xml")


def _reply_text(response) -> str:
    """The text reply in WeChat's encrypted envelope, decrypted as WeChat would."""
    envelope = xmltodict.parse(response.content)["xml"]
    xml = WeChatCrypto(CALLBACK_TOKEN, AES_KEY, APP_ID).decrypt_message(
        response.content,
        envelope["MsgSignature"],
        envelope["TimeStamp"],
        envelope["Nonce"],
    )
    return xmltodict.parse(xml)["xml"]["Content"]


def test_scanning_the_profile_code_to_follow_binds_the_member(
    client, fake_wechat, member
):
    member.wechat_refused = "43004 require subscribe"
    member.save()
    xml = event_xml(OPENID, "subscribe", "qrscene_bind:" + bind_token(member))

    response = _post(client, xml)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.wechat_openid == OPENID
    assert member.wechat_refused == ""
    assert "绑定成功" in _reply_text(response)


def test_a_follower_scanning_the_profile_code_is_bound_too(client, fake_wechat, member):
    response = _post(client, event_xml(OPENID, "SCAN", "bind:" + bind_token(member)))

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.wechat_openid == OPENID


def test_a_wechat_bound_to_someone_else_moves_to_the_member_who_scans(
    client, fake_wechat, member
):
    other = UserFactory(wechat_openid=OPENID)

    _post(client, event_xml(OPENID, "SCAN", "bind:" + bind_token(member)))

    other.refresh_from_db()
    member.refresh_from_db()
    assert (other.wechat_openid, member.wechat_openid) == ("", OPENID)


def test_an_expired_code_binds_nobody_and_says_so(client, fake_wechat, member):
    token = bind_token(member)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = _post(client, event_xml(OPENID, "SCAN", "bind:" + token))

    member.refresh_from_db()
    assert member.wechat_openid == ""
    assert "过期" in _reply_text(response)


def test_a_forged_bind_code_binds_nobody(client, fake_wechat, member):
    forged = bind_token(member)[:-3] + "AAA"

    _post(client, event_xml(OPENID, "SCAN", "bind:" + forged))

    member.refresh_from_db()
    assert member.wechat_openid == ""


def test_unfollowing_unbinds(client, fake_wechat, member):
    member.wechat_openid = OPENID
    member.save()

    response = _post(client, event_xml(OPENID, "unsubscribe"))

    assert response.status_code == 200
    assert response.content == b"success"
    member.refresh_from_db()
    assert member.wechat_openid == ""


def test_a_replayed_event_is_acted_on_once(client, fake_wechat, member):
    xml = event_xml(OPENID, "SCAN", "bind:" + bind_token(member), at=1772400000)
    _post(client, xml)
    unbind(member)

    response = _post(client, xml)  # WeChat's retry, or a replay: same who, when, what

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.wechat_openid == ""
    assert WechatInbound.objects.count() == 1


def test_an_unsigned_post_is_refused_and_logged(
    client, fake_wechat, member, security_lines
):
    xml = event_xml(OPENID, "SCAN", "bind:" + bind_token(member))

    response = client.post(reverse("wechat-callback"), xml, content_type="text/xml")

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.wechat_openid == ""
    assert any(
        "action=permission_denied" in line and "/wechat/callback/" in line
        for line in security_lines
    )


def test_a_message_signed_with_another_token_is_refused(client, fake_wechat, member):
    xml = event_xml(OPENID, "SCAN", "bind:" + bind_token(member))

    response = _post(client, xml, msg_signature="0" * 40)

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.wechat_openid == ""


def test_a_wrong_url_signature_is_refused(client, fake_wechat, member):
    response = _post(client, event_xml(OPENID, "unsubscribe"), signature="0" * 40)

    assert response.status_code == 403


def test_plain_text_is_refused_while_the_account_runs_in_safe_mode(
    client, fake_wechat, member
):
    xml = event_xml(OPENID, "SCAN", "bind:" + bind_token(member))

    response = _post(client, xml, encrypt=False)

    assert response.status_code == 403
    member.refresh_from_db()
    assert member.wechat_openid == ""


def test_plain_text_binds_when_the_account_runs_in_plain_mode(
    client, fake_wechat, member, settings
):
    settings.WECHAT_MP_AES_KEY = ""
    xml = event_xml(OPENID, "SCAN", "bind:" + bind_token(member))

    response = _post(client, xml, encrypt=False)

    assert response.status_code == 200
    assert "绑定成功" in xmltodict.parse(response.content)["xml"]["Content"]
    member.refresh_from_db()
    assert member.wechat_openid == OPENID


def test_wechat_checks_the_url_with_a_signed_get(client, fake_wechat):
    query, _ = signed_callback("", encrypt=False)

    good = client.get(reverse("wechat-callback"), query | {"echostr": "4021853"})
    bad = client.get(
        reverse("wechat-callback"), query | {"echostr": "4021853", "nonce": "other"}
    )

    assert (good.status_code, good.content) == (200, b"4021853")
    assert bad.status_code == 403


def test_the_callback_does_not_exist_without_a_service_account(client, settings):
    settings.WECHAT_MP_TOKEN = ""

    assert client.get(reverse("wechat-callback")).status_code == 404


def test_the_profile_code_is_a_temporary_code_of_the_service_account(
    fake_wechat, member
):
    content = bind_qr_content(member)

    assert re.fullmatch(r"http://weixin\.qq\.com/q/\S+", content)
    [create] = fake_wechat.calls(QR_CREATE)
    assert create.body["action_name"] == "QR_STR_SCENE"
    assert create.body["expire_seconds"] == 600
    scene = create.body["action_info"]["scene"]["scene_str"]
    assert len(scene) <= 64  # WeChat's limit
    assert user_for_token(scene.removeprefix("bind:")) == member


def test_the_profile_shows_the_same_code_for_a_while(fake_wechat, member):
    assert bind_qr_content(member) == bind_qr_content(member)
    assert len(fake_wechat.calls(QR_CREATE)) == 1


def test_while_wechat_refuses_a_code_the_profile_shows_none_and_asks_again(
    fake_wechat, member
):
    fake_wechat.answer_next(-1)

    assert bind_qr_content(member) == ""
    assert bind_qr_content(member).startswith("http://weixin.qq.com/q/")
    assert len(fake_wechat.calls(QR_CREATE)) == 2


def test_in_development_the_code_opens_a_page_that_binds_a_made_up_openid(
    client, settings, member
):
    settings.DEBUG = True
    settings.WECHAT_BACKEND = "chamber.channels.wechat.FileBackend"
    url = bind_qr_content(member)
    assert url.startswith(settings.SITE_URL + "/wechat/dev-bind/")
    path = url.removeprefix(settings.SITE_URL)

    page = client.get(path)
    member.refresh_from_db()
    assert page.status_code == 200
    assert "绑定微信（开发环境）" in page.content.decode()
    assert member.wechat_openid == ""  # a GET changes nothing
    response = client.post(path)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.wechat_openid == f"dev-{member.pk}"


def test_without_debug_there_is_no_development_code_nor_page(client, settings, member):
    settings.DEBUG = True
    settings.WECHAT_BACKEND = "chamber.channels.wechat.FileBackend"
    path = reverse("wechat-dev-bind", args=[bind_token(member)])
    settings.DEBUG = False

    assert bind_qr_content(member) == ""
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    member.refresh_from_db()
    assert member.wechat_openid == ""


def test_the_development_page_refuses_a_damaged_code(client, settings, member):
    settings.DEBUG = True
    path = reverse("wechat-dev-bind", args=[bind_token(member) + "x"])

    assert client.post(path).status_code == 400
    member.refresh_from_db()
    assert member.wechat_openid == ""
