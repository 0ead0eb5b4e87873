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

The same parts serve the logged-in pages that are alike for every reader but change
with other data than the public site's (the member directory and members' pages):
those have a *scope*, a version of their own that their data's changes bump
(`bump_scope`). A person's own corner of a page (a member's open petitions, their next
activity) is kept per owner and day (`personal_fragment`), and forgotten when what it
shows changes (`forget_personal`): no version to read first, one cache read a part.

A visitor who is not logged in (no session, no pending message) sees what every such
visitor sees, so for them `anonymous_page` keeps the whole page: the only per-visitor
bit, the CSRF token of the language switcher, is put back into the cached HTML for each
request, so the switcher keeps working and Django still sets the visitor's CSRF cookie.
"""

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
FRAGMENT_SECONDS = 300
# A person's part: what nobody forgets (an activity's time edited for everyone) shows
# within this time.
PERSONAL_SECONDS = 60


def _version_key(scope: str) -> str:
    return f"{VERSION_KEY}:{scope}" if scope else VERSION_KEY


def version(scope: str = "") -> str | None:
    """The current version of the public site's content, or of a scope (one cache read).

    None when the cache does not answer (chamber/cache.py): pages are then built
    without it, and nothing is cached under a version that no bump can change.
    """
    key = _version_key(scope)
    current = cache.get(key)
    if current is None:
        # A start from nothing must never meet parts cached before: a random version
        # (not the clock, which tests stop and hosts disagree on).
        cache.add(key, uuid.uuid4().hex, timeout=None)
        current = cache.get(key)
    return current


def _bump_now(scope: str = "") -> None:
    # Gone, the next reader starts a new version (`version`): one round trip, and a
    # delete that fails while Redis is away is done when it is back (chamber/cache.py),
    # so no bump is lost.
    cache.delete(_version_key(scope))


def bump(**_signal_kwargs) -> None:
    """Make every cached part of the public site stale (a signal receiver).

    Now, so the change's own request and a test's next request see it, and again once the
    change is committed: a page rendered in between from the old rows is dropped then.
    """
    bump_scope("")


def bump_scope(scope: str) -> None:
    """Make every cached part of `scope` stale, now and once the change is committed."""
    _bump_now(scope)
    transaction.on_commit(lambda: _bump_now(scope))


def _key(*parts) -> str:
    raw = ":".join(str(p) for p in parts)
    return "pagecache:part:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def fragment(
    name: str, *parts, build: Callable[[], str], scope: str = ""
) -> SafeString:
    """The cached HTML of one part of a page, built (and cached) on a miss.

    `build` renders it; it must not depend on who is looking, only on `name` and `parts`.
    """
    return safe_cached(value(name, *parts, build=build, scope=scope))


def value(name: str, *parts, build: Callable[[], object], scope: str = ""):
    """What `build()` makes (HTML, or a tuple holding some), cached as `fragment` does;
    HTML in it comes back as plain `str`, for the caller to pass through `safe_cached`."""
    current = version(scope)
    if current is None:
        return build()
    key = _key(current, scope, get_language(), name, *parts)
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, FRAGMENT_SECONDS)
    return found


def titled_or_404(
    name: str, key, *, build: Callable[[], tuple[str, str] | None], scope: str = ""
) -> tuple[str, SafeString]:
    """An object's page part and its title, cached as `value` does: `build` gives
    (title, HTML), or None when there is no such object to show, a 404 (kept too, so
    asking again costs no query)."""
    found = value(name, key, build=lambda: build() or "", scope=scope)
    if found == "":
        raise Http404
    title, html = found
    return title, safe_cached(html)


def safe_cached(html: str) -> SafeString:
    """HTML that our own autoescaping templates rendered and this module cached."""
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, then cached


def _personal_key(name: str, owner_id, language: str, day) -> str:
    return f"pagecache:personal:{name}:{owner_id}:{language}:{day.isoformat()}"


def personal_fragment(
    name: str, owner_id, template_name: str, context: Callable[[], dict]
) -> SafeString:
    """One owner's part of a page (an enterprise's, a member's) in the reader's language
    today: `template_name` rendered with `context()`, cached for PERSONAL_SECONDS at
    most; both must depend only on the owner. The app whose data it shows calls
    `forget_personal` when that data changes."""
    key = _personal_key(name, owner_id, get_language(), timezone.localdate())
    html = cache.get(key)
    if html is None:
        html = render_to_string(template_name, context())
        cache.set(key, html, PERSONAL_SECONDS)
    return safe_cached(html)


def forget_personal(name: str, *owner_ids) -> None:
    """Forget these owners' parts now and once the change is committed (a page rendered
    in between from the old rows is dropped then)."""
    today = timezone.localdate()
    keys = [
        _personal_key(name, owner_id, code, today)
        for owner_id in set(owner_ids)
        if owner_id is not None
        for code, _label in settings.LANGUAGES
    ]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


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
