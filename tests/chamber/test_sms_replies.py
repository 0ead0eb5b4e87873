"""Replies to our SMS (上行短信), posted by Tencent Cloud to /sms/replies/<token>/: a
"T" (回T退订) from a verified mobile stops SMS to that person; anything else changes
nothing. The bodies are the documented callback's (an object or a list of objects with
mobile, nationcode, text, sign, time, extend), and so is the answer.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chamber.models import User
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-reply-token-0123456789"
NUMBER = "13812345678"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.SMS_REPLY_TOKEN = TOKEN


@pytest.fixture
def verified():
    """A member whose mobile is verified (SMS may go to it)."""
    user = MemberFactory().user
    User.objects.filter(pk=user.pk).update(
        mobile=NUMBER, mobile_verified_at=timezone.now()
    )
    return user


def _reply(text: str, mobile: str = NUMBER, **more) -> dict:
    return {
        "extend": "",
        "mobile": mobile,
        "nationcode": "86",
        "sign": "西市区工商联",
        "text": text,
        "time": 1772424306,
        **more,
    }


def _post(payload, token: str = TOKEN, client: Client | None = None):
    url = reverse("sms-replies", kwargs={"token": token})
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return (client or Client(enforce_csrf_checks=True)).post(
        url, body, content_type="application/json"
    )


def _opted_out(user) -> bool:
    user.refresh_from_db()
    return user.sms_opt_out


@pytest.mark.parametrize("text", ["T", " t ", "TD", "退订", "Ｔ", "t。"])
def test_a_member_who_replies_t_gets_no_more_sms(verified, text):
    response = _post(_reply(text))

    assert response.status_code == 200
    assert response.json() == {"result": 0, "errmsg": "OK"}
    assert _opted_out(verified)


def test_other_text_changes_nothing(verified):
    response = _post(_reply("好的，收到，谢谢"))

    assert response.json() == {"result": 0, "errmsg": "OK"}
    assert not _opted_out(verified)


def test_a_list_of_replies_is_read_whole(verified):
    other = UserFactory(mobile="13900001111", mobile_verified_at=timezone.now())

    response = _post([_reply("收到"), _reply("TD", mobile="13900001111")])

    assert response.json() == {"result": 0, "errmsg": "OK"}
    assert not _opted_out(verified)
    assert _opted_out(other)


def test_an_unverified_number_is_not_opted_out(db):
    claimed = UserFactory(mobile=NUMBER, mobile_verified_at=None)

    response = _post(_reply("T"))

    assert response.status_code == 200
    assert not _opted_out(claimed)


def test_a_number_of_another_country_is_not_ours(verified):
    response = _post(_reply("T", nationcode="852"))

    assert response.status_code == 200
    assert not _opted_out(verified)


@pytest.mark.parametrize("token", ["wrong-token", TOKEN[:-1], TOKEN + "x"])
def test_a_wrong_token_is_not_found_and_changes_nothing(verified, token):
    response = _post(_reply("T"), token=token)

    assert response.status_code == 404
    assert not _opted_out(verified)


def test_without_a_token_configured_the_url_does_not_exist(verified, settings):
    settings.SMS_REPLY_TOKEN = ""

    assert _post(_reply("T"), token="anything").status_code == 404
    assert not _opted_out(verified)


def test_only_a_post_is_taken(verified):
    url = reverse("sms-replies", kwargs={"token": TOKEN})

    response = Client().get(url)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        json.dumps("T").encode(),
        json.dumps([{"mobile": NUMBER}]).encode(),
        json.dumps({"mobile": 13812345678, "text": "T"}).encode(),
        json.dumps([_reply("T"), "T"]).encode(),
    ],
    ids=["broken", "not utf-8", "a string", "no text", "number as int", "mixed list"],
)
def test_a_malformed_post_is_refused_with_a_clear_message(verified, body):
    response = _post(body)

    assert response.status_code == 400
    assert response.json()["result"] != 0
    assert '"mobile" and "text"' in response.json()["errmsg"]
    assert not _opted_out(verified)
