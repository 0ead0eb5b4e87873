"""Celery entry points of the members app: thin wrappers around services (STYLE B7)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from chamber.tasks import MAIL_RETRY


@shared_task(acks_late=True)
def run_rota_day(on: str | None = None) -> dict:
    """Beat entry point: lapse swap requests of started weeks, send today's duty reminders."""
    from members.services import rota

    day = date.fromisoformat(on) if on else timezone.localdate()
    return rota.run_rota_day(today=day)


@shared_task(**MAIL_RETRY)
def send_shift_reminder(reminder_id: int) -> None:
    """E-mail one duty reminder (claimed first, so a redelivery sends nothing twice)."""
    from members.services import rota

    rota.send_shift_reminder(reminder_id=reminder_id)


@shared_task(**MAIL_RETRY)
def notify_swap_request(swap_id: int) -> None:
    """Tell the representatives who could take the week."""
    from members import emails

    emails.swap_requested(swap_id)


@shared_task(**MAIL_RETRY)
def notify_swap_accepted(swap_id: int) -> None:
    """Tell the asker and the secretariat who took the week."""
    from members import emails

    emails.swap_accepted(swap_id)


@shared_task(**MAIL_RETRY)
def notify_swap_lapsed(swap_id: int) -> None:
    """Tell the asker nobody took the week and they remain on duty."""
    from members import emails

    emails.swap_lapsed(swap_id)


@shared_task(**MAIL_RETRY)
def notify_staff_of_unavailability(unavailability_id: int) -> None:
    """Tell the secretariat a representative cannot serve a week already given to them."""
    from members import emails

    emails.unavailability_hits_shift(unavailability_id)
