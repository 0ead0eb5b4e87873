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


def make_subject(name: str, context: dict, language: str | None = None) -> str:
    """The subject of the message `name` alone (a notice's title on another channel)."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        return " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
