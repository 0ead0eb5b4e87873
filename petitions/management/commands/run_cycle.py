"""Run a step of the review cycle by hand: the same service the beat task runs."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chamber.times import beijing_minute
from petitions import review


class Command(BaseCommand):
    help = (
        "Run a step of the petition review cycle for a date (default: today). "
        "Each step runs once per period; running it again changes nothing. Like the "
        "beat tick, it first runs the recent periods a lost tick left without a run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("step", choices=sorted(review.STEPS))
        parser.add_argument("--date", dest="on", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, step: str, on: str | None, **options) -> None:
        try:
            day = date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {on!r}") from None
        runs = review.run_step(step, on=day)
        if not runs:
            self.stdout.write(
                f"{step} {day}: nothing to do ({day} is not a working day)."
            )
        for run in runs:
            figures = ", ".join(f"{k}={v}" for k, v in run.stats.items())
            # A period an earlier tick lost, run now (review.catch_up) or earlier.
            late = f", caught up on {run.caught_up_on}" if run.caught_up_on else ""
            self.stdout.write(
                f"{run.kind} {run.period_start}..{run.period_end} "
                f"(run {run.pk}, {beijing_minute(run.finished_at)}{late}): {figures}"
            )
