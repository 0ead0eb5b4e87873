"""A member's home page keeps its two personal cards in the cache (chamber/pagecache.py),
yet shows every change to them at the member's next visit (issue 22)."""

from django.urls import reverse

from activities.services import sign_up
from petitions.models import Petition
from petitions.services.workflow import accept_petition, reject_petition
from tests.factories import ActivityFactory, CategoryFactory, PetitionFactory


def _home(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_a_petition_accepted_by_staff_shows_its_new_step_at_the_next_visit(
    client, alice, staff
):
    petition = PetitionFactory(enterprise=alice.enterprise, submitted_by=alice.user)
    client.force_login(alice.user)
    assert "等待受理" in _home(client)

    accept_petition(
        petition=petition,
        actor=staff,
        category=CategoryFactory(),
        priority=Petition.Priority.NORMAL,
        handling=Petition.Handling.CHAMBER,
    )

    html = _home(client)
    assert "等待受理" not in html
    assert "已受理，商会正在办理" in html


def test_a_petition_changed_by_a_bulk_update_shows_at_the_next_visit(client, alice):
    petition = PetitionFactory(enterprise=alice.enterprise, title="关于用电的诉求")
    client.force_login(alice.user)
    assert "关于用电的诉求" in _home(client)

    Petition.objects.filter(pk=petition.pk).update(title="关于用水的诉求")

    html = _home(client)
    assert "关于用电的诉求" not in html
    assert "关于用水的诉求" in html


def test_another_enterprises_change_does_not_show_on_this_card(
    client, alice, bob, staff
):
    PetitionFactory(enterprise=alice.enterprise, title="甲的诉求")
    theirs = PetitionFactory(enterprise=bob.enterprise, title="乙的诉求")
    client.force_login(alice.user)
    _home(client)

    reject_petition(petition=theirs, actor=staff, reason="不属于受理范围")

    html = _home(client)
    assert "甲的诉求" in html
    assert "乙的诉求" not in html


def test_signing_up_shows_the_activity_on_the_card_at_once(client, alice):
    later = ActivityFactory(title="企业家座谈会")
    client.force_login(alice.user)
    _home(client)  # the card is kept now, offering the next activity open for sign-up
    sooner_but_mine = ActivityFactory(title="政策宣讲会", starts_at=later.starts_at)

    sign_up(activity=sooner_but_mine, member=alice)

    html = _home(client)
    assert "政策宣讲会" in html


def test_my_petitions_shows_a_change_at_the_next_visit_and_nothing_of_others(
    client, alice, bob, staff
):
    mine = PetitionFactory(enterprise=alice.enterprise, title="甲的诉求")
    PetitionFactory(enterprise=bob.enterprise, title="乙的诉求")
    client.force_login(alice.user)
    url = reverse("petitions:mine")
    assert "已提交" in client.get(url).content.decode()  # kept in the cache now

    reject_petition(petition=mine, actor=staff, reason="不属于受理范围")

    html = client.get(url).content.decode()
    assert "甲的诉求" in html
    assert "乙的诉求" not in html
    assert "不予受理" in html
