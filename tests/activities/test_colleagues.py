"""The service month's sessions are for enterprises' staff: a member signs up colleagues by name."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Campaign, Registration
from tests.factories import ActivityFactory


@pytest.fixture
def clinic(db):
    today = timezone.localdate()
    month = Campaign.objects.create(
        kind=Campaign.Kind.SERVICE_MONTH,
        name="民营经济体服务月",
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    return ActivityFactory(title="业务义诊", campaign=month, capacity=2)


def test_a_member_signs_up_two_colleagues_and_the_places_count_them(
    client, alice, bob, clinic
):
    client.force_login(alice.user)
    url = reverse("activities:sign_up", args=[clinic.pk])

    client.post(url, {"attendee_name": "财务 李会计"})
    client.post(url, {"attendee_name": "人事 王经理"})
    client.post(url, {"attendee_name": "人事 王经理"})  # a double tap

    names = set(
        Registration.objects.filter(member=alice).values_list(
            "attendee_name", flat=True
        )
    )
    assert names == {"财务 李会计", "人事 王经理"}
    third = services.sign_up(activity=clinic, member=bob)
    assert third.status == Registration.Status.WAITING
    page = client.get(clinic.get_absolute_url()).content.decode()
    assert "财务 李会计" in page


def test_colleagues_only_for_the_service_month(alice, db):
    ordinary = ActivityFactory()

    with pytest.raises(services.ActivityError):
        services.sign_up(activity=ordinary, member=alice, attendee_name="某同事")
    assert not Registration.objects.exists()


def test_staff_check_a_colleague_in_at_the_door(client, staff, alice, clinic):
    registration = services.sign_up(
        activity=clinic, member=alice, attendee_name="李会计"
    )
    # The session starts in half an hour: check-in is open.
    clinic.starts_at = timezone.now() + timedelta(minutes=30)
    clinic.ends_at = clinic.starts_at + timedelta(hours=2)
    clinic.save(update_fields=["starts_at", "ends_at"])
    client.force_login(staff)

    assert (
        "李会计"
        in client.get(reverse("activities:checkin", args=[clinic.pk])).content.decode()
    )
    client.post(reverse("activities:colleague_present", args=[registration.pk]))

    registration.refresh_from_db()
    assert registration.attended_at is not None


def test_another_member_cannot_cancel_my_colleague(client, alice, bob, clinic):
    registration = services.sign_up(
        activity=clinic, member=alice, attendee_name="李会计"
    )
    client.force_login(bob.user)

    response = client.post(reverse("activities:cancel", args=[registration.pk]))

    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REGISTERED
