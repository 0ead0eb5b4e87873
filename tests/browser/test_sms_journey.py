"""On a phone (issue 19): a member logs in with an SMS code read from var/sms/, opens the
rating link of the SMS that brought the answer, rates once, and the link then says
已评价; the studio door's poster opens the petition form with the channel and the week
on duty set. SMS go to the file backend, as in `make run`."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from chamber.models import UrgentKind, User
from members.models import Member
from petitions import services
from petitions.models import Petition
from tests.factories import (
    CategoryFactory,
    OfficialFactory,
    PetitionFactory,
    StaffFactory,
)
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh_translated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def newest_sms(folder: Path, containing: str) -> str:
    """The text of the newest SMS in var/sms/ that contains `containing`."""
    for path in sorted(folder.glob("*.txt"), reverse=True):
        text = path.read_text(encoding="utf-8")
        if containing in text:
            return text
    raise AssertionError(f"no SMS with {containing!r} in {folder}")


def answered_petition(member: Member):
    """A petition of the member's, through every step to the answer (which is sent)."""
    staff = StaffFactory()
    official = OfficialFactory()
    with transaction.atomic():
        petition = PetitionFactory(
            enterprise=member.enterprise,
            submitted_by=member.user,
            title="厂区供电容量不足",
        )
        services.accept_petition(
            petition=petition,
            actor=staff,
            category=CategoryFactory(working_days=10),
            priority="normal",
            handling="department",
            note="",
        )
        services.dispatch_petition(
            petition=petition, department=official.department, actor=staff, note=""
        )
        services.sign_petition(petition=petition, actor=official.user)
        services.record_department_reply(
            petition=petition,
            actor=official.user,
            outcome="resolved",
            reply="已协调供电公司完成增容。",
        )
        return services.answer_petition(
            petition=petition, actor=staff, answer="经协调，供电增容已于本周完成。"
        )


def test_a_member_logs_in_by_sms_code_and_rates_the_answer_from_the_sms_once(
    watched_page, live_server, settings, tmp_path
):
    seed_demo()
    settings.SMS_DIR = tmp_path / "sms"
    settings.SITE_URL = live_server.url  # the links the SMS carry lead here
    # Whatever the hour the tests run at: the answer's SMS does not wait for 08:00.
    UrgentKind.objects.create(kind="petition-answered")
    member = Member.objects.select_related("user", "enterprise").get(
        user__username="demo-member"
    )
    page = watched_page

    # 短信验证码登录
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=zh_translated("Log in with an SMS code")).click()
    page.get_by_label(zh_translated("mobile phone")).fill(member.user.mobile)
    page.get_by_role("button", name=zh_translated("Send a code")).click()
    code = re.search(r"验证码(\d{6})", newest_sms(settings.SMS_DIR, "验证码")).group(1)
    page.get_by_label(zh_translated("code from the SMS")).fill(code)
    page.get_by_role("button", name=zh_translated("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("张晓明")

    # The answer arrives by SMS, with a short link to rate it.
    petition = answered_petition(member)
    sms = newest_sms(settings.SMS_DIR, petition.number)
    assert "已答复，请查看并评价" in sms
    short = re.search(r"(/s/[A-Za-z0-9]{8})\s*$", sms).group(1)

    assert f"{live_server.url.split('://')[1]}{short}" in sms
    page.goto(live_server.url + short)
    expect(page.get_by_text("经协调，供电增容已于本周完成。")).to_be_visible()
    with translation.override("zh-hans"):
        solved = str(petition.Solved.SOLVED.label)
    page.get_by_label(solved, exact=True).check()
    page.get_by_label(zh_translated("satisfied"), exact=True).check()
    page.get_by_role("button", name=zh_translated("Send my rating")).click()
    expect(page.locator(".alert-success")).to_contain_text(
        zh_translated("Thank you, your rating was recorded.")
    )

    page.goto(live_server.url + short)
    expect(page.get_by_text("已评价")).to_be_visible()
    petition.refresh_from_db()
    assert petition.status == petition.Status.CLOSED
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_the_studio_posters_code_opens_the_form_with_the_channel_and_the_week_on_duty(
    watched_page, live_server, settings, client
):
    """One poster on the studio door for the whole year: scanned this week, the form
    names this week's representative, and the petition is theirs to follow."""
    seed_demo()
    settings.SITE_URL = live_server.url
    client.force_login(User.objects.get(username="demo-staff"))
    poster = client.get(reverse("petitions:studio_poster")).content.decode()
    encoded = re.search(r'class="qr-poster-url[^"]*">([^<]+)<', poster).group(1)
    assert urlsplit(encoded).path == reverse("petitions:studio")
    scanned = live_server.url + urlsplit(encoded).path
    page = watched_page

    page.goto(f"{live_server.url}/accounts/login/?next={reverse('petitions:studio')}")
    page.get_by_label(zh_translated("Username")).fill("demo-member")
    page.get_by_label(zh_translated("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh_translated("Log in")).click()
    page.goto(scanned)
    expect(page.get_by_text("代表人士工作室", exact=True)).to_be_visible()
    expect(page.get_by_text("刘建国")).to_be_visible()
    page.locator("#id_title").fill("厂区门前道路积水")
    page.locator("#id_description").fill("雨后厂区门前道路积水严重，影响货车进出。")
    page.get_by_role("button", name=zh_translated("Submit the petition")).click()

    page.wait_for_url(re.compile(r"/petitions/\d+/$"))
    petition = Petition.objects.get(title="厂区门前道路积水")
    assert petition.channel == Petition.Channel.DUTY_STUDIO
    assert petition.duty_shift.representative.user.username == "demo-rep"
    assert petition.duty_shift.span.first <= timezone.localdate()
    assert timezone.localdate() <= petition.duty_shift.span.last
    assert page.console_errors == []
    assert page.foreign_requests == []
