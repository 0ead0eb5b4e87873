"""A notice reaches each person by the channels they chose (issue 19): e-mail, SMS to a
verified mobile, WeChat once bound; SMS keep the quiet hours and the daily cap, carry a
short link, and a notice never gets lost to a channel that cannot reach the person.

SMS and WeChat go to the file backends here (var/sms/, var/wechat/), as in `make run`;
tests/chamber/test_sms_provider.py and test_wechat_channel.py run the real clients
against fake providers.
"""

import re
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chamber import outbox, sms_codes
from chamber.channels import choices, rules
from chamber.channels.short_forms import SHORT_FORMS, fill
from chamber.forms_channels import ChannelsForm
from chamber.models import (
    NoticeChannels,
    OutgoingMessage,
    ShortLink,
    SmsCode,
    UrgentKind,
)
from chamber.roles import Role
from tests.factories import (
    MemberFactory,
    PetitionFactory,
    UserFactory,
)
from tests.support.channels import long_values

BEIJING = ZoneInfo("Asia/Shanghai")
M, C = OutgoingMessage.Status, OutgoingMessage.Channel


def at(hour: int, minute: int = 0, day: int = 9) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def daytime(time_machine, settings, tmp_path):
    """10:00 Beijing time (outside the quiet hours) unless a test moves the clock; each
    test's own var/sms/ and var/wechat/."""
    time_machine.move_to(at(10), tick=False)
    settings.SMS_DIR, settings.WECHAT_DIR = tmp_path / "sms", tmp_path / "wechat"


@pytest.fixture
def member(db):
    """A member with a verified mobile, WeChat not bound."""
    return MemberFactory(
        user__email="wang@example.com",
        user__mobile="13812345678",
        user__mobile_verified_at=timezone.now(),
    ).user


def answered(user, petition=None) -> list[OutgoingMessage]:
    """The answer notice of a petition to `user`, queued (not sent)."""
    petition = petition or PetitionFactory(title="厂区供电容量不足")
    return outbox.queue_all(
        [
            outbox.Notice(
                f"petition-answered:{petition.pk}:1:{user.pk}",
                "petition-answered",
                user,
                {
                    "petition": petition,
                    "path": petition.get_absolute_url(),
                    "rate_path": "/petitions/rate/signed-token/",
                },
            )
        ],
        enqueue=False,
    )


def sms_files(settings) -> list[str]:
    folder = settings.SMS_DIR
    return (
        sorted(p.read_text() for p in folder.glob("*.txt")) if folder.exists() else []
    )


def test_an_answer_goes_by_e_mail_and_by_sms_with_a_short_link_within_70_characters(
    member, client, settings
):
    settings.SITE_URL = "https://gsl.xishi.gov.cn"

    rows = answered(member)

    assert [r.channel for r in rows] == [C.EMAIL, C.SMS]
    sms = rows[1]
    assert sms.address == "13812345678"
    link = re.search(r" ?gsl\.xishi\.gov\.cn(/s/[A-Za-z0-9]{8})$", sms.body_text).group(
        1
    )
    assert sms.body_text.startswith("【西市区工商联】您的诉求")
    assert "已答复，请查看并评价" in sms.body_text
    assert len(sms.body_text) <= 70, sms.body_text
    # The short link leads to the signed rating link, for as long as the link works.
    assert client.get(link).headers["Location"] == (
        "https://gsl.xishi.gov.cn/petitions/rate/signed-token/"
    )
    assert outbox.deliver(sms.pk)
    (written,) = sms_files(settings)
    assert "To: 13812345678" in written and sms.body_text in written
    sms.refresh_from_db()
    assert (sms.status, sms.provider_ref.startswith("file:")) == (M.SENT, True)


def test_an_expired_short_link_says_so_in_chinese(client, db):
    ShortLink.objects.create(
        code="old12345",
        url="https://gsl.xishi.gov.cn/petitions/1/",
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    response = client.get("/s/old12345", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 410
    assert "链接已过期" in response.content.decode()
    assert client.get("/s/unknown1").status_code == 404


def test_without_a_verified_mobile_the_notice_goes_by_e_mail_only(db):
    unverified = MemberFactory(user__mobile="13812345678").user

    assert [r.channel for r in answered(unverified)] == [C.EMAIL]


def test_a_person_who_turned_e_mail_off_still_gets_the_notice_when_sms_cannot_reach_them(
    member,
):
    NoticeChannels.objects.create(
        user=member, kind="petition-answered", email=False, sms=True
    )
    assert [r.channel for r in answered(member)] == [C.SMS]

    member.sms_refused = "号码为空号"
    member.save()
    assert [r.channel for r in answered(member)] == [C.EMAIL]


def test_wechat_goes_to_the_bound_openid_or_the_wecom_account(member, settings):
    member.wechat_openid = "o-member-1"
    member.save()
    official = UserFactory(wecom_userid="LiWei")
    NoticeChannels.objects.create(
        user=official, kind="petition-answered", email=False, wechat=True
    )

    mine = {r.channel: r for r in answered(member)}
    theirs = answered(official)

    assert set(mine) == {C.EMAIL, C.SMS, C.WECHAT}
    card = mine[C.WECHAT]
    assert (card.address, card.params["via"]) == ("o-member-1", "mp")
    assert card.params["url"].endswith("/petitions/rate/signed-token/")
    assert card.body_text.endswith("已答复，请查看并评价")  # no link, no 回T退订
    assert card.subject == mine[C.EMAIL].subject
    assert [(r.channel, r.address, r.params["via"]) for r in theirs] == [
        (C.WECHAT, "LiWei", "wecom")
    ]
    assert outbox.deliver(card.pk)
    (written,) = list(settings.WECHAT_DIR.glob("*.json"))
    assert "o-member-1" in written.read_text()


def test_a_reminder_stops_by_sms_after_the_person_replied_t_but_answers_do_not(member):
    member.sms_opt_out = True
    member.save()
    reminder = outbox.queue_all(
        [
            outbox.Notice(
                f"activity-reminder:1:{member.pk}",
                "activity-reminder",
                member,
                {"activity": None, "path": "/activities/1/"},
            )
        ],
        enqueue=False,
    )

    assert [r.channel for r in reminder] == [C.EMAIL]
    assert [r.channel for r in answered(member)] == [C.EMAIL, C.SMS]


def test_at_night_an_sms_waits_for_eight_in_the_morning(member, settings, time_machine):
    time_machine.move_to(at(23, 10), tick=False)
    sms = answered(member)[1]

    assert sms.next_try_at == at(8, 0, day=10)
    assert outbox.deliver(sms.pk) is False
    assert outbox.sweep() == []

    time_machine.move_to(at(8, 2, day=10), tick=False)
    assert sms.pk in outbox.sweep()  # beat's sweep sends it (here, in this process)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (M.SENT, 1)


def test_a_held_sms_caught_by_a_sender_at_night_goes_back_to_wait(
    member, settings, time_machine
):
    time_machine.move_to(at(21, 59), tick=False)
    sms = answered(member)[1]
    time_machine.move_to(at(22, 0), tick=False)

    assert outbox.deliver(sms.pk) is False

    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.next_try_at) == (
        M.QUEUED,
        0,
        at(8, 0, day=10),
    )
    assert sms_files(settings) == []


def test_a_kind_staff_mark_urgent_is_sent_at_night(member, time_machine):
    UrgentKind.objects.create(kind="petition-answered")
    time_machine.move_to(at(23, 10), tick=False)

    sms = answered(member)[1]

    assert sms.next_try_at == timezone.now()
    assert outbox.deliver(sms.pk) is True


def test_over_the_daily_cap_the_notice_goes_by_e_mail(member, settings, time_machine):
    settings.SMS_DAILY_CAP = 2
    time_machine.move_to(at(9), tick=False)
    NoticeChannels.objects.create(
        user=member, kind="petition-answered", email=False, sms=True
    )
    sent = [answered(member)[0] for _ in range(3)]

    assert [outbox.deliver(m.pk) for m in sent] == [True, True, False]

    over = OutgoingMessage.objects.get(pk=sent[2].pk)
    assert over.status == M.FAILED
    assert "2" in over.last_error
    (email,) = OutgoingMessage.objects.filter(channel=C.EMAIL)
    assert email.notice == over.notice and email.address == "wang@example.com"
    assert over.body_text in email.body_text and "/petitions/rate/" in email.body_text
    assert rules.sent_today("13812345678") == 2
    # The next day counts afresh.
    time_machine.move_to(at(9, day=10), tick=False)
    assert rules.sent_today("13812345678") == 0


def test_the_staff_dashboard_counts_the_months_sms(member, client, staff, settings):
    for _ in range(3):
        outbox.deliver(answered(member)[1].pk)
    client.force_login(staff)

    page = client.get(reverse("staff_dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert rules.month_count() == 3
    assert re.search(r"本月已发短信.*?</dt><dd[^>]*>3</dd>", page.content.decode())


def test_queueing_many_notices_by_several_channels_takes_a_constant_number_of_queries(
    django_assert_num_queries, db
):
    users = [
        UserFactory(mobile=f"138000000{i:02d}", mobile_verified_at=timezone.now())
        for i in range(20)
    ]
    petition = PetitionFactory()
    notices = [
        outbox.Notice(
            f"petition-answered:{petition.pk}:1:{u.pk}",
            "petition-answered",
            u,
            {"petition": petition, "path": "/p/", "rate_path": "/r/"},
        )
        for u in users
    ]

    # choices, keys known, urgent kinds, savepoint + short links + messages + release
    with django_assert_num_queries(7):
        written = outbox.queue_all(notices, enqueue=False)

    assert len(written) == 40


@pytest.mark.parametrize("kind", [k for k in SHORT_FORMS if k != "sms-code"])
def test_each_short_form_is_one_sms_with_typical_values(kind, settings, db):
    """70 characters with the signature, a 24-character site and long names."""
    settings.SITE_URL = "https://gsl.xishi.gov.cn"
    context = long_values()

    text = fill(kind, context).text

    assert len(text) <= 70, (len(text), text)
    assert "{" not in text


def test_the_readme_lists_the_template_of_every_kind_as_the_command_prints_it(settings):
    settings.SITE_URL = "https://portal.example.cn"
    out = StringIO()

    call_command("sms_templates", stdout=out)

    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    rows = out.getvalue().strip().splitlines()
    assert len(rows) == len(SHORT_FORMS) + 2
    assert [row for row in rows if row not in readme] == []


# --- the channels page (消息接收方式) ---------------------------------------------------------


def test_a_member_chooses_sms_only_for_answers_and_must_keep_one_channel(client, db):
    user = MemberFactory().user
    client.force_login(user)
    url = reverse("channels")

    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "消息接收方式" in page and "诉求答复" in page
    assert "没有已验证的手机号" in page

    form = {
        f"{kind}:{channel}": "on"
        for kind in ("petition-accepted", "petition-answered")
        for channel in ("email", "sms")
    }
    del form["petition-answered:email"]
    response = client.post(url, form, HTTP_ACCEPT_LANGUAGE="zh-hans")
    # Every kind shown needs a channel: the kinds left out are refused with their name.
    assert response.status_code == 400
    assert "至少保留一种接收方式" in response.content.decode()
    assert not NoticeChannels.objects.exists()

    form = {
        key: "on"
        for key in ChannelsForm(
            user=user, kinds=choices.kinds_for({Role.MEMBER})
        ).fields
        if key.endswith(":email")
    } | {"petition-answered:sms": "on"}
    del form["petition-answered:email"]
    assert client.post(url, form).status_code == 302

    (row,) = NoticeChannels.objects.filter(user=user, kind="petition-answered")
    assert (row.email, row.sms, row.wechat) == (False, True, False)
    # Kinds left as by default keep no row.
    assert NoticeChannels.objects.filter(user=user).count() == len(
        [k for k in choices.kinds_for({Role.MEMBER}) if choices.DEFAULTS.get(k)]
    )


def test_a_mobile_is_verified_by_the_code_sent_to_it(
    client, settings, django_capture_on_commit_callbacks, db
):
    user = MemberFactory().user
    client.force_login(user)
    mobile = reverse("channels_mobile")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(mobile, {"mobile": "138 1234 5678"})
    (sms,) = sms_files(settings)
    assert "To: 13812345678" in sms
    code = re.search(r"验证码(\d{6})", sms).group(1)

    again = client.post(mobile, {"mobile": "13812345678"}, follow=True)
    assert "一分钟内已发送过验证码" in again.content.decode()
    wrong = client.post(mobile, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 302
    user.refresh_from_db()
    assert user.mobile_verified_at is None

    page = client.post(mobile, {"code": code}, follow=True).content.decode()

    user.refresh_from_db()
    assert (user.mobile, user.mobile_verified_at is not None) == ("13812345678", True)
    assert "手机号13812345678已验证" in page
    # The code is used: another try asks for a new one.
    client.post(mobile, {"code": code})
    assert "请先获取手机验证码" in client.get(reverse("channels")).content.decode()


def test_a_number_another_user_verified_is_refused(client, member, db):
    other = MemberFactory().user
    client.force_login(other)

    client.post(reverse("channels_mobile"), {"mobile": member.mobile})
    row = OutgoingMessage.objects.get(kind="sms-code")  # the SMS, queued
    digits = re.search(r"验证码(\d{6})", row.body_text).group(1)
    page = client.post(
        reverse("channels_mobile"), {"code": digits}, follow=True
    ).content.decode()

    other.refresh_from_db()
    assert other.mobile_verified_at is None
    assert "该手机号已被其他用户验证" in page


def test_staff_filter_the_outbox_by_channel(member, client, staff):
    email, sms = answered(member)
    client.force_login(staff)

    page = client.get(
        reverse("outbox"), {"channel": "sms"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert f'id="subject-{sms.pk}"' in page and f'id="subject-{email.pk}"' not in page
    assert "短信 · " in page


def test_one_address_gets_ten_codes_an_hour_whatever_the_numbers(db, time_machine):
    for n in range(sms_codes.PER_ADDRESS):
        sms_codes.send_code(f"1380000{n:04d}", SmsCode.Purpose.LOGIN, address="1.2.3.4")

    with pytest.raises(sms_codes.CodeRefused, match="获取验证码次数过多"):
        sms_codes.send_code("13899999999", SmsCode.Purpose.GUEST, address="1.2.3.4")
    sms_codes.send_code("13899999999", SmsCode.Purpose.GUEST, address="5.6.7.8")
    assert SmsCode.objects.count() == sms_codes.PER_ADDRESS + 1
