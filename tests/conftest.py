"""Personas, settings tweaks and the real services the suite talks to.

PostgreSQL and Redis tests run when DATABASE_URL / CELERY_BROKER_URL point at them.
With CI=true they are required: a missing service fails the run instead of skipping.
"""

import pytest
from django.conf import settings

from chamber.celery import app as celery_app
from tests.factories import (
    LeaderFactory,
    MemberFactory,
    OfficialFactory,
    RepresentativeFactory,
    StaffFactory,
)
from tests.support.lanes import LANE, REQUIRE_SERVERS
from tests.support.mail import assert_sent_through_the_outbox


def lane_of(item) -> str:
    """The one lane a test runs in, or "" for both: the sweeps (every page, role or
    payload) in the servers lane unless they name the other (`sweep(lane="embedded")`,
    to keep the two lanes about as long); of the browser tests, the desktop journeys
    there and everything on a phone in the embedded lane, as members use `make run`."""
    sweep = item.get_closest_marker("sweep")
    if sweep:
        return sweep.kwargs.get("lane", "servers")
    if item.get_closest_marker("browser"):
        params = getattr(getattr(item, "callspec", None), "params", {})
        return "servers" if params.get("viewport") == "desktop" else "embedded"
    return ""


def _engine() -> str:
    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def _empties_the_database(item) -> bool:
    """Transactional tests (and the live server's) end by emptying every table."""
    marker = item.get_closest_marker("django_db")
    return bool(
        marker and marker.kwargs.get("transaction")
    ) or "live_server" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    # pytest-django runs transactional tests last, but the session-wide [chromium]
    # parameter of the browser tests reorders them again; a test after them would find
    # the rows the data migrations seed (categories, awareness, schedules) gone. After
    # every other plugin: the tests that empty the database go last, in their order.
    items[:] = [i for i in items if not _empties_the_database(i)] + [
        i for i in items if _empties_the_database(i)
    ]
    needs = {
        "postgres": (
            _engine() == "postgresql",
            "needs DATABASE_URL=postgres://… (PostgreSQL)",
        ),
        "redis": (
            settings.CELERY_BROKER_URL.startswith("redis"),
            "needs CELERY_BROKER_URL=redis://…",
        ),
    }
    for item in items:
        if LANE and lane_of(item) not in ("", LANE):
            item.add_marker(
                pytest.mark.skip(reason=f"runs in CI's {lane_of(item)} lane")
            )
        for marker, (available, reason) in needs.items():
            if item.get_closest_marker(marker) and not available:
                if REQUIRE_SERVERS:
                    raise pytest.UsageError(f"CI=true, but {item.nodeid} {reason}")
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True, scope="session")
def _fast_and_synchronous():
    """Fast hashing; tasks run in-process unless a test starts a real worker."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _not_inside_a_task():
    """Celery marks "inside a task" (EagerResult.get() then refuses) in a process-wide
    flag that each eager task sets and puts back; a live server's thread running one at
    the same moment as the test's can leave it set for every later test. No test is
    inside a task when it starts."""
    from celery import _state

    _state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the home page caches the coming duty weeks)."""
    from django.core.cache import cache

    from chamber import method_kinds, workdays
    from petitions import repeats

    cache.clear()
    workdays.forget_overrides()  # and the process's own copy of the working-day overrides
    method_kinds.forget()  # and of the method's lists
    repeats.forget()  # and its index of petitions (a rolled-back test's keys come back)
    yield
    cache.clear()
    workdays.forget_overrides()


@pytest.fixture(autouse=True)
def _every_mail_came_from_the_outbox():
    """Whatever a test does, every e-mail it sends is a row of the outbox first: the
    only sender (chamber/outbox.py) stamps each with its row's Message-ID."""
    yield
    from django.core import mail

    assert_sent_through_the_outbox(getattr(mail, "outbox", []))


@pytest.fixture
def real_broker():
    """Tasks go to this lane's broker for a real worker (tests/support/worker.py), on an
    empty queue."""
    from tests.support.worker import tasks_to_the_broker

    with tasks_to_the_broker():
        yield


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def alice(db):
    """Alice: a member of enterprise 甲公司."""
    return MemberFactory(enterprise__name="甲公司")


@pytest.fixture
def bob(db):
    """Bob: a member of another enterprise; never sees Alice's things."""
    return MemberFactory(enterprise__name="乙公司")


@pytest.fixture
def rep(db):
    return RepresentativeFactory()


@pytest.fixture
def official(db):
    return OfficialFactory()


@pytest.fixture
def leader(db):
    return LeaderFactory()
