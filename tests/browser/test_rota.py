"""A representative on a phone declares days they cannot serve, then asks for a swap, in Chinese."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from members.models import DutyShift, Member, SwapRequest, Unavailability
from members.services.rota import monday
from tests.support.demo_snapshot import seed_demo
from tests.support.words import zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field_label(msgid: str) -> re.Pattern:
    """A form field's label as crispy renders it: the Chinese, then "*" when required."""
    return re.compile(rf"^\s*{re.escape(zh(msgid))}\s*\*?\s*$")


def week_label(shift: DutyShift) -> str:
    return zh("%(first)s to %(last)s") % {
        "first": f"{shift.first_day:%Y-%m-%d}",
        "last": f"{shift.last_day:%m-%d}",
    }


def coming_weeks_of(rep: Member) -> list[DutyShift]:
    """demo-rep's coming weeks with no open swap request; one is made if the demo gave none."""
    today = timezone.localdate()
    free = [
        s
        for s in DutyShift.objects.filter(
            representative=rep, first_day__gt=today
        ).order_by("week_start")
        if not s.swap_requests.filter(status=SwapRequest.Status.OPEN).exists()
    ]
    if free:
        return free
    # The demo shared the half-year out among eleven representatives: near its end
    # demo-rep may have no week left. Give them the week after next.
    week = monday(today) + timedelta(days=14)
    shift = DutyShift.objects.filter(week_start=week).first() or DutyShift(
        week_start=week, first_day=week, last_day=week + timedelta(days=4)
    )
    shift.representative = rep
    shift.save()
    SwapRequest.objects.filter(shift=shift, status=SwapRequest.Status.OPEN).update(
        status=SwapRequest.Status.CANCELLED
    )
    return [shift]


def _log_in_as_demo_rep_and_open_my_duty_weeks(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name=zh("Log in")).last.click()
    page.get_by_label(zh("Username")).fill("demo-rep")
    page.get_by_label(zh("Password")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name=zh("Menu")).click()
    page.get_by_role("link", name=zh("My duty weeks")).click()
    page.wait_for_url(f"{live_server.url}/members/rota/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My duty weeks"))


def test_a_representative_declares_days_off_and_asks_for_a_swap_on_a_phone(
    watched_page, live_server
):
    seed_demo()
    rep = Member.objects.get(user__username="demo-rep")
    target, *others = coming_weeks_of(rep)
    page = watched_page
    _log_in_as_demo_rep_and_open_my_duty_weeks(page, live_server)
    coming = page.locator("section[aria-labelledby=coming] .card")
    card = coming.filter(has_text=week_label(target))
    expect(card).to_have_count(1)
    expect(card.get_by_text(zh("Swap requested: waiting for a taker"))).to_have_count(0)

    page.get_by_label(field_label("from")).fill(f"{target.first_day:%Y-%m-%d}")
    page.get_by_label(field_label("until")).fill(f"{target.last_day:%Y-%m-%d}")
    page.locator("#id_reason").fill("外出参加省工商联培训")
    page.get_by_role("button", name=zh("Declare these days")).click()

    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(
        zh("Saved. Staff will be told if it falls in one of your duty weeks.")
    )
    expect(card.get_by_text(zh("Swap requested: waiting for a taker"))).to_be_visible()
    expect(
        page.get_by_text(
            f"{target.first_day:%Y-%m-%d} – {target.last_day:%Y-%m-%d} · 外出参加省工商联培训"
        )
    ).to_be_visible()
    assert Unavailability.objects.filter(member=rep).count() == 1
    swap = SwapRequest.objects.get(shift=target, status=SwapRequest.Status.OPEN)
    assert swap.requested_by == rep

    if others:
        second = coming.filter(has_text=week_label(others[0]))
        second.get_by_role("button", name=zh("Ask someone to swap")).click()
        page.wait_for_load_state()
        expect(page.get_by_role("alert")).to_contain_text(
            zh("Your request was sent to the other representatives.")
        )
        expect(
            second.get_by_text(zh("Swap requested: waiting for a taker"))
        ).to_be_visible()
        assert SwapRequest.objects.filter(
            shift=others[0], requested_by=rep, status=SwapRequest.Status.OPEN
        ).exists()
    else:
        card.get_by_role("button", name=zh("Withdraw the request")).click()
        page.wait_for_load_state()
        expect(page.get_by_role("alert")).to_contain_text(
            zh("Your request was withdrawn; the week stays yours.")
        )
        expect(
            card.get_by_text(zh("Swap requested: waiting for a taker"))
        ).to_have_count(0)
        swap.refresh_from_db()
        assert swap.status == SwapRequest.Status.CANCELLED

    target.refresh_from_db()
    assert target.representative == rep  # on duty until someone takes the week
    assert page.console_errors == []
    assert page.foreign_requests == []


def test_a_representative_asks_to_swap_a_week_and_withdraws_the_request_on_a_phone(
    watched_page, live_server
):
    seed_demo()
    rep = Member.objects.get(user__username="demo-rep")
    target = coming_weeks_of(rep)[0]
    page = watched_page
    _log_in_as_demo_rep_and_open_my_duty_weeks(page, live_server)
    card = page.locator("section[aria-labelledby=coming] .card").filter(
        has_text=week_label(target)
    )

    card.get_by_role("textbox").fill("家中有事")
    card.get_by_role("button", name=zh("Ask someone to swap")).click()

    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(
        zh("Your request was sent to the other representatives.")
    )
    expect(card.get_by_text(zh("Swap requested: waiting for a taker"))).to_be_visible()
    swap = SwapRequest.objects.get(shift=target, status=SwapRequest.Status.OPEN)
    assert (swap.requested_by, swap.reason) == (rep, "家中有事")

    card.get_by_role("button", name=zh("Withdraw the request")).click()

    page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text(
        zh("Your request was withdrawn; the week stays yours.")
    )
    expect(card.get_by_role("button", name=zh("Ask someone to swap"))).to_be_visible()
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.CANCELLED
    assert page.console_errors == []
    assert page.foreign_requests == []
