"""The upgrade of the digests and the monthly news to the outbox (publicity 0009, 0010).

A database with deliveries of the old kind (claimed and sent by publicity's own code) is
migrated: what was sent becomes a sent message of the outbox, so nothing is sent again;
what failed waits for staff, who send it again (built afresh: the old rows kept no
e-mail); what was pending is handed over by its task, queued before the upgrade. Beat's
sweep of lost deliveries goes with the code it ran.
"""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from chamber import outbox
from chamber.models import OutgoingMessage
from publicity import digests, newsletter, tasks
from publicity import services as articles
from publicity.models import Article, ArticleKind, DigestDelivery, NewsletterDelivery
from publicity.templatetags.digests import failed_digests
from tests.factories import DepartmentFactory, MemberFactory, OfficialFactory
from tests.support.review_cycle import at, dispatched

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("publicity", "0008_newsletter_planned_at_and_lost_deliveries")]
WEEK = date(2026, 3, 23)  # a Monday
MONTH = date(2026, 4, 1)
LOST_SWEEP = "publicity.tasks.send_lost_deliveries"


@pytest.fixture
def before_the_outbox():
    """The database as it was before the upgrade (its models), migrated to the latest
    afterwards whatever happens."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        call_command("migrate", verbosity=0)


@pytest.fixture
def history(before_the_outbox, staff, mailoutbox):
    """Three officials of a department with a petition waiting, and two members: the
    week's digests and April's news were sent to one each, failed for another, and one
    digest was still pending (its task on its way) when the portal was upgraded."""
    old = before_the_outbox
    housing = DepartmentFactory(name="西市区住建局")
    with time_machine.travel(at(WEEK, 8), tick=False):
        petition = dispatched(staff, housing, due_on=date(2026, 3, 26))
        sent, failed, pending = OfficialFactory.create_batch(3, department=housing)
        reader, unlucky = MemberFactory.create_batch(2)
        for member in (reader, unlucky):
            newsletter.subscribe(user=member.user)
        # Seeded by a migration; an earlier test that empties the database took it.
        policy, _ = ArticleKind.objects.get_or_create(
            code="policy", defaults={"name": "惠企政策"}
        )
        articles.publish_article(
            article=Article.objects.create(kind=policy, title="稳岗补贴申领指南"),
            actor=staff,
            now=at(date(2026, 3, 20), 10),
        )
    OldDigest = old.get_model("publicity", "DigestDelivery")
    OldNews = old.get_model("publicity", "NewsletterDelivery")
    digest = {"week_start": WEEK, "kind": "department", "created_at": at(WEEK, 9)}
    rows = {
        "sent": OldDigest.objects.create(
            official_id=sent.pk,
            status="sent",
            attempts=1,
            sent_at=at(WEEK, 9, 1),
            **digest,
        ),
        "failed": OldDigest.objects.create(
            official_id=failed.pk,
            status="failed",
            attempts=6,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
            failed_at=at(WEEK, 9, 31),
            **digest,
        ),
        "pending": OldDigest.objects.create(
            official_id=pending.pk, status="pending", **digest
        ),
        "news sent": OldNews.objects.create(
            user_id=reader.user_id,
            month=MONTH,
            status="sent",
            attempts=1,
            sent_at=at(MONTH, 9, 1),
            created_at=at(MONTH, 9),
        ),
        "news failed": OldNews.objects.create(
            user_id=unlucky.user_id,
            month=MONTH,
            status="failed",
            attempts=6,
            last_error="SMTPRecipientsRefused",
            created_at=at(MONTH, 9),
        ),
    }
    mailoutbox.clear()  # the petition's own notices
    return {
        "pks": {name: row.pk for name, row in rows.items()},
        "officials": {"sent": sent, "failed": failed, "pending": pending},
        "members": {"sent": reader, "failed": unlucky},
        "petition": petition,
    }


def to(mailoutbox, user) -> list:
    return [m for m in mailoutbox if m.to == [user.email]]


def test_deliveries_sent_before_the_outbox_are_never_sent_again(history, mailoutbox):
    call_command("migrate", verbosity=0)

    pks = history["pks"]
    sent = DigestDelivery.objects.select_related("message").get(pk=pks["sent"])
    assert sent.status == DigestDelivery.Status.IN_OUTBOX
    message = sent.message
    assert (message.key, message.kind, message.status) == (
        f"weekly-digest:{sent.pk}",
        "weekly-digest",
        OutgoingMessage.Status.SENT,
    )
    assert (message.sent_at, message.address) == (
        at(WEEK, 9, 1),
        history["officials"]["sent"].user.email,
    )
    news = NewsletterDelivery.objects.select_related("message").get(pk=pks["news sent"])
    assert (news.message.key, news.message.status) == (
        f"monthly-news:{news.pk}",
        OutgoingMessage.Status.SENT,
    )

    # Everything that could send them runs again: the plans, the old tasks, the sweep.
    with time_machine.travel(at(WEEK, 12), tick=False):
        digests.plan_weekly_digests(week_start=WEEK)
        tasks.send_weekly_digest.delay(sent.pk)
    with time_machine.travel(at(MONTH, 12), tick=False):
        newsletter.plan_monthly_news(month=MONTH)
        tasks.send_monthly_news.delay(news.pk)
        outbox.sweep()

    assert to(mailoutbox, history["officials"]["sent"].user) == []
    assert to(mailoutbox, history["members"]["sent"].user) == []
    assert DigestDelivery.objects.filter(week_start=WEEK).count() == 3
    assert NewsletterDelivery.objects.filter(month=MONTH).count() == 2


def test_a_pending_delivery_is_sent_once_by_its_task_queued_before_the_upgrade(
    history, mailoutbox
):
    call_command("migrate", verbosity=0)
    pk = history["pks"]["pending"]

    with time_machine.travel(at(WEEK, 10), tick=False):
        assert tasks.send_weekly_digest.delay(pk).get() is True
        assert tasks.send_weekly_digest.delay(pk).get() is False  # redelivered

    (digest,) = to(mailoutbox, history["officials"]["pending"].user)
    assert history["petition"].number in digest.body
    delivery = DigestDelivery.objects.get(pk=pk)
    assert delivery.message.status == OutgoingMessage.Status.SENT


def test_a_delivery_that_failed_before_the_upgrade_waits_for_staff_who_send_it_once(
    history, mailoutbox, client, staff
):
    call_command("migrate", verbosity=0)
    pks = history["pks"]
    failed = DigestDelivery.objects.get(pk=pks["failed"])
    assert (failed.status, failed.message) == (DigestDelivery.Status.PENDING, None)

    # On the staff dashboard, with its button, until it is sent; so is the pending one
    # after an hour (its task may have been lost with a worker).
    listed = {d.pk: d.last_error for d in failed_digests()}
    assert listed.keys() == {failed.pk, pks["pending"]}
    assert listed[failed.pk]
    client.force_login(staff)
    resend = reverse("publicity:resend_digest", args=[failed.pk])
    with time_machine.travel(at(WEEK, 14), tick=False):
        html = client.get(reverse("staff_dashboard")).content.decode()
        assert f'action="{resend}"' in html
        client.post(resend)
        client.post(resend)  # a second click sends nothing more

    (digest,) = to(mailoutbox, history["officials"]["failed"].user)
    assert history["petition"].number in digest.body
    assert [d.pk for d in failed_digests()] == [pks["pending"]]

    # The monthly news that failed: sent again from the admin.
    with time_machine.travel(at(MONTH, 14), tick=False):
        client.post(
            reverse("admin:publicity_newsletterdelivery_changelist"),
            {"action": "send_news_again", "_selected_action": [pks["news failed"]]},
        )
    (news,) = to(mailoutbox, history["members"]["failed"].user)
    assert "稳岗补贴申领指南" in news.body
    assert len(mailoutbox) == 2


def test_beats_sweep_of_lost_deliveries_goes_and_comes_back_if_the_upgrade_is_undone(
    before_the_outbox,
):
    renamed = PeriodicTask.objects.get(task=LOST_SWEEP)
    renamed.name = "周报补发"  # staff own the schedule's names
    renamed.save()

    call_command("migrate", verbosity=0)

    assert not PeriodicTask.objects.filter(task=LOST_SWEEP).exists()
    MigrationExecutor(connection).migrate(BEFORE)
    sweep = PeriodicTask.objects.get(task=LOST_SWEEP)
    assert (sweep.interval.every, sweep.interval.period) == (30, "minutes")


def test_undoing_and_redoing_the_upgrade_keeps_what_was_sent(history, mailoutbox):
    pks = history["pks"]
    call_command("migrate", verbosity=0)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)

    old = executor.loader.project_state(BEFORE).apps
    OldDigest = old.get_model("publicity", "DigestDelivery")
    assert OldDigest.objects.get(pk=pks["sent"]).sent_at == at(WEEK, 9, 1)
    assert sorted(OldDigest.objects.values_list("status", flat=True)) == [
        "pending",
        "pending",
        "sent",
    ]

    call_command("migrate", verbosity=0)

    sent = DigestDelivery.objects.get(pk=pks["sent"])
    assert sent.message.key == f"weekly-digest:{sent.pk}"
    assert sent.message.status == OutgoingMessage.Status.SENT
    with time_machine.travel(at(WEEK, 12), tick=False):
        tasks.send_weekly_digest.delay(sent.pk)
    assert to(mailoutbox, history["officials"]["sent"].user) == []
