"""What the tests assert of every e-mail."""

import re


def assert_sent_through_the_outbox(messages) -> None:
    """Every e-mail is a row of the outbox first: the only sender (chamber/outbox.py)
    stamps each with its row's Message-ID."""
    strays = [
        message.subject
        for message in messages
        if not re.fullmatch(
            r"<outbox\.\d+@[^>]+>", message.extra_headers.get("Message-ID", "")
        )
    ]
    assert strays == [], "sent past the outbox"


def mails_to(outbox, person) -> list:
    """The messages to a user, or to a member's or an official's user."""
    email = getattr(person, "user", person).email
    return [m for m in outbox if m.to == [email]]


# Modules whose after-commit callbacks forget cached pages and users, and send nothing.
_CACHE_MODULES = ("chamber.pagecache", "chamber.backends")


def senders(callbacks) -> list:
    """The after-commit callbacks that send something (a message, a task): not those by
    which the caches forget what a change made stale."""
    return [c for c in callbacks if getattr(c, "__module__", "") not in _CACHE_MODULES]
