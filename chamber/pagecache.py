"""Caching the public site (the news pages, showcases, campaign pages): rendered parts of
its pages, shared by every visitor.

The public pages are read far more than they change, and most of their cost is the
queries and the rendering of article lists. Each page caches its main part (the HTML
between the navigation and the footer), keyed by the language, the page's own key and
a *version* that every change bumps: saving an article, a kind, a showcase, an activity
or a campaign, and the scheduled publishing (publicity/apps.py connects the signals). A bump makes every cached part stale at
once, so an editor sees their article on the site as soon as it is saved; parts also
expire after FRAGMENT_SECONDS, which bounds what time alone changes (an activity
that has started leaves "coming activities").

The navigation, the language switcher (with its CSRF token) and anything that depends
on who is looking are rendered for each request around the cached part.

A visitor who is not logged in (no session, no pending message) sees what every such
visitor sees, so for them `anonymous_page` keeps the whole page: the only per-visitor
bit, the CSRF token of the language switcher, is put back into the cached HTML for each
request, so the switcher keeps working and Django still sets the visitor's CSRF cookie.
"""

import hashlib
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
FRAGMENT_SECONDS = 300


def version() -> int | None:
    """The current version of the public site's content (one cache read).

    None when the cache does not answer (chamber/cache.py): pages are then built
    without it, and nothing is cached under a version that no bump can change.
    """
    current = cache.get(VERSION_KEY)
    if current is None:
        # A start from nothing must never meet parts cached before: use the clock.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        current = cache.get(VERSION_KEY)
    return current


def _bump_now() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (evicted or never read): any new value will do
        cache.set(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def bump(**_signal_kwargs) -> None:
    """Make every cached part stale (a signal receiver).

    Now, so the change's own request and a test's next request see it, and again once the
    change is committed: a page rendered in between from the old rows is dropped then.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def _key(*parts) -> str:
    raw = ":".join(str(p) for p in parts)
    return "pagecache:part:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def fragment(name: str, *parts, build: Callable[[], str]) -> SafeString:
    """The cached HTML of one part of a page, built (and cached) on a miss.

    `build` renders it; it must not depend on who is looking, only on `name` and `parts`.
    """
    current = version()
    if current is None:
        return mark_safe(build())  # noqa: S308 - rendered by our own templates
    key = _key(current, get_language(), name, *parts)
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, FRAGMENT_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own templates


def whole_response(view: Callable) -> Callable:
    """Cache a whole public response that is the same for everyone (feeds, the sitemap).

    Only 200 answers without cookies are kept; the key has the host, the path with its
    query and the language.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        current = version()
        if current is None:
            return view(request, *args, **kwargs)
        key = _key(
            current,
            get_language(),
            "response",
            request.get_host(),
            request.get_full_path(),
        )
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response = response.render()  # a TemplateResponse (the sitemap)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = dict(response.items())
            cache.set(key, (response.content, headers), FRAGMENT_SECONDS)
        return response

    return wrapped


# The CSRF token's place in a cached page (letters only, so escaping never changes it).
CSRF_MARK = "CsrfTokenOfThisVisitor"
_CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def _same_for_every_visitor(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def anonymous_page(view: Callable) -> Callable:
    """Cache a public page whole for visitors who are not logged in (see above)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _same_for_every_visitor(request) or (current := version()) is None:
            return view(request, *args, **kwargs)
        key = _key(
            current,
            get_language(),
            "page",
            request.scheme,
            request.get_host(),
            request.get_full_path(),
        )
        cached = cache.get(key)
        if cached is not None:
            html, content_type = cached
            return HttpResponse(
                html.replace(CSRF_MARK, get_token(request)), content_type=content_type
            )
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            html = _CSRF_VALUE.sub(
                rf"\g<1>{CSRF_MARK}\g<2>", response.content.decode(response.charset)
            )
            cache.set(key, (html, response["Content-Type"]), FRAGMENT_SECONDS)
        return response

    return wrapped
