"""E-mail built from templates, in the recipient's language (STYLE B8).

templates/emails/<name>-subject.txt, <name>-body.txt and <name>-body.html; the HTML
body extends emails/base.html. Every app that sends mail builds on make_message.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def make_message(
    name: str, to: list[str], context: dict, language: str | None = None
) -> EmailMultiAlternatives:
    """The message `name`, rendered in `language` (default: the site's), text and HTML."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=to)
    message.attach_alternative(html, "text/html")
    return message


def send_to_user(name: str, user, context: dict) -> bool:
    """Send `name` to one user in their language; False when they have no address."""
    if not user.email:
        return False
    make_message(
        name, [user.email], {"recipient": user, **context}, user.language
    ).send()
    return True


def send_once(key: str, name: str, user, context: dict) -> bool:
    """Queue the notice `name` to `user` in the outbox under `key`, once, and send it
    now; the outbox retries it if the mail server fails (chamber/outbox.py). Returns
    whether this call sent it."""
    from chamber import outbox

    return outbox.send_now(key, name, user, context)
