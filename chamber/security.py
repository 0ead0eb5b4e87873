"""Where a request comes from, trusting only the proxies we were told about."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For.

    With PROXY_COUNT = 0 (the default) X-Forwarded-For is ignored, so a forged header
    cannot move a login attempt to another address and dodge the lockout.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        hops = [
            h.strip()
            for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if h.strip()
        ]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
