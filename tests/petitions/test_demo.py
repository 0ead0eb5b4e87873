"""The petitions demo: about sixty petitions in every state and channel, figures on the
report pages, a queue for demo-official, something for demo-member to rate; seeded once.

The whole demo (seed_demo) is seeded once for the class below and rolled back after it, so
the class costs one seed however many behaviours it checks.
"""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from chamber.models import User
from petitions import selectors
from petitions.models import (
    Escalation,
    IntakeBatch,
    Petition,
    PetitionEvent,
    ReviewRun,
)

# Loaded early on the Friday after the 2026 National Day holiday (Oct 1-8), the day
# before a make-up Saturday: every step must still lie in the past.
AFTER_NATIONAL_DAY = datetime(2026, 10, 9, 7, 45, tzinfo=ZoneInfo("Asia/Shanghai"))


def _seed() -> None:
    call_command("seed_demo", force=True, stdout=io.StringIO())


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Petition, PetitionEvent, IntakeBatch, ReviewRun, Escalation)
    }


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The seeded demo, shared by the tests of a class and rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        _seed()
        yield
        transaction.set_rollback(True)


class TestTheSeededDemo:
    """Checked on one seeding of the whole demo (at today's date), rolled back after the class."""

    def test_demo_has_about_sixty_petitions(self, demo, db):
        assert 55 <= Petition.objects.count() <= 70

    def test_demo_has_petitions_in_every_state(self, demo, db):
        statuses = set(Petition.objects.values_list("status", flat=True))

        assert statuses == set(Petition.Status.values)

    def test_demo_has_petitions_from_every_channel(self, demo, db):
        channels = set(Petition.objects.values_list("channel", flat=True))

        assert channels == set(Petition.Channel.values)

    def test_demo_shows_every_rating_a_reopening_and_a_bounce(self, demo, db):
        closed = Petition.objects.filter(status=Petition.Status.CLOSED)
        reopened = PetitionEvent.objects.filter(
            kind=PetitionEvent.Kind.STATUS, data__reopened=True
        )

        assert set(closed.values_list("rating", flat=True)) == {
            Petition.Rating.SATISFIED,
            Petition.Rating.BASICALLY,
            Petition.Rating.NONE,
        }
        assert reopened.filter(petition__status=Petition.Status.IN_PROGRESS).exists()
        assert Petition.objects.filter(bounce_count=1).exists()
        assert Petition.objects.filter(
            status=Petition.Status.ACCEPTED, handling="chamber"
        ).exists()

    def test_demo_member_has_a_replied_petition_to_rate_among_several_states(
        self, demo, db
    ):
        enterprise = User.objects.get(username="demo-member").member.enterprise
        statuses = set(enterprise.petitions.values_list("status", flat=True))

        assert Petition.Status.REPLIED in statuses
        assert len(statuses) >= 4

    def test_demo_official_has_new_due_this_week_overdue_and_ongoing_work(
        self, demo, db
    ):
        official = User.objects.get(username="demo-official").official

        queue = selectors.department_queue(
            department_id=official.department_id, on=timezone.localdate()
        )

        for part in (
            "new",
            "due_this_week",
            "overdue",
            "in_progress",
            "awaiting_review",
        ):
            assert queue[part], part

    def test_demo_events_never_lie_in_the_future(self, demo, db):
        later = PetitionEvent.objects.filter(created_at__gt=timezone.now())

        assert not later.exists()

    def test_demo_monthly_report_of_last_month_has_intake_and_answers(self, demo, db):
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(
            day=1
        )

        run = ReviewRun.objects.get(
            kind=ReviewRun.Kind.MONTHLY, period_start=last_month
        )

        assert run.stats["intake"] > 0
        assert run.stats["answered"] > 0
        assert ReviewRun.objects.filter(kind=ReviewRun.Kind.MONTHLY).count() == 6

    def test_demo_runs_the_quarter_the_week_and_escalates_the_long_overdue(
        self, demo, db
    ):
        today = timezone.localdate()

        assert ReviewRun.objects.filter(kind=ReviewRun.Kind.QUARTERLY).count() == 1
        assert ReviewRun.objects.filter(
            kind=ReviewRun.Kind.WEEKLY,
            period_start=today - timedelta(days=today.weekday()),
        ).exists()
        assert Escalation.objects.filter(reason=Escalation.Reason.OVERDUE).count() == 1

    def test_seeding_the_demo_twice_adds_nothing(self, demo, db):
        before = _counts()

        _seed()

        assert _counts() == before


@pytest.mark.django_db
def test_demo_loaded_just_after_a_long_holiday_has_every_state_and_no_future_event():
    with time_machine.travel(AFTER_NATIONAL_DAY, tick=False):
        _seed()

        later = PetitionEvent.objects.filter(created_at__gt=timezone.now())
        assert not later.exists()
    assert set(Petition.objects.values_list("status", flat=True)) == set(
        Petition.Status.values
    )
