"""The outbox page's words and badges: a message's kind, its status, what staff may do."""

from django import template

from chamber.models import OutgoingMessage
from chamber.outbox_kinds import kind_label

register = template.Library()
M = OutgoingMessage.Status

BADGES = {
    M.QUEUED: "text-bg-info",
    M.SENDING: "text-bg-primary",
    M.SENT: "text-bg-success",
    M.FAILED: "text-bg-danger",
    M.CANCELLED: "text-bg-secondary",
}


@register.filter
def message_kind(kind: str) -> str:
    """The kind of message in words, in the reader's language (派单通知, 部门周报, …)."""
    return kind_label(kind)


@register.filter
def message_badge(status: str) -> str:
    return BADGES.get(status, "text-bg-light")
