"""The points ledger is append-only and awards once (CHECKS DI-1, DI-2; issue 6).

Refused at the model and queryset level everywhere, and by a trigger on PostgreSQL
even for raw SQL. A repeated or concurrent award writes one entry; a correction is a
new reversing entry.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from groups import services
from groups.models import PointsEntry
from groups.services import PointsError
from tests.factories import MemberFactory, PointRuleFactory, StaffFactory
from tests.support.words import zh

YEAR = 2026


def award(member, rule, source_id: int = 1, **kwargs):
    return services.award_points(
        member=member,
        rule=rule,
        source_id=source_id,
        source_label=f"第{source_id}次小组活动",
        year=kwargs.pop("year", YEAR),
        **kwargs,
    )


def ledger() -> list[tuple]:
    return list(
        PointsEntry.objects.order_by("pk").values_list(
            "pk", "member", "year", "points", "reason", "source", "reverses"
        )
    )


@pytest.fixture
def member(db):
    return MemberFactory()


@pytest.fixture
def rule(db):
    return PointRuleFactory(points=5)


@pytest.fixture
def entry(member, rule):
    return award(member, rule)[0]


# Immutability


def test_saving_an_existing_entry_is_refused(entry):
    entry.points = 50

    with pytest.raises(ValidationError):
        entry.save()

    assert PointsEntry.objects.get(pk=entry.pk).points == 5


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(ValidationError):
        entry.delete()

    assert PointsEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_and_delete_are_refused(entry):
    before = ledger()

    with pytest.raises(ValidationError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=0)
    with pytest.raises(ValidationError):
        PointsEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(ValidationError):
        PointsEntry.objects.all().delete()

    assert ledger() == before


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE groups_pointsentry SET points = 0",
        "UPDATE groups_pointsentry SET reason = 'x' WHERE points > 0",
        "DELETE FROM groups_pointsentry",
    ],
)
def test_raw_sql_cannot_change_the_ledger_on_postgresql(entry, member, sql):
    services.record_manual_points(
        member=member, points=-3, reason="缺席", actor=StaffFactory(), year=YEAR
    )
    before = ledger()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert ledger() == before


# No double award


def test_awarding_twice_for_the_same_source_writes_one_entry(member, rule):
    first, created = award(member, rule)
    again, created_again = award(member, rule)

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert PointsEntry.objects.count() == 1
    assert (first.points, first.reason, first.attempt) == (5, rule.name, 0)


def test_the_same_rule_for_another_source_year_or_member_awards_again(member, rule):
    award(member, rule, source_id=1)

    assert award(member, rule, source_id=2)[1]
    assert award(member, rule, source_id=1, year=YEAR + 1)[1]
    assert award(MemberFactory(), rule, source_id=1)[1]
    assert award(member, PointRuleFactory(), source_id=1)[1]
    assert PointsEntry.objects.count() == 5


def test_an_award_inside_a_failed_outer_transaction_leaves_nothing(member, rule):
    with pytest.raises(RuntimeError), transaction.atomic():
        award(member, rule)
        raise RuntimeError

    assert not PointsEntry.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_at_the_same_moment_write_one_entry():
    member, rule = MemberFactory(), PointRuleFactory(points=5)
    racers = 4
    barrier = threading.Barrier(racers)
    outcomes: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def race() -> None:
        try:
            barrier.wait(timeout=10)
            entry, created = award(member, rule)
            outcomes.append((entry.pk, created))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert PointsEntry.objects.count() == 1
    entry = PointsEntry.objects.get()
    assert sorted(created for _pk, created in outcomes) == [False] * 3 + [True]
    assert {pk for pk, _created in outcomes} == {entry.pk}


# Corrections


def test_a_correction_is_a_reversing_entry_with_its_reason(entry):
    staff = StaffFactory()

    reversal = services.correct_entry(entry=entry, reason="误记出勤", actor=staff)

    assert reversal.reverses == entry
    assert (reversal.member, reversal.year, reversal.points) == (
        entry.member,
        entry.year,
        -5,
    )
    assert reversal.reason == "误记出勤"
    assert reversal.source == PointsEntry.Source.CORRECTION
    assert reversal.recorded_by == staff
    entry.refresh_from_db()
    assert entry.points == 5  # the corrected entry itself is untouched
    assert entry.reversed_by == reversal


def test_after_a_correction_the_same_source_can_award_again_once(entry, member, rule):
    services.correct_entry(entry=entry, reason="误记出勤", actor=None)

    again, created = award(member, rule)
    third, created_third = award(member, rule)

    assert created and not created_third
    assert third.pk == again.pk != entry.pk
    assert again.attempt == 1
    assert sum(PointsEntry.objects.values_list("points", flat=True)) == 5


def test_correcting_an_entry_twice_is_refused(entry):
    services.correct_entry(entry=entry, reason="误记出勤", actor=None)

    with pytest.raises(PointsError):
        services.correct_entry(entry=entry, reason="再次更正", actor=None)

    assert PointsEntry.objects.count() == 2


def test_a_correction_cannot_be_corrected(entry):
    reversal = services.correct_entry(entry=entry, reason="误记出勤", actor=None)

    with pytest.raises(PointsError):
        services.correct_entry(entry=reversal, reason="撤销更正", actor=None)

    assert PointsEntry.objects.count() == 2


def test_a_correction_needs_a_reason(entry):
    with pytest.raises(PointsError):
        services.correct_entry(entry=entry, reason="   ", actor=None)

    assert PointsEntry.objects.count() == 1


# Manual points


@pytest.mark.parametrize(
    "points, reason, message",
    [
        (5, "  ", "Give a reason: everyone can see why points changed."),
        (0, "协调物资", "Zero points changes nothing."),
    ],
)
def test_manual_points_need_a_reason_and_points(member, points, reason, message):
    staff = StaffFactory()

    with translation.override("zh-hans"), pytest.raises(PointsError) as refused:
        services.record_manual_points(
            member=member, points=points, reason=reason, actor=staff, year=YEAR
        )

    assert str(refused.value) == zh(message)
    assert not PointsEntry.objects.exists()


def test_manual_points_are_recorded_with_reason_and_staff(member):
    staff = StaffFactory()

    entry = services.record_manual_points(
        member=member, points=-3, reason=" 无故缺席 ", actor=staff, year=YEAR
    )

    assert (entry.points, entry.reason, entry.source) == (
        -3,
        "无故缺席",
        PointsEntry.Source.MANUAL,
    )
    assert (entry.recorded_by, entry.year, entry.rule) == (staff, YEAR, None)


# The admin shows the ledger read-only


@pytest.fixture
def staff_client(client, db):
    client.force_login(StaffFactory())
    return client


def test_admin_change_page_of_an_entry_has_no_save_button(staff_client, entry):
    reversal = services.correct_entry(entry=entry, reason="误记出勤", actor=None)

    response = staff_client.get(
        reverse("admin:groups_pointsentry_change", args=[entry.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    assert reverse("admin:groups_pointsentry_delete", args=[entry.pk]) not in html
    assert reverse("admin:groups_pointsentry_change", args=[reversal.pk]) in html
    assert "误记出勤" in html


def test_admin_refuses_to_add_change_or_delete_entries(staff_client, entry, member):
    before = ledger()
    data = {"member": member.pk, "year": YEAR, "points": 99, "reason": "x"}

    add = staff_client.post(reverse("admin:groups_pointsentry_add"), data)
    change = staff_client.post(
        reverse("admin:groups_pointsentry_change", args=[entry.pk]), data
    )
    delete = staff_client.post(
        reverse("admin:groups_pointsentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    bulk = staff_client.post(
        reverse("admin:groups_pointsentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert (add.status_code, change.status_code, delete.status_code) == (403,) * 3
    assert bulk.status_code in (200, 302)  # no such action: the list shows again
    assert ledger() == before


def test_admin_ledger_list_offers_no_actions_that_change_entries(staff_client, entry):
    response = staff_client.get(reverse("admin:groups_pointsentry_changelist"))

    assert response.status_code == 200
    assert "delete_selected" not in response.content.decode()
    assert reverse("admin:groups_pointsentry_add") not in response.content.decode()
