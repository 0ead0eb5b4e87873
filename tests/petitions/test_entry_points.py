"""The QR entry points (issue 19, item 7): the studio door, a session's opinion form, an
activity's sign-up and a showcase's share code, and the petition of an enterprise that
is not a member, its mobile proved by an SMS code read from the file the outbox wrote.

The rota is March 2026: 李代表 sits in the studio the week of the 9th, 周代表 the week
of the 16th. Pages are requested in Chinese, as the users read them.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import segno
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from chamber.roles import roles_of
from members.models import Enterprise, Member
from members.services import rota
from petitions import services
from petitions.models import Petition
from publicity import newsletter, showcases
from tests.factories import (
    ActivityFactory,
    ActivityTypeFactory,
    DutyLogEntryFactory,
    DutyRepresentativeFactory,
    DutyShiftFactory,
    DutyStudioFactory,
    EnterpriseFactory,
    MemberFactory,
    valid_credit_code,
)

BEIJING = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 3, 9)  # a Monday: 李代表's week
NEXT_WEEK = date(2026, 3, 16)  # 周代表's
MOBILE = "13912345678"
CODE = valid_credit_code(4242)  # a valid unified social credit code nobody has yet
STUDIO = "/petitions/studio/"
ENTRY = re.compile(r'name="entry" value="([^"]*)"')
SMS_CODE = re.compile(r"验证码(\d{6})")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


@pytest.fixture
def shifts(db):
    DutyStudioFactory()
    return {
        "this": DutyShiftFactory(
            week_start=WEEK,
            representative=DutyRepresentativeFactory(user__full_name="李代表"),
        ),
        "next": DutyShiftFactory(
            week_start=NEXT_WEEK,
            representative=DutyRepresentativeFactory(user__full_name="周代表"),
        ),
    }


@pytest.fixture
def wednesday(time_machine):
    """10:00 on the Wednesday of 李代表's week."""
    time_machine.move_to(at(WEEK + timedelta(days=2), 10), tick=False)


@pytest.fixture
def sms_dir(settings, tmp_path):
    settings.SMS_DIR = tmp_path / "sms"
    return settings.SMS_DIR


def entry_of(response) -> str:
    return ENTRY.search(response.content.decode()).group(1)


def code_sent_to(folder, number: str) -> str:
    """The code of the one SMS written to `number` (chamber/channels/sms.py FileBackend)."""
    texts = [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))]
    (text,) = [t for t in texts if f"To: {number}" in t]
    return SMS_CODE.search(text).group(1)


def member_petition(**extra) -> dict:
    return {
        "title": "厂区门前道路积水",
        "description": "雨天积水严重，影响货车进出，希望协调修缮。",
        "contact_name": "王会计",
        "contact_phone": "13812345678",
        **extra,
    }


def guest_petition(**extra) -> dict:
    return {
        "mobile": MOBILE,
        "enterprise_name": "营口新港物流有限公司",
        "credit_code": CODE.lower(),
        "area": "coastal",
        "contact_name": "赵经理",
        "title": "仓储用地审批进度",
        "description": "仓库扩建用地的审批已等待三个月，希望了解进度。",
        **extra,
    }


def send_code(client, django_capture_on_commit_callbacks, url: str, typed: dict):
    """Press 获取验证码; the outbox writes the SMS to SMS_DIR after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, {**typed, "send_code": "1"})


# --- the studio door ------------------------------------------------------------------------


def test_the_studio_door_opens_the_form_with_the_channel_and_this_weeks_shift(
    client, alice, shifts, wednesday
):
    client.force_login(alice.user)

    page = client.get(STUDIO)

    html = page.content.decode()
    assert page.status_code == 200
    assert "代表人士工作室" in html
    assert "李代表坐班" in html and "周代表" not in html
    sent = client.post(STUDIO, member_petition(entry=entry_of(page)))
    petition = Petition.objects.get()
    assert sent["Location"] == petition.get_absolute_url()
    assert petition.channel == Petition.Channel.DUTY_STUDIO
    assert petition.duty_shift == shifts["this"]
    assert (petition.enterprise, petition.submitted_by) == (
        alice.enterprise,
        alice.user,
    )
    assert "李代表" in client.get(petition.get_absolute_url()).content.decode()


def test_a_form_opened_on_sunday_and_sent_on_monday_keeps_the_week_it_was_scanned_in(
    client, alice, shifts, time_machine
):
    client.force_login(alice.user)
    time_machine.move_to(at(WEEK + timedelta(days=6), 21), tick=False)
    page = client.get(STUDIO)

    time_machine.move_to(at(NEXT_WEEK, 9), tick=False)
    client.post(STUDIO, member_petition(entry=entry_of(page)))

    assert Petition.objects.get().duty_shift == shifts["this"]
    assert "周代表坐班" in client.get(STUDIO).content.decode()


def test_a_forged_week_is_ignored_for_the_week_on_duty_now(
    client, alice, shifts, wednesday
):
    client.force_login(alice.user)

    client.post(STUDIO, member_petition(entry=str(shifts["next"].pk)))

    assert Petition.objects.get().duty_shift == shifts["this"]


def test_in_a_week_nobody_is_on_duty_the_studio_still_takes_the_petition(
    client, alice, time_machine, db
):
    time_machine.move_to(at(WEEK, 10), tick=False)
    client.force_login(alice.user)

    page = client.get(STUDIO)
    client.post(STUDIO, member_petition(entry=entry_of(page)))

    assert "本周无人坐班" in page.content.decode()
    petition = Petition.objects.get()
    assert (petition.channel, petition.duty_shift) == ("duty_studio", None)


def test_a_petition_made_from_the_duty_log_names_the_week_too(db, shifts):
    entry = DutyLogEntryFactory(
        shift=shifts["this"], enterprise=EnterpriseFactory(), appeal="希望协调用电。"
    )

    petition = services.petition_from_duty_log(
        entry=entry,
        actor=shifts["this"].representative.user,
        title="用电增容",
        description="希望协调用电。",
    )

    assert petition.duty_shift == shifts["this"]


# --- a session's opinion form ---------------------------------------------------------------


@pytest.mark.parametrize(
    "type_code, channel, label",
    [
        ("consultation", Petition.Channel.CONSULTATION_DAY, "会诊日"),
        ("salon", Petition.Channel.RECEPTION_HALL, "企业家会客厅"),
    ],
)
def test_a_sessions_code_sets_the_channel_and_the_session(
    client, alice, type_code, channel, label
):
    session = ActivityFactory(
        title="三月企业纾困会诊", type=ActivityTypeFactory(code=type_code)
    )
    url = reverse("petitions:session", args=[session.pk])
    client.force_login(alice.user)

    page = client.get(url)
    client.post(url, member_petition())

    assert page.status_code == 200
    assert (
        label in page.content.decode() and "三月企业纾困会诊" in page.content.decode()
    )
    petition = Petition.objects.get()
    assert (petition.channel, petition.activity, petition.duty_shift) == (
        channel,
        session,
        None,
    )


def test_only_a_published_session_has_an_opinion_form(client, alice):
    theme = ActivityFactory(type=ActivityTypeFactory(code="theme"))
    draft = ActivityFactory(
        type=ActivityTypeFactory(code="consultation"), status="draft"
    )
    client.force_login(alice.user)

    for activity in (theme, draft):
        url = reverse("petitions:session", args=[activity.pk])
        assert client.get(url).status_code == 404


# --- an enterprise that is not a member -----------------------------------------------------


def test_a_non_member_enterprise_petitions_at_the_studio_door_with_an_sms_code(
    client, staff, shifts, wednesday, sms_dir, django_capture_on_commit_callbacks
):
    page = client.get(STUDIO)
    assert "获取验证码" in page.content.decode()
    assert f"{reverse('login')}?next={STUDIO}" in page.content.decode()
    typed = guest_petition(entry=entry_of(page))

    sent = send_code(client, django_capture_on_commit_callbacks, STUDIO, typed)

    html = sent.content.decode()
    assert sent.status_code == 200
    assert f"验证码已发送至{MOBILE}" in html
    assert "营口新港物流有限公司" in html and "仓库扩建用地的审批" in html
    done = client.post(STUDIO, {**typed, "code": code_sent_to(sms_dir, MOBILE)})
    petition = Petition.objects.select_related("enterprise").get()
    received = client.get(done["Location"]).content.decode()
    assert f"您的诉求编号为{petition.number}" in received
    assert petition.status == Petition.Status.SUBMITTED
    assert (petition.channel, petition.duty_shift) == ("duty_studio", shifts["this"])
    assert (petition.submitted_by, petition.contact_name, petition.contact_phone) == (
        None,
        "赵经理",
        MOBILE,
    )
    enterprise = petition.enterprise
    assert (enterprise.name, enterprise.credit_code, enterprise.status) == (
        "营口新港物流有限公司",
        CODE,
        Enterprise.Status.PROSPECT,
    )
    # Staff see who wrote: marked on the triage board and the petition's page.
    client.force_login(staff)
    board = client.get(reverse("petitions:triage")).content.decode()
    assert re.search(r"营口新港物流有限公司\s*<span[^>]*>非会员企业</span>", board)
    detail = client.get(reverse("petitions:staff_detail", args=[petition.pk]))
    assert "非会员企业" in detail.content.decode()
    assert "邀请入会" in detail.content.decode()
    assert "李代表" in detail.content.decode()


def test_the_opinion_form_of_a_session_takes_a_non_member_too(
    client, sms_dir, django_capture_on_commit_callbacks, time_machine, db
):
    time_machine.move_to(at(WEEK, 15), tick=False)
    session = ActivityFactory(type=ActivityTypeFactory(code="consultation"))
    url = reverse("petitions:session", args=[session.pk])

    send_code(client, django_capture_on_commit_callbacks, url, guest_petition())
    client.post(url, guest_petition(code=code_sent_to(sms_dir, MOBILE)))

    petition = Petition.objects.get()
    assert (petition.channel, petition.activity) == ("consultation_day", session)
    assert petition.enterprise.status == Enterprise.Status.PROSPECT


def test_a_wrong_credit_code_is_refused_in_chinese_and_nothing_typed_is_lost(
    client, wednesday, shifts, sms_dir, django_capture_on_commit_callbacks
):
    wrong = CODE[:17] + ("0" if CODE[17] != "0" else "1")
    typed = guest_petition(credit_code=wrong)
    send_code(client, django_capture_on_commit_callbacks, STUDIO, typed)

    refused = client.post(STUDIO, {**typed, "code": code_sent_to(sms_dir, MOBILE)})

    html = refused.content.decode()
    assert refused.status_code == 400
    assert f"校验码（第18位）应为{CODE[17]}，而不是{wrong[17]}" in html
    assert wrong in html and "仓库扩建用地的审批已等待三个月" in html
    assert "营口新港物流有限公司" in html and "赵经理" in html
    assert not Petition.objects.exists()
    assert not Enterprise.objects.filter(status="prospect").exists()


def test_a_wrong_sms_code_is_refused_in_chinese_and_nothing_typed_is_lost(
    client, wednesday, shifts, sms_dir, django_capture_on_commit_callbacks
):
    typed = guest_petition()
    send_code(client, django_capture_on_commit_callbacks, STUDIO, typed)
    right = code_sent_to(sms_dir, MOBILE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"

    refused = client.post(STUDIO, {**typed, "code": wrong})
    missing = client.post(STUDIO, typed)

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "验证码错误，请核对短信后重试。" in html
    assert "营口新港物流有限公司" in html and "仓库扩建用地的审批已等待三个月" in html
    assert "请输入短信中的6位验证码。" in missing.content.decode()
    assert not Petition.objects.exists()
    # The right code still works: a wrong try counts, it does not spend the code.
    client.post(STUDIO, {**typed, "code": right})
    assert Petition.objects.count() == 1


def test_a_member_enterprises_credit_code_is_refused_to_a_visitor(
    client, alice, wednesday, shifts, sms_dir, django_capture_on_commit_callbacks
):
    typed = guest_petition(credit_code=alice.enterprise.credit_code)
    send_code(client, django_capture_on_commit_callbacks, STUDIO, typed)

    refused = client.post(STUDIO, {**typed, "code": code_sent_to(sms_dir, MOBILE)})

    assert refused.status_code == 400
    assert (
        "甲公司是本会会员企业，请由其会员登录后提交诉求。" in refused.content.decode()
    )
    assert not Petition.objects.exists()


def test_the_same_credit_code_again_is_the_same_enterprise_and_needs_no_new_code(
    client, wednesday, shifts, sms_dir, django_capture_on_commit_callbacks
):
    known = EnterpriseFactory(
        name="营口新港物流有限公司", credit_code=CODE, status="prospect"
    )
    send_code(client, django_capture_on_commit_callbacks, STUDIO, guest_petition())
    client.post(STUDIO, guest_petition(code=code_sent_to(sms_dir, MOBILE)))

    again = client.post(STUDIO, guest_petition(title="物流园区道路照明"))

    assert again.status_code == 302
    assert [p.enterprise for p in Petition.objects.all()] == [known, known]
    assert list(Enterprise.objects.filter(status="prospect")) == [known]
    assert len(list(sms_dir.glob("*.txt"))) == 1


def test_codes_stop_after_ten_from_one_address(client, wednesday, shifts, db):
    for n in range(10):
        client.post(STUDIO, {"mobile": f"1391234{n:04d}", "send_code": "1"})

    refused = client.post(STUDIO, {"mobile": "13912349999", "send_code": "1"})

    assert "获取验证码次数过多，请一小时后再试。" in refused.content.decode()


def test_the_confirmation_link_expires_and_cannot_be_forged(client, db, time_machine):
    from petitions import entry

    time_machine.move_to(at(WEEK, 10), tick=False)
    petition = services.submit_guest_petition(
        mobile=MOBILE,
        enterprise_name="营口新港物流有限公司",
        credit_code=CODE,
        area="coastal",
        contact_name="赵经理",
        title="仓储用地审批进度",
        description="希望了解进度。",
        channel="duty_studio",
    )
    url = reverse("petitions:received", args=[entry.received_token(petition)])

    assert client.get(url).status_code == 200
    assert client.get(url.replace(url[-6:-1], "AAAAA")).status_code == 404
    time_machine.move_to(at(WEEK + timedelta(days=2), 10), tick=False)
    assert client.get(url).status_code == 404


# --- staff invite the enterprise ------------------------------------------------------------


def test_staff_invite_a_non_member_enterprise_and_its_contact_becomes_a_member(
    client, staff, wednesday, shifts, django_capture_on_commit_callbacks
):
    petition = services.submit_guest_petition(
        mobile=MOBILE,
        enterprise_name="营口新港物流有限公司",
        credit_code=CODE,
        area="coastal",
        contact_name="赵经理",
        title="仓储用地审批进度",
        description="希望了解进度。",
        channel="duty_studio",
    )
    client.force_login(staff)
    detail = client.get(reverse("petitions:staff_detail", args=[petition.pk]))
    invite = re.search(r'href="([^"]*/admit/[^"]*)"', detail.content.decode()).group(1)

    form = client.get(invite.replace("&amp;", "&"))
    with django_capture_on_commit_callbacks(execute=True):
        admitted = client.post(
            invite.split("?")[0],
            {
                "full_name": "赵经理",
                "mobile": MOBILE,
                "email": "zhao@xingang.example",
                "position": "总经理",
                "next": reverse("petitions:staff_detail", args=[petition.pk]),
            },
        )

    assert 'value="赵经理"' in form.content.decode()
    assert f'value="{MOBILE}"' in form.content.decode()
    assert admitted["Location"] == reverse("petitions:staff_detail", args=[petition.pk])
    enterprise = Enterprise.objects.get(pk=petition.enterprise_id)
    assert (enterprise.status, enterprise.joined_on) == ("active", WEEK + timedelta(2))
    member = Member.objects.get(enterprise=enterprise)
    assert (member.user.username, member.user.has_usable_password()) == (MOBILE, False)
    assert roles_of(member.user).member == member
    (invitation,) = [m for m in mail.outbox if m.to == ["zhao@xingang.example"]]
    assert "/members/invitation/" in invitation.body
    after = client.get(reverse("petitions:staff_detail", args=[petition.pk]))
    assert "邀请入会" not in after.content.decode()


def test_a_member_enterprise_cannot_be_admitted_again(client, staff, alice):
    client.force_login(staff)

    url = reverse("members:admit_enterprise", args=[alice.enterprise_id])

    assert client.get(url).status_code == 404


# --- a non-member enterprise is never a member ----------------------------------------------


def test_a_non_member_enterprise_is_never_listed_or_counted_as_a_member(
    client, alice, staff, db
):
    prospect = EnterpriseFactory(name="非会员物流公司", status="prospect")
    # A person attached to it by hand (a raw import): still no member of the chamber.
    stray = MemberFactory(enterprise=prospect, user__full_name="钱经理")

    for who in (alice.user, staff):
        client.force_login(who)
        directory = client.get(reverse("members:directory")).content.decode()
        assert "非会员物流公司" not in directory and "钱经理" not in directory
        assert client.get(reverse("members:detail", args=[stray.pk])).status_code == 404
    assert roles_of(stray.user).member is None
    assert prospect not in Enterprise.objects.members()
    assert stray not in Member.objects.in_directory()
    assert stray.user not in newsletter.subscribers()
    assert stray not in rota.candidates(first=WEEK, last=NEXT_WEEK)
    with (
        translation.override("zh-hans"),
        pytest.raises(ValidationError, match="非会员物流公司不是本会会员企业"),
    ):
        Member(user=alice.user, enterprise=prospect).clean()


# --- the posters ----------------------------------------------------------------------------


def test_the_studio_poster_encodes_the_one_url_of_the_door_for_staff_only(
    client, staff, alice, shifts, wednesday
):
    url = reverse("petitions:studio_poster")
    assert client.get(url).status_code == 302
    client.force_login(alice.user)
    assert client.get(url).status_code == 403
    client.force_login(staff)

    poster = client.get(url).content.decode()

    assert "扫码反映诉求" in poster and "工商联代表人士工作室" in poster
    door = "http://testserver/petitions/studio/"
    assert segno.make(door, error="m").svg_inline(scale=6, omitsize=True) in poster
    assert "poster.css" in poster and "打印海报" in poster
    rota_page = client.get(reverse("members:staff_rota")).content.decode()
    assert url in rota_page


def test_a_sessions_poster_encodes_its_opinion_form_and_its_page_links_to_it(
    client, staff
):
    session = ActivityFactory(type=ActivityTypeFactory(code="consultation"))
    other = ActivityFactory(type=ActivityTypeFactory(code="theme"))
    client.force_login(staff)

    poster = client.get(reverse("petitions:session_poster", args=[session.pk]))

    form_url = f"http://testserver/petitions/session/{session.pk}/"
    assert (
        segno.make(form_url, error="m").svg_inline(scale=6, omitsize=True)
        in poster.content.decode()
    )
    assert "扫码填写征求意见表" in poster.content.decode()
    detail = client.get(session.get_absolute_url()).content.decode()
    assert reverse("petitions:session_poster", args=[session.pk]) in detail
    assert reverse("activities:signup_poster", args=[session.pk]) in detail
    other_page = client.get(other.get_absolute_url()).content.decode()
    assert "意见表二维码" not in other_page
    assert (
        client.get(reverse("petitions:session_poster", args=[other.pk])).status_code
        == 404
    )


def test_an_activitys_poster_opens_its_page_where_members_sign_up(client, staff, alice):
    activity = ActivityFactory(title="惠企政策解读会")
    url = reverse("activities:signup_poster", args=[activity.pk])
    client.force_login(alice.user)
    assert client.get(url).status_code == 403
    client.force_login(staff)

    poster = client.get(url).content.decode()

    page = f"http://testserver{activity.get_absolute_url()}"
    assert segno.make(page, error="m").svg_inline(scale=6, omitsize=True) in poster
    assert "扫码报名" in poster and "惠企政策解读会" in poster


def test_a_showcases_share_code_is_for_its_own_members_and_staff(
    client, alice, bob, staff
):
    showcase = showcases.showcase_of(alice.enterprise)
    showcase.introduction = "甲公司主营港口物流。"
    showcases.save_showcase(
        showcase=showcase, actor=staff, photos=[], remove_photo_ids=[], submit=True
    )
    showcases.approve_showcase(showcase=showcase, actor=staff)
    url = reverse("publicity:showcase_poster", args=[showcase.pk])

    client.force_login(alice.user)
    poster = client.get(url).content.decode()
    page = client.get(showcase.get_absolute_url()).content.decode()
    client.force_login(bob.user)
    refused = client.get(url)
    bobs_view = client.get(showcase.get_absolute_url()).content.decode()

    public = f"http://testserver{showcase.get_absolute_url()}"
    assert segno.make(public, error="m").svg_inline(scale=6, omitsize=True) in poster
    assert escape("甲公司") in poster and "扫码了解我们企业" in poster
    assert url in page and url not in bobs_view
    assert refused.status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
