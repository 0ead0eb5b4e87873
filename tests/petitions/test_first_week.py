"""What the first week of real use hit in the petition pages (issue 16, items 5, 6, 8, 9)."""

import re

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from petitions import services
from petitions.models import Petition
from tests.factories import (
    DutyLogEntryFactory,
    DutyShiftFactory,
    EnterpriseFactory,
    RepresentativeFactory,
)
from tests.support.department_pages import dispatched, signed
from tests.support.page_catalogue import _an_escalated_petition
from tests.support.words import zh


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- item 5: a leader opens an escalated petition ----------------------------------------


def test_a_leader_opens_an_escalated_petition_from_the_escalations_page(
    client, request, leader, official
):
    petition = Petition.objects.get(pk=_an_escalated_petition(request)["pk"])
    client.force_login(leader.user)

    listing = page(client, reverse("petitions:escalations"))
    url = reverse("petitions:leader_detail", args=[petition.pk])
    assert f'href="{url}"' in listing

    shown = page(client, url)
    assert escape(petition.description) in shown  # the enterprise's words
    assert escape(official.department.name) in shown
    assert escape(petition.department_reply) in shown
    assert escape(petition.answer) in shown
    for kind in ("dispatched", "in_progress", "replied"):
        assert escape(zh(Petition.Status(kind).label)) in shown
    assert "已现场查看。" in shown  # the department's progress note, an event
    # nothing on it posts to the petition's actions; the one form is the leader's 批示
    assert "/staff/" not in re.sub(r'href="[^"]*"', "", shown)
    assert re.findall(r'<form[^>]+action="([^"]*/petitions/[^"]*)"', shown) == [
        reverse("petitions:instruct", args=[petition.pk])
    ]


def test_a_leader_gets_404_for_a_petition_that_was_never_escalated(
    client, leader, staff, official
):
    petition = signed(staff, official)
    client.force_login(leader.user)

    response = client.get(reverse("petitions:leader_detail", args=[petition.pk]))

    assert response.status_code == 404


# --- item 6: contact person and phone of an online petition -------------------------------


def test_the_online_form_offers_the_members_own_name_and_mobile(client, alice):
    alice.mobile = "13812345678"
    alice.save()
    client.force_login(alice.user)

    shown = page(client, reverse("petitions:submit"))

    assert f'value="{escape(alice.user.get_full_name())}"' in shown
    assert 'value="13812345678"' in shown


def test_an_online_petition_keeps_its_contact_and_the_department_can_call(
    client, alice, staff, official
):
    client.force_login(alice.user)
    response = client.post(
        reverse("petitions:submit"),
        {
            "title": "厂区门前道路破损",
            "description": "大车进出颠簸，希望维修。",
            "contact_name": "王会计",
            "contact_phone": "0417-2800001",
        },
    )
    assert response.status_code == 302
    petition = Petition.objects.get(title="厂区门前道路破损")
    assert (petition.contact_name, petition.contact_phone) == ("王会计", "0417-2800001")

    services.accept_petition(
        petition=petition,
        actor=staff,
        category=dispatched(staff, official.department).category,
        priority="normal",
        handling="department",
    )
    services.dispatch_petition(
        petition=petition, department=official.department, actor=staff
    )
    client.force_login(official.user)
    shown = page(client, reverse("petitions:department_detail", args=[petition.pk]))
    assert "王会计" in shown
    assert 'href="tel:0417-2800001"' in shown
    client.force_login(staff)
    shown = page(client, reverse("petitions:staff_detail", args=[petition.pk]))
    assert 'href="tel:0417-2800001"' in shown


def test_a_petition_without_a_valid_phone_is_refused_in_chinese_and_not_saved(
    client, alice
):
    client.force_login(alice.user)

    response = client.post(
        reverse("petitions:submit"),
        {
            "title": "厂区门前道路破损",
            "description": "大车进出颠簸，希望维修。",
            "contact_name": "王会计",
            "contact_phone": "12345",
        },
    )

    assert response.status_code == 200
    assert "例如" in response.content.decode()
    assert not Petition.objects.filter(title="厂区门前道路破损").exists()


# --- item 8: the badge says what the section says ------------------------------------------


def test_a_returned_petition_says_how_often_it_was_returned_in_words(
    client, staff, official
):
    petition = dispatched(staff, official.department, "厂区道路积水")
    services.return_petition(
        petition=petition, actor=official.user, basis="不属于本局职责"
    )
    client.force_login(staff)

    shown = page(client, reverse("petitions:triage"))

    assert "退回1次" in shown
    assert "↩" not in shown


# --- item 9: the representative follows the petition they registered ----------------------


def test_the_representative_follows_the_petition_registered_from_their_log(client, rep):
    entry = DutyLogEntryFactory(
        shift=DutyShiftFactory(representative=rep),
        enterprise=EnterpriseFactory(),
        appeal="希望协调电力增容。",
    )
    petition = services.petition_from_duty_log(
        entry=entry, actor=rep.user, title="电力增容", description="希望协调电力增容。"
    )
    client.force_login(rep.user)

    entry_page = page(client, reverse("members:log_entry", args=[entry.pk]))
    url = reverse("petitions:registered_detail", args=[petition.pk])
    assert f'href="{url}">{petition.number}</a>' in entry_page

    shown = page(client, url)
    assert "电力增容" in shown
    assert escape(zh(Petition.Status.SUBMITTED.label)) in shown  # status and timeline


def test_another_representative_gets_404_for_that_petition(client, rep):
    entry = DutyLogEntryFactory(
        shift=DutyShiftFactory(representative=rep),
        enterprise=EnterpriseFactory(),
        appeal="希望协调电力增容。",
    )
    petition = services.petition_from_duty_log(
        entry=entry, actor=rep.user, title="电力增容", description="希望协调电力增容。"
    )
    client.force_login(RepresentativeFactory().user)

    response = client.get(reverse("petitions:registered_detail", args=[petition.pk]))

    assert response.status_code == 404


# --- item 3: shared places in the monthly report's department ranking ------------------


def test_departments_with_the_same_rates_share_a_place_and_the_next_skips_it():
    from petitions.selectors import _COUNTS, _department_table
    from petitions.templatetags.petitions import rank_of

    def dep(on_time: int) -> dict:
        counts = dict.fromkeys(_COUNTS, 0)
        counts.update(
            {
                "dispatched": 4,
                "answered": 4,
                "answered_on_time": on_time,
                "answered_on_time_original": on_time,
                "resolved": 4,
                "rating_ended": 4,
                "rated": 4,
                "satisfied": 4,
                "satisfied_or_basically": 4,
                "rated_with_solved": 4,
                "solved": 4,
            }
        )
        return {"petitions": set(range(4)), **counts}

    rows = _department_table(
        [(1, "甲局"), (2, "乙局"), (3, "丙局"), (4, "丁局")],
        {1: dep(4), 2: dep(3), 3: dep(3), 4: dep(1)},
        3,  # the method's minimum to be ranked
    )

    with translation.override("zh-hans"):
        assert [(r["name"], rank_of(r)) for r in rows] == [
            ("甲局", "1"),
            ("乙局", "并列第2"),
            ("丙局", "并列第2"),
            ("丁局", "4"),
        ]
