"""The outbox's channels beyond e-mail: SMS (sms.py) and WeChat (wechat.py).

A channel's backend gets one message ready to send (`Sms`, `WechatCard`) and returns the
provider's reference, or raises `ChannelError` saying, in the provider's words, whether
a later try may succeed (an outage, a rate limit) and whether the address itself was
refused (a number the provider rejects, a follower who left): the outbox then marks the
channel unusable for that person and sends the notice by e-mail instead.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class ChannelError(Exception):
    """A channel could not send. `reason`: the provider's code and message, in words for
    staff; `retry`: a later try may succeed; `refused`: the address is refused for good
    (the channel is marked unusable for the person); `fallback`: the notice goes by
    e-mail instead (always so when refused)."""

    def __init__(
        self,
        reason: str,
        *,
        retry: bool = True,
        refused: bool = False,
        fallback: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry and not refused
        self.refused = refused
        self.fallback = fallback or refused


@dataclass(frozen=True)
class Sms:
    """One SMS: the approved template of the notice's kind, filled with `params`.

    `text` is the whole message as the recipient will read it (signature, template and
    parameters), for the file backend and the outbox page; `session` is the outbox
    row's reference, echoed back by the provider.
    """

    number: str
    kind: str
    template_id: str
    params: list[str]
    text: str
    session: str = ""


@dataclass(frozen=True)
class WechatCard:
    """One WeChat message: `via` is "wecom" (企业微信/政务微信 application message, a text
    card to `to`, the user ID) or "mp" (the 服务号's template message to `to`, an OpenID,
    with `template_id` and its `params` as keyword1…N)."""

    via: str
    to: str
    kind: str
    title: str
    description: str
    url: str
    template_id: str = ""
    params: list[str] = field(default_factory=list)


class DiscardBackend:
    """Sends nothing (the demo's past, told at the time): the dummy e-mail backend's twin."""

    def send(self, message) -> str:
        return "discarded"


@cache
def _backend(path: str):
    return import_string(path)()


def sms_backend():
    """The configured SMS backend (settings.SMS_BACKEND), one instance a process."""
    return _backend(settings.SMS_BACKEND)


def wechat_backend():
    """The configured WeChat backend (settings.WECHAT_BACKEND), one instance a process."""
    return _backend(settings.WECHAT_BACKEND)
