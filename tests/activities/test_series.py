"""Sessions of a series are numbered 1, 2, 3 when published, and a number is never reused (issue 7).

The entrepreneurs' reception hall (企业家会客厅) counts its sessions: 第1期, 第2期, …
"""

import threading

import pytest
from django.db import IntegrityError, connection

from activities import services
from activities.models import Activity
from activities.services import ActivityError
from tests.factories import ActivityFactory, SeriesFactory, StaffFactory


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def hall(db):
    return SeriesFactory(name="企业家会客厅")


def draft(series, **kwargs) -> Activity:
    return ActivityFactory(series=series, status=Activity.Status.DRAFT, **kwargs)


def publish(activity, staff) -> Activity:
    return services.publish_activity(activity=activity, actor=staff)


def numbers(series) -> dict[int, int | None]:
    return dict(series.sessions.values_list("pk", "session_number"))


def test_publishing_sessions_numbers_them_in_order(hall, staff):
    sessions = [draft(hall, title=f"第{n}场") for n in range(3)]

    published = [publish(s, staff) for s in sessions]

    assert [p.session_number for p in published] == [1, 2, 3]
    assert [p.status for p in published] == [Activity.Status.PUBLISHED] * 3
    assert numbers(hall) == {s.pk: n for n, s in enumerate(sessions, start=1)}
    hall.refresh_from_db()
    assert hall.last_number == 3
    assert "第2期" in str(published[1])


def test_a_draft_session_has_no_number_yet(hall, staff):
    session = draft(hall)

    assert session.session_number is None
    assert "期" not in str(session)


def test_a_cancelled_session_keeps_its_number_and_the_number_is_not_reused(
    hall, staff, django_capture_on_commit_callbacks
):
    first, second = publish(draft(hall), staff), publish(draft(hall), staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_activity(activity=second, actor=staff)

    third = publish(draft(hall), staff)

    second.refresh_from_db()
    assert (second.status, second.session_number) == (Activity.Status.CANCELLED, 2)
    assert (first.session_number, third.session_number) == (1, 3)


def test_a_cancelled_session_cannot_be_published_again(
    hall, staff, django_capture_on_commit_callbacks
):
    session = publish(draft(hall), staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_activity(activity=session, actor=staff)

    with pytest.raises(ActivityError):
        publish(session, staff)

    session.refresh_from_db()
    assert (session.status, session.session_number) == (Activity.Status.CANCELLED, 1)
    hall.refresh_from_db()
    assert hall.last_number == 1


def test_republishing_a_published_session_keeps_its_number(hall, staff):
    session = publish(draft(hall), staff)
    publish(draft(hall), staff)

    again = publish(session, staff)

    assert again.session_number == 1
    session.refresh_from_db()
    assert session.session_number == 1
    hall.refresh_from_db()
    assert hall.last_number == 2


def test_two_series_count_separately(hall, staff):
    clinic = SeriesFactory(name="企业会诊日")

    a1 = publish(draft(hall), staff)
    c1 = publish(draft(clinic), staff)
    a2 = publish(draft(hall), staff)
    c2 = publish(draft(clinic), staff)

    assert (a1.session_number, a2.session_number) == (1, 2)
    assert (c1.session_number, c2.session_number) == (1, 2)


def test_an_activity_outside_a_series_gets_no_number(staff, db):
    activity = ActivityFactory(status=Activity.Status.DRAFT)

    published = publish(activity, staff)

    assert (published.status, published.session_number) == (
        Activity.Status.PUBLISHED,
        None,
    )


def test_the_database_refuses_two_sessions_with_the_same_number(hall):
    ActivityFactory(series=hall, session_number=1)

    with pytest.raises(IntegrityError):
        ActivityFactory(series=hall, session_number=1)


def test_the_same_number_in_another_series_or_outside_a_series_is_allowed(hall):
    ActivityFactory(series=hall, session_number=1)

    ActivityFactory(series=SeriesFactory(), session_number=1)
    ActivityFactory(series=None, session_number=1)
    ActivityFactory(series=None, session_number=1)

    assert Activity.objects.filter(session_number=1).count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sessions_published_at_the_same_moment_get_different_numbers():
    hall, staff = SeriesFactory(), StaffFactory()
    sessions = [draft(hall) for _ in range(4)]
    barrier = threading.Barrier(len(sessions))
    failures: list[BaseException] = []

    def race(session) -> None:
        try:
            barrier.wait(timeout=10)
            publish(session, staff)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=race, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(numbers(hall).values()) == [1, 2, 3, 4]
    hall.refresh_from_db()
    assert hall.last_number == 4
