"""The WeChat channel against a fake WeChat on loopback (tests/fakes/wechat.py), and the
file backend a newcomer reads in var/wechat/."""

import json
import re
import socket
from datetime import UTC, datetime

import pytest
import time_machine

from chamber.channels import ChannelError, WechatCard
from chamber.channels.wechat import ApiBackend, FileBackend
from tests.fakes.wechat import (
    AGENT_ID,
    APP_ID,
    APP_SECRET,
    CORP_SECRET,
    TEMPLATE_ID,
    fake_wechat_fixture,  # noqa: F401
)

WECOM_SEND = "/wecom/cgi-bin/message/send"
WECOM_TOKEN = "/wecom/cgi-bin/gettoken"
MP_SEND = "/mp/cgi-bin/message/template/send"
MP_TOKEN = "/mp/cgi-bin/token"


def _card(**changes) -> WechatCard:
    values = {
        "via": "wecom",
        "to": "zhangsan",
        "kind": "petition-dispatched",
        "title": "新的诉求：厂区道路积水",
        "description": "甲公司的诉求已交办贵单位，请于 3月6日 前答复。",
        "url": "https://chamber.example.cn/s/Ab3dE",
    }
    return WechatCard(**(values | changes))


def _member_card(**changes) -> WechatCard:
    return _card(
        **{
            "via": "mp",
            "to": "oFollower123",
            "kind": "petition-answered",
            "template_id": TEMPLATE_ID,
            "params": ["厂区道路积水", "区住建局"],
            "title": "您的诉求已答复",
            "description": "点击查看答复并评价。",
            **changes,
        }
    )


def test_a_wecom_text_card_reaches_the_official_with_a_current_token(fake_wechat):
    msgid = ApiBackend().send(_card())

    [fetch] = fake_wechat.calls(WECOM_TOKEN)
    assert set(fetch.params) == {"corpid", "corpsecret"}
    [send] = fake_wechat.calls(WECOM_SEND)
    assert send.params["access_token"] in fake_wechat.valid_tokens
    assert send.body == {
        "touser": "zhangsan",
        "toparty": "",
        "totag": "",
        "agentid": AGENT_ID,
        "msgtype": "textcard",
        "textcard": {
            "title": "新的诉求：厂区道路积水",
            "description": "甲公司的诉求已交办贵单位，请于 3月6日 前答复。",
            "url": "https://chamber.example.cn/s/Ab3dE",
            "btntxt": "详情",
        },
    }
    assert msgid and msgid.isdigit()


def test_the_token_is_fetched_once_for_many_sends(fake_wechat):
    for _ in range(3):
        ApiBackend().send(_card())

    assert len(fake_wechat.calls(WECOM_TOKEN)) == 1
    assert len(fake_wechat.calls(WECOM_SEND)) == 3


def test_a_token_wechat_expired_is_fetched_again_and_the_card_still_goes(fake_wechat):
    ApiBackend().send(_card())
    fake_wechat.expire_tokens()

    msgid = ApiBackend().send(_card(to="lisi"))

    assert msgid
    assert len(fake_wechat.calls(WECOM_TOKEN)) == 2
    first, refused, resent = fake_wechat.calls(WECOM_SEND)
    assert refused.params["access_token"] == first.params["access_token"]
    assert resent.params["access_token"] in fake_wechat.valid_tokens
    assert resent.body["touser"] == "lisi"


def test_a_token_refused_again_after_a_new_fetch_is_a_retry_not_a_loop(fake_wechat):
    fake_wechat.answer_next(40014)
    fake_wechat.answer_next(40014)

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card())

    assert caught.value.retry and not caught.value.refused
    assert "40014" in caught.value.reason
    assert len(fake_wechat.calls(WECOM_SEND)) == 2


def test_a_member_gets_the_service_accounts_template_message(fake_wechat):
    fake_wechat.followers.add("oFollower123")

    msgid = ApiBackend().send(_member_card())

    [fetch] = fake_wechat.calls(MP_TOKEN)
    assert fetch.params == {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": APP_SECRET,
    }
    [send] = fake_wechat.calls(MP_SEND)
    assert send.params["access_token"] in fake_wechat.valid_tokens
    assert send.body == {
        "touser": "oFollower123",
        "template_id": TEMPLATE_ID,
        "url": "https://chamber.example.cn/s/Ab3dE",
        "data": {
            "first": {"value": "您的诉求已答复"},
            "keyword1": {"value": "厂区道路积水"},
            "keyword2": {"value": "区住建局"},
            "remark": {"value": "点击查看答复并评价。"},
        },
    }
    assert msgid.isdigit()


def test_a_member_who_left_the_account_is_refused_for_good(fake_wechat):
    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_member_card(to="oLeft456"))

    assert caught.value.refused and not caught.value.retry
    assert "43004" in caught.value.reason
    assert "require subscribe" in caught.value.reason


def test_an_official_unknown_to_wecom_is_refused_for_good(fake_wechat):
    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card(to="nobody"))

    assert caught.value.refused
    assert "81013" in caught.value.reason


def test_an_official_wecom_lists_as_invalid_is_refused(fake_wechat):
    fake_wechat.answer_next(0, "ok", invaliduser="zhangsan", msgid="m1")

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card())

    assert caught.value.refused
    assert "zhangsan" in caught.value.reason


def test_wechat_busy_is_a_retry(fake_wechat):
    fake_wechat.answer_next(-1)

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card())

    assert caught.value.retry and not caught.value.refused
    assert "-1" in caught.value.reason
    assert "system error" in caught.value.reason


def test_the_daily_quota_is_a_retry(fake_wechat):
    fake_wechat.followers.add("oFollower123")
    fake_wechat.answer_next(45009)

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_member_card())

    assert caught.value.retry


def test_a_template_wechat_does_not_know_is_a_configuration_error(fake_wechat):
    fake_wechat.followers.add("oFollower123")

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_member_card(template_id="tmpl-unknown"))

    assert not caught.value.retry and not caught.value.refused
    assert "40037" in caught.value.reason


def test_a_notice_kind_without_a_template_names_the_kind_and_asks_nothing(
    fake_wechat,
):
    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_member_card(template_id="", kind="duty-week-reminder"))

    assert not caught.value.retry
    assert "duty-week-reminder" in caught.value.reason
    assert fake_wechat.requests == []


def test_a_wrong_secret_is_a_configuration_error(fake_wechat, settings):
    settings.WECOM_SECRET = "not-the-secret"

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card())

    assert not caught.value.retry and not caught.value.refused
    assert "40001" in caught.value.reason
    assert fake_wechat.calls(WECOM_SEND) == []


def test_the_settings_are_read_at_each_send(fake_wechat, settings):
    backend = ApiBackend()
    backend.send(_card())
    settings.WECOM_AGENT_ID = "1000099"

    with pytest.raises(ChannelError) as caught:
        backend.send(_card())

    assert "40056" in caught.value.reason


def test_wechat_out_of_reach_is_a_retry(fake_wechat, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.WECOM_API_BASE = f"http://127.0.0.1:{port}/cgi-bin/"

    with pytest.raises(ChannelError) as caught:
        ApiBackend().send(_card())

    assert caught.value.retry and not caught.value.refused
    assert CORP_SECRET not in caught.value.reason  # requests names the URL it tried


def test_the_file_backend_writes_each_card_named_in_beijing_time(settings, tmp_path):
    settings.WECHAT_DIR = tmp_path / "wechat"

    with time_machine.travel(datetime(2026, 3, 1, 16, 30, 5, tzinfo=UTC), tick=False):
        reference = FileBackend().send(_member_card())

    name = reference.removeprefix("file:")
    assert re.fullmatch(r"20260302-003005-000000-mp-oFollower123\.json", name)
    text = (settings.WECHAT_DIR / name).read_text(encoding="utf-8")
    assert "您的诉求已答复" in text  # written as UTF-8, not \u escapes
    assert json.loads(text)["params"] == ["厂区道路积水", "区住建局"]


def test_the_file_backend_keeps_two_cards_of_the_same_moment(settings, tmp_path):
    settings.WECHAT_DIR = tmp_path / "wechat"

    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False):
        first = FileBackend().send(_card())
        second = FileBackend().send(_card(to="../../etc/x"))
        third = FileBackend().send(_card())

    assert len({first, second, third}) == 3
    assert sorted(p.name for p in settings.WECHAT_DIR.iterdir()) == sorted(
        r.removeprefix("file:") for r in (first, second, third)
    )
