"""AC-1: every named URL, requested as every role, answers what
tests/support/access_matrix.py says.

Modelled on pretix's test_permissions.py: the URL patterns are walked from the
resolver, so a new URL without a row (or a row whose URL is gone) fails the suite.
POST-only actions are posted empty: a role that may act is redirected to the page it
came from, any other role is refused and the database is left as it was.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, path, resolve, reverse
from django.urls.resolvers import RegexPattern

from chamber import workdays
from tests.factories import UserFactory
from tests.support.access import changed_tables, fingerprint, walk
from tests.support.access_matrix import (
    ANONYMOUS_EXCEPTIONS,
    EXCLUDED_PREFIXES,
    MATRIX,
    PERSONA_FIXTURES,
    ROLES,
    Case,
    all_cases,
    case_id,
)

# Every page, role or payload, whatever the database: CI's PostgreSQL lane runs it.
pytestmark = pytest.mark.sweep


@pytest.fixture
def superuser(db):
    """A staff user with every permission (as `createsuperuser` makes one)."""
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads made by the builders go to a folder of this test."""
    settings.MEDIA_ROOT = tmp_path / "media"


# --- the URL patterns -----------------------------------------------------------------------


def matrix_mismatch(resolver, matrix) -> dict[str, list[str]]:
    """What the resolver and the matrix disagree on (empty lists when they agree)."""
    routes = [
        (route, name)
        for route, name in walk(resolver.url_patterns)
        if not route.startswith(EXCLUDED_PREFIXES)
    ]
    names = [name for _route, name in routes if name]
    return {
        "patterns without a name": sorted(r for r, name in routes if not name),
        "names used twice": sorted({n for n in names if names.count(n) > 1}),
        "patterns without a row": sorted(set(names) - set(matrix)),
        "rows without a pattern": sorted(set(matrix) - set(names)),
    }


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    mismatch = matrix_mismatch(get_resolver(), MATRIX)

    assert mismatch == {key: [] for key in mismatch}


def _a_view(request):
    raise AssertionError("never called")


def test_a_new_pattern_without_a_row_and_a_stale_row_are_both_caught():
    from chamber.urls import urlpatterns

    grown = URLResolver(
        RegexPattern(r"^/"),
        [*urlpatterns, path("new/", _a_view, name="new_page"), path("x/", _a_view)],
    )
    stale = {**MATRIX, "gone:page": []}

    assert matrix_mismatch(grown, MATRIX)["patterns without a row"] == ["new_page"]
    assert matrix_mismatch(grown, MATRIX)["patterns without a name"] == ["x/"]
    assert matrix_mismatch(get_resolver(), stale)["rows without a pattern"] == [
        "gone:page"
    ]


def test_anonymous_visitors_are_sent_to_log_in_or_get_a_public_page():
    """The rule of AC-1, over the matrix; the few exceptions say why."""
    exceptions = set()
    for name, case in all_cases():
        status, target = case.status_for("anonymous"), case.target_for("anonymous")
        if status == 200 or (status == 302 and target == "login"):
            continue
        exceptions.add(case_id(name, case))

    assert exceptions == set(ANONYMOUS_EXCEPTIONS)


def test_every_case_names_the_page_each_redirect_leads_to():
    missing = [
        f"{case_id(name, case)} as {role}"
        for name, case in all_cases()
        for role in ROLES
        if 300 <= case.status_for(role) < 400 and not case.target_for(role)
    ]

    assert missing == []


# --- requesting every URL as every role -----------------------------------------------------


def _client_as(request, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        who = request.getfixturevalue(PERSONA_FIXTURES[role])
        client.force_login(getattr(who, "user", who))
    return client


def _assert_leads_to(response, target: str, requested: str) -> None:
    location = urlsplit(response["Location"])
    assert not location.scheme and not location.netloc, response["Location"]
    if target.startswith("/"):
        assert location.path.startswith(target), response["Location"]
        return
    assert resolve(location.path).view_name == target, response["Location"]
    if target == "login":
        assert parse_qs(location.query)["next"] == [requested]


def _check_role(request, url: str, case: Case, role: str) -> None:
    client = _client_as(request, role)
    expected = case.status_for(role)
    refused = expected in (403, 404) or (role == "anonymous" and expected == 302)
    watch = case.method == "POST" and refused
    before = fingerprint() if watch else None

    response = client.post(url, {}) if case.method == "POST" else client.get(url)

    try:
        assert response.status_code == expected, (
            f"{case.method} {url} answered {response.status_code}, "
            f"the matrix says {expected}"
        )
        if 300 <= expected < 400:
            _assert_leads_to(response, case.target_for(role), url)
        elif expected in (403, 404):
            assert f"{expected}.html" in [t.name for t in response.templates]
        elif expected == 200 and case.content_type:
            assert response["Content-Type"].startswith(case.content_type)
        if watch:
            assert changed_tables(before, fingerprint()) == []
    finally:
        _close(response)


def _close(response) -> None:
    """Close a streamed download's file, as the test client closes other responses:
    without the request-finished handler that would close the database connection in
    the middle of the test."""
    if not response.streaming:
        return
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    ("name", "case"),
    [pytest.param(name, case, id=case_id(name, case)) for name, case in all_cases()],
)
def test_every_role_gets_what_the_matrix_says(request, db, name: str, case: Case):
    """The case's objects are made once; each role then makes its request in a
    savepoint rolled back after it (with the caches emptied), so every role meets the
    same data whatever the role before it changed. A role the case marks (`xfail`) must
    still get the wrong answer, with the reason given: when the code is fixed, the mark
    goes."""
    url = reverse(name, kwargs=case.kwargs_for(request))
    if case.query:
        url += f"?{case.query}"
    wrong = []
    for role in ROLES:
        error = None
        with transaction.atomic():
            try:
                _check_role(request, url, case, role)
            except Exception as failure:  # noqa: BLE001 - every role is reported
                error = failure
            transaction.set_rollback(True)
        cache.clear()
        workdays.forget_overrides()
        if role in case.xfail and error is None:
            wrong.append(f"{role}: passes, though marked ({case.xfail[role]})")
        elif role not in case.xfail and error is not None:
            wrong.append(f"{role}: {error!r}")

    assert wrong == []


@pytest.mark.parametrize(
    ("name", "case"),
    [
        pytest.param(name, case, id=case_id(name, case))
        for name, case in all_cases()
        if case.method == "POST"
    ],
)
def test_a_get_to_a_post_only_action_is_not_allowed_for_anyone(
    request, db, name: str, case: Case
):
    url = reverse(name, kwargs=case.kwargs_for(request))
    clients = {role: _client_as(request, role) for role in ROLES}
    before = fingerprint()

    for role, client in clients.items():
        response = client.get(url)

        assert response.status_code == 405, f"{role}: GET {url}"
        assert "POST" in response["Allow"]
    assert changed_tables(before, fingerprint()) == []
