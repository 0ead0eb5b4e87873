"""The outbox's SMS and WeChat messages through the real clients against fake providers
on loopback (tests/fakes/): sent once with the approved template; a number or follower
the provider refuses is marked unusable and the notice goes by e-mail; an outage leaves
the message queued and the sweep sends it once the provider is back."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from chamber import outbox
from chamber.channels import Sms, WechatCard, short_forms, sms_backend, wechat_backend
from chamber.channels.short_forms import SHORT_FORMS
from chamber.models import NoticeChannels, OutgoingMessage
from chamber.outbox_kinds import kind_label
from tests.factories import MemberFactory, OfficialFactory, PetitionFactory
from tests.fakes import tencent_sms as fake_sms
from tests.fakes.wechat import TEMPLATE_ID, fake_wechat_fixture  # noqa: F401
from tests.support.channels import long_values

tencent_sms = fake_sms.tencent_sms
M, C = OutgoingMessage.Status, OutgoingMessage.Channel
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def daytime(time_machine):
    time_machine.move_to(datetime(2026, 12, 9, 10, tzinfo=BEIJING), tick=False)


@pytest.fixture
def member(db):
    return MemberFactory(
        user__email="wang@example.com",
        user__mobile="13812345678",
        user__mobile_verified_at=timezone.now(),
    ).user


def answered(user) -> dict[str, OutgoingMessage]:
    petition = PetitionFactory()
    rows = outbox.queue_all(
        [
            outbox.Notice(
                f"petition-answered:{petition.pk}:1:{user.pk}",
                "petition-answered",
                user,
                {"petition": petition, "path": petition.get_absolute_url()},
            )
        ],
        enqueue=False,
    )
    return {row.channel: row for row in rows}


def test_an_sms_goes_out_once_with_the_approved_template_and_its_values(
    member, tencent_sms
):
    sms = answered(member)[C.SMS]

    assert outbox.deliver(sms.pk) is True
    assert outbox.deliver(sms.pk) is False

    (accepted,) = tencent_sms.sent
    assert accepted.number == "+8613812345678"
    assert accepted.template_id == tencent_sms.templates["petition-answered"]
    assert accepted.params == sms.params["values"]
    assert accepted.sign_name == "西市区工商联"
    sms.refresh_from_db()
    assert (sms.status, sms.provider_ref) == (M.SENT, accepted.serial_no)


def test_a_refused_number_is_marked_unusable_and_the_notice_goes_by_e_mail(
    member, tencent_sms, client, staff
):
    NoticeChannels.objects.create(
        user=member, kind="petition-answered", email=False, sms=True
    )
    tencent_sms.number_status(member.mobile, "FailedOperation.PhoneNumberInBlacklist")
    sms = answered(member)[C.SMS]

    assert outbox.deliver(sms.pk) is False

    sms.refresh_from_db()
    member.refresh_from_db()
    assert sms.status == M.FAILED
    assert "FailedOperation.PhoneNumberInBlacklist" in member.sms_refused
    (email,) = OutgoingMessage.objects.filter(channel=C.EMAIL)
    assert (email.address, email.notice) == ("wang@example.com", sms.notice)
    # Staff see why, in words, on the outbox page.
    client.force_login(staff)
    page = client.get(
        reverse("outbox_detail", args=[sms.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "PhoneNumberInBlacklist" in page
    # The next notice goes by e-mail only, until staff correct the number.
    assert list(answered(member)) == [C.EMAIL]


def test_an_outage_leaves_the_sms_queued_and_the_sweep_sends_it_once_back(
    member, tencent_sms, time_machine
):
    tencent_sms.down()
    sms = answered(member)[C.SMS]

    assert outbox.deliver(sms.pk) is False
    sms.refresh_from_db()
    assert sms.status == M.QUEUED and sms.next_try_at > timezone.now()
    assert sms.last_error  # the reason in words

    tencent_sms.up()
    time_machine.move_to(timezone.now() + timedelta(minutes=3), tick=False)
    outbox.sweep()  # tasks run in this process here

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, len(tencent_sms.sent)) == (M.SENT, 2, 1)


def test_a_member_who_bound_wechat_gets_the_services_template_message(
    member, fake_wechat, settings
):
    settings.WECHAT_MP_TEMPLATE_IDS = {"petition-answered": TEMPLATE_ID}
    member.wechat_openid = "o-wang"
    member.save()
    fake_wechat.followers.add("o-wang")
    card = answered(member)[C.WECHAT]

    assert outbox.deliver(card.pk) is True

    (call,) = fake_wechat.calls("/mp/cgi-bin/message/template/send")
    assert (call.body["touser"], call.body["template_id"]) == ("o-wang", TEMPLATE_ID)
    assert call.body["url"].endswith(card.params["url"].split("://", 1)[1])
    assert call.body["data"]["keyword1"]["value"] == card.params["values"][0]


def test_a_member_who_left_the_official_account_is_unbound_by_the_refusal_and_gets_e_mail(
    member, fake_wechat, settings
):
    settings.WECHAT_MP_TEMPLATE_IDS = {"petition-answered": TEMPLATE_ID}
    NoticeChannels.objects.create(
        user=member, kind="petition-answered", email=False, wechat=True
    )
    member.wechat_openid = "o-gone"  # not among the followers: WeChat answers 43004
    member.save()
    card = answered(member)[C.WECHAT]

    assert outbox.deliver(card.pk) is False

    member.refresh_from_db()
    assert "43004" in member.wechat_refused
    assert OutgoingMessage.objects.filter(channel=C.EMAIL, notice=card.notice).exists()


def test_an_official_gets_a_text_card_in_wecom(fake_wechat, db):
    official = OfficialFactory(user__wecom_userid="zhangsan").user
    petition = PetitionFactory()
    (email, card) = outbox.queue_all(
        [
            outbox.Notice(
                f"petition-dispatched:{petition.pk}:{official.pk}",
                "petition-dispatched",
                official,
                {"petition": petition, "path": "/petitions/department/1/"},
            )
        ],
        enqueue=False,
    )

    assert outbox.deliver(card.pk) is True

    (call,) = fake_wechat.calls("/wecom/cgi-bin/message/send")
    assert call.body["touser"] == "zhangsan"
    assert call.body["textcard"]["title"] == email.subject
    assert call.body["textcard"]["url"].endswith("/petitions/department/1/")


@pytest.mark.parametrize("kind", list(SHORT_FORMS))
def test_every_kind_goes_out_by_sms_and_by_wecom(kind, tencent_sms, fake_wechat, db):
    """Each kind's approved template takes its values (no link among them, none over
    12 characters: the limit of a variable on many accounts), and each kind's card
    reaches WeCom."""
    tencent_sms.param_limit = 12
    filled = short_forms.fill(kind, long_values())
    sms = Sms(
        number="13812345678",
        kind=kind,
        template_id="",  # the backend takes SMS_TEMPLATE_IDS[kind]
        params=filled.values,
        text=filled.text,
    )

    assert sms_backend().send(sms)
    assert wechat_backend().send(
        WechatCard(
            via="wecom",
            to="zhangsan",
            kind=kind,
            title=kind_label(kind),
            description=short_forms.card_text(kind, filled),
            url=filled.url or "http://testserver/",
        )
    )

    (accepted,) = tencent_sms.sent
    assert accepted.template_id == tencent_sms.templates[kind]
    assert accepted.params == filled.values
    (call,) = fake_wechat.calls("/wecom/cgi-bin/message/send")
    assert call.body["textcard"]["description"] == short_forms.card_text(kind, filled)
