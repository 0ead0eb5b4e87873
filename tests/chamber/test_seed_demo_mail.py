"""seed_demo records the demo's past notices as sent (a transactional test, in a module
of its own: tests/chamber/test_seed_demo.py shares one seeding in a transaction that
is rolled back, in which nothing would ever commit)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.seed_demo import seed


@pytest.mark.django_db(transaction=True)
def test_seeding_sends_no_mail_for_the_demos_past_and_records_it_as_sent(
    settings, mailoutbox
):
    """`make run` starts with an empty var/mail/: the history's notices are recorded as
    sent, so neither the worker nor the outbox's sweep sends them later."""
    from chamber import outbox
    from chamber.models import OutgoingMessage
    from publicity.models import DigestDelivery

    settings.DEBUG = True

    seed()

    assert mailoutbox == []
    sent = OutgoingMessage.objects.filter(key__startswith="petition-dispatched:")
    assert sent.exists()
    assert not sent.exclude(status=OutgoingMessage.Status.SENT).exists()
    assert DigestDelivery.objects.exists()
    assert not DigestDelivery.objects.exclude(
        message__status=OutgoingMessage.Status.SENT
    ).exists()
    later = timezone.now() + timedelta(hours=2)
    assert outbox.sweep(now=later) == []
    seed()
    assert mailoutbox == []
