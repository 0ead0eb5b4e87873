"""Celery entry points of the petitions app: thin wrappers (STYLE B7).

The four review steps are scheduled by django-celery-beat (seeded by a data migration,
editable in the admin); mail tasks claim each notice before sending, so a redelivered
task never sends twice, and retry with backoff when the mail server fails.
"""

from celery import shared_task

from chamber.tasks import MAIL_RETRY


def _day(on: str | None):
    from datetime import date

    from django.utils import timezone

    return date.fromisoformat(on) if on else timezone.localdate()


def _run(kind: str, on: str | None) -> list[int]:
    from petitions import review

    return [run.pk for run in review.run_step(kind, on=_day(on))]


@shared_task(acks_late=True)
def run_daily_study(on: str | None = None) -> list[int]:
    """Beat entry point for 日研究 (every morning; does nothing on days off)."""
    return _run("daily", on)


@shared_task(acks_late=True)
def run_weekly_dispatch(on: str | None = None) -> list[int]:
    """Beat entry point for 周调度 (Monday morning)."""
    return _run("weekly", on)


@shared_task(acks_late=True)
def run_monthly_summary(on: str | None = None) -> list[int]:
    """Beat entry point for 月总结 (the 1st, for the month before)."""
    return _run("monthly", on)


@shared_task(acks_late=True)
def run_quarterly_clearance(on: str | None = None) -> list[int]:
    """Beat entry point for 季清零 (a quarter's first day, for the quarter before)."""
    return _run("quarterly", on)


@shared_task(**MAIL_RETRY)
def notify_dispatched(petition_id: int) -> None:
    """Tell the department's liaison and officials that a petition is theirs (once per dispatch)."""
    from petitions import emails

    emails.dispatched(petition_id)


@shared_task(**MAIL_RETRY)
def notify_answered(petition_id: int, answer_round: int) -> None:
    """Send the answer to the enterprise's members, with a link to rate it (once per answer)."""
    from petitions import emails

    emails.answered(petition_id, answer_round)


@shared_task(**MAIL_RETRY)
def remind_department(run_id: int, department_id: int) -> None:
    """Remind a department of the petitions due on the next working day (once per day)."""
    from petitions import emails

    emails.due_next_working_day(run_id, department_id)


@shared_task(**MAIL_RETRY)
def notify_run(run_id: int) -> None:
    """Tell staff (and leaders, for escalations) what a review step found (once each)."""
    from petitions import emails

    emails.review_step(run_id)
