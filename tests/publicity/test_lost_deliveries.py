"""Digests and monthly news whose task was lost with a killed worker are sent after all.

The filesystem broker of the embedded mode does not hand a killed worker's task to
another (CF-4): the delivery row stays pending with nobody to send it. Beat's sweep
(`publicity.tasks.send_lost_deliveries`, every 30 minutes) queues such rows again once
they are an hour old; the claim keeps sending once-only. Here a task is "lost" by never
running the callbacks the weekly dispatch queued after commit.
"""

from datetime import timedelta

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from petitions import review
from publicity import tasks
from publicity.models import DigestDelivery, NewsletterDelivery
from tests.factories import MemberFactory
from tests.publicity import at, test_digests
from tests.publicity.test_digests import WEEK, officials_emails

pytestmark = pytest.mark.django_db

# The digests' three departments and their officials, and the SMTP server on loopback.
board = test_digests.board
smtp = test_digests.smtp


def sweep(when, capture):
    """Beat's sweep at `when`, and the sends it queues, run as a worker would."""
    with time_machine.travel(when, tick=False), capture(execute=True):
        return tasks.send_lost_deliveries.delay().get()


@pytest.fixture
def lost_week(board, django_capture_on_commit_callbacks):
    """The weekly dispatch ran on Monday 09:00; the digests' sending tasks were lost."""
    with time_machine.travel(at(WEEK, 9), tick=False):
        with django_capture_on_commit_callbacks() as after_dispatch:
            review.run_weekly_dispatch(on=WEEK)
        with django_capture_on_commit_callbacks() as sends:
            for callback in after_dispatch:
                callback()  # the week's notices and the digests' plan
    assert len(sends) == 3  # the sending tasks, never run: lost
    assert DigestDelivery.objects.filter(status="pending").count() == 3
    return board


def test_digests_whose_tasks_were_lost_are_sent_by_the_sweep_an_hour_later_once(
    lost_week, smtp, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # Half an hour later the tasks may still be on their way (or retrying): left alone.
    assert sweep(at(WEEK, 9, 30), capture) == {
        "digestdelivery": 0,
        "newsletterdelivery": 0,
    }
    assert smtp.recipients() == []

    assert sweep(at(WEEK, 10, 30), capture)["digestdelivery"] == 3
    assert smtp.recipients() == officials_emails(lost_week)
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}

    # The next sweeps find nothing: each official has one digest.
    assert sweep(at(WEEK, 11), capture)["digestdelivery"] == 0
    assert sweep(at(WEEK, 11, 30), capture)["digestdelivery"] == 0
    assert smtp.recipients() == officials_emails(lost_week)


def test_a_digest_being_sent_is_left_to_its_worker_until_the_claim_is_stale(
    lost_week, smtp, settings, django_capture_on_commit_callbacks
):
    first = DigestDelivery.objects.order_by("pk").first()
    DigestDelivery.objects.filter(pk=first.pk).update(claimed_at=at(WEEK, 10, 25))

    assert sweep(at(WEEK, 10, 30), django_capture_on_commit_callbacks) == {
        "digestdelivery": 2,
        "newsletterdelivery": 0,
    }
    assert len(smtp.recipients()) == 2
    first.refresh_from_db()
    assert first.status == "pending"

    # The worker holding it died: once its claim is stale, the sweep sends it.
    stale = at(WEEK, 10, 25) + timedelta(seconds=settings.DELIVERY_STALE_CLAIM + 60)
    assert sweep(stale, django_capture_on_commit_callbacks)["digestdelivery"] == 1
    assert smtp.recipients() == officials_emails(lost_week)


def test_a_lost_digest_more_than_a_week_old_is_left_for_staff(
    lost_week, smtp, django_capture_on_commit_callbacks
):
    later = at(WEEK + timedelta(days=8), 9)
    assert sweep(later, django_capture_on_commit_callbacks)["digestdelivery"] == 0
    assert smtp.recipients() == []
    assert DigestDelivery.objects.filter(status="pending").count() == 3


def test_sent_failed_and_settled_deliveries_are_never_queued_again(
    lost_week, smtp, django_capture_on_commit_callbacks
):
    wang, li, chen = DigestDelivery.objects.order_by("pk")
    DigestDelivery.objects.filter(pk=wang.pk).update(status="sent")
    DigestDelivery.objects.filter(pk=li.pk).update(status="failed")
    DigestDelivery.objects.filter(pk=chen.pk).update(status="nothing")

    assert (
        sweep(at(WEEK, 12), django_capture_on_commit_callbacks)["digestdelivery"] == 0
    )
    assert smtp.recipients() == []


def test_monthly_news_whose_task_was_lost_is_queued_again(
    django_capture_on_commit_callbacks,
):
    member = MemberFactory()
    first = at(WEEK.replace(day=1), 9)
    with time_machine.travel(first, tick=False):
        delivery = NewsletterDelivery.objects.create(
            user=member.user, month=WEEK.replace(day=1)
        )
    with (
        time_machine.travel(first + timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=False) as queued,
    ):
        found = tasks.send_lost_deliveries()
    assert found == {"digestdelivery": 0, "newsletterdelivery": 1}
    assert len(queued) == 1
    assert delivery.created_at == first


def test_beat_runs_the_sweep_every_half_hour():
    task = PeriodicTask.objects.get(task="publicity.tasks.send_lost_deliveries")
    assert (task.enabled, task.interval.every, task.interval.period) == (
        True,
        30,
        "minutes",
    )
