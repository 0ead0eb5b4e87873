"""Rows made once and read by every test of a module (or of one parameter of it)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.test import TestCase

_depth = 0  # module worlds open, one inside the other


@contextmanager
def kept_for_the_module(django_db_blocker) -> Iterator[None]:
    """The rows made inside last until the module's fixture ends, then are rolled back.

    Each test that asks for `db` runs in a savepoint inside, rolled back after it: every
    test meets the same rows, whatever the test before it changed, and no row reaches the
    next module. The fixture must be set up before a test's own transaction (an argument
    of the test, or autouse), never from inside a test (`request.getfixturevalue`).
    """
    global _depth
    with django_db_blocker.unblock():
        assert _depth or not connection.in_atomic_block, (
            "a module's rows made inside a test's transaction would go with it"
        )
        with transaction.atomic():
            _depth += 1
            try:
                yield
            finally:
                _depth -= 1
                transaction.set_rollback(True)


def on_commit_now():
    """Run the commit callbacks registered inside (as a committed request would)."""
    return TestCase.captureOnCommitCallbacks(execute=True)
