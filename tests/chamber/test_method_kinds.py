"""The method's lists as data (+N): petition channels, campaign kinds and platform kinds
are entries staff add, rename, order and retire in the admin, with their history
(chamber/method_kinds.py); a change shows at once wherever the list does."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from activities.models import Campaign, Platform
from chamber import method_kinds
from chamber.models import MethodKind
from petitions.forms import StaffEntryForm, batch_channels
from petitions.models import Petition
from petitions.selectors import period_report
from tests.factories import PetitionFactory
from tests.support.reports import at

G = MethodKind.Group


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def add_in_admin(client, group: str, code: str, name: str, order: int = 5):
    return client.post(
        reverse("admin:chamber_methodkind_add"),
        {
            "group": group,
            "code": code,
            "name": name,
            "is_active": "on",
            "sort_order": order,
        },
    )


def entry(group: str, code: str) -> MethodKind:
    return MethodKind.objects.get(group=group, code=code)


def change_in_admin(client, kind: MethodKind, **changes):
    data = {"name": kind.name, "sort_order": kind.sort_order}
    if kind.is_active:
        data["is_active"] = "on"
    data.update(changes)
    if data.get("is_active") is False:
        del data["is_active"]
    return client.post(reverse("admin:chamber_methodkind_change", args=[kind.pk]), data)


def test_the_built_in_entries_are_seeded_and_listed_in_the_admin(staff_client):
    with translation.override("zh-hans"):
        html = staff_client.get(reverse("admin:chamber_methodkind_changelist")).content
    html = html.decode()
    for name in ("企业家会客厅", "企业特色宣传周", "活动站"):
        assert name in html
    assert set(
        MethodKind.objects.filter(group=G.PETITION_CHANNEL).values_list(
            "code", flat=True
        )
    ) == set(Petition.Channel.values)


def test_a_channel_added_by_staff_is_offered_shown_and_counted(staff_client, staff):
    response = add_in_admin(
        staff_client, G.PETITION_CHANNEL, "hotline", "12345热线转办"
    )
    assert response.status_code == 302
    added = entry(G.PETITION_CHANNEL, "hotline")
    assert added.history.first().history_user == staff

    assert ("hotline", "12345热线转办") in StaffEntryForm.base_fields["channel"].choices
    assert ("hotline", "12345热线转办") in batch_channels()
    petition = PetitionFactory(channel="hotline", created_at=at(date(2026, 3, 2), 10))
    assert petition.get_channel_display() == "12345热线转办"
    page = staff_client.get(reverse("petitions:staff_detail", args=[petition.pk]))
    assert "12345热线转办" in page.content.decode()

    report = period_report(first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert {"code": "hotline", "count": 1} in report["by_channel"]


def test_a_new_entry_needs_a_name_and_nothing_is_deleted(staff_client):
    with translation.override("zh-hans"):
        response = add_in_admin(staff_client, G.PETITION_CHANNEL, "hotline", "")
    assert response.status_code == 200
    assert "新增条目须填写名称" in response.content.decode()
    assert not MethodKind.objects.filter(code="hotline").exists()

    kind = entry(G.PETITION_CHANNEL, "phone")
    response = staff_client.post(
        reverse("admin:chamber_methodkind_delete", args=[kind.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert MethodKind.objects.filter(pk=kind.pk).exists()


def test_a_retired_channel_is_no_longer_offered_but_old_petitions_keep_its_name(
    staff_client, staff
):
    petition = PetitionFactory(channel="opinion_form")
    kind = entry(G.PETITION_CHANNEL, "opinion_form")
    response = change_in_admin(staff_client, kind, is_active=False)
    assert response.status_code == 302

    offered = [code for code, _name in StaffEntryForm.base_fields["channel"].choices]
    assert "opinion_form" not in offered
    assert "opinion_form" not in [code for code, _name in batch_channels()]
    with translation.override("zh-hans"):
        assert (
            Petition.objects.get(pk=petition.pk).get_channel_display() == "征求意见表"
        )
    change = entry(G.PETITION_CHANNEL, "opinion_form").history.first()
    assert (change.prev_record.is_active, change.is_active) == (True, False)
    assert change.history_user == staff


def test_renaming_a_built_in_entry_applies_at_once_and_keeps_its_code(staff_client):
    petition = PetitionFactory(channel="phone")
    response = change_in_admin(
        staff_client, entry(G.PETITION_CHANNEL, "phone"), name="电话、微信反映"
    )
    assert response.status_code == 302
    assert (
        Petition.objects.get(pk=petition.pk).get_channel_display() == "电话、微信反映"
    )
    assert entry(G.PETITION_CHANNEL, "phone").code == "phone"
    # The code cannot be changed in the admin: records keep it.
    staff_client.post(
        reverse(
            "admin:chamber_methodkind_change",
            args=[entry(G.PETITION_CHANNEL, "phone").pk],
        ),
        {"code": "tel", "name": "电话", "is_active": "on", "sort_order": 1},
    )
    assert MethodKind.objects.filter(group=G.PETITION_CHANNEL, code="phone").exists()


def test_platform_kinds_follow_the_staff_order_and_campaign_kinds_their_names(
    staff_client, client
):
    Platform.objects.create(kind="base", name="辽河红色驿站")
    Platform.objects.create(kind="station", name="渤海活动站")
    for code, order in (("station", 0), ("base", 50)):
        response = change_in_admin(
            staff_client, entry(G.PLATFORM_KIND, code), sort_order=order
        )
        assert response.status_code == 302
    add_in_admin(staff_client, G.CAMPAIGN_KIND, "forum", "民营经济论坛")
    campaign = Campaign.objects.create(
        kind="forum",
        name="2026民营经济论坛",
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 3),
    )

    with translation.override("zh-hans"):
        html = client.get(reverse("activities:platforms")).content.decode()
        assert html.index("渤海活动站") < html.index("辽河红色驿站")
        page = client.get(reverse("activities:campaign", args=[campaign.pk]))
    assert "民营经济论坛" in page.content.decode()


def test_the_lists_are_read_once_and_a_change_is_seen_at_once(
    db, django_assert_num_queries
):
    method_kinds.forget()
    with django_assert_num_queries(1):
        for _i in range(20):
            method_kinds.choices(G.PETITION_CHANNEL)
    kind = entry(G.PETITION_CHANNEL, "online")
    kind.name = "网上反映"
    kind.save()
    assert dict(method_kinds.choices(G.PETITION_CHANNEL))["online"] == "网上反映"
