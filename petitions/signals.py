"""Signals other apps listen to; petitions sits above publicity and never imports it."""

from django.dispatch import Signal

# Sent after the weekly dispatch step commits, once per week, with run=<ReviewRun>:
# the weekly digests to officials (publicity) start from it.
week_dispatched = Signal()
