from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True)
def record_heartbeat(name: str = "worker") -> None:
    """Beat entry point: record that a worker is taking tasks (shown on the staff dashboard)."""
    from chamber import services

    services.record_heartbeat(name=name)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
)
def send_password_reset(
    subject: str, body: str, html: str | None, to: str, from_email: str | None
) -> None:
    """Send a password-reset e-mail prepared in the request (see chamber.forms)."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject, body, from_email, [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
