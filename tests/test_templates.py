"""Every page template renders through its real URL, for each persona, in both languages.

Zulip's template smoke test, adapted: a missing {% load %}, a bad URL name or an
untranslated string shows up here before a user sees it.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import PASSWORD, UserFactory
from tests.support.page_catalogue import (
    ERROR_PAGES,
    LANGUAGES,
    NOT_PAGES,
    PAGES,
    PERSONA_FIXTURES,
    PERSONAS,
    TEMPLATES_DIR,
    _a_daily_run,
    _check_page,
)
from tests.urls_raise import SECRET_DETAIL

# Every page, role or payload, whatever the database: CI's PostgreSQL lane runs it.
pytestmark = pytest.mark.sweep


def test_daily_run_page_renders_its_lists_for_staff(request, db, client):
    """The report page of a daily study lists the petitions it found (staff only)."""
    page = _a_daily_run(request)
    client.force_login(request.getfixturevalue("staff"))

    response = client.get(reverse("petitions:report", kwargs=page))

    assert response.status_code == 200
    assert "厂区道路积水" in response.content.decode()
    client.force_login(request.getfixturevalue("leader").user)
    assert client.get(reverse("petitions:report", kwargs=page)).status_code == 404


# Reached by failing to log in; see test_locked_out_page_renders_in_both_languages.
LOCKOUT_PAGE = "registration/locked_out.html"

OUR_MSGIDS_ON_HOME = [
    "On duty this week",
    "The 12345+N working method",
    "Xishi District FIC",
    "Skip to content",
    "Log in",
    "Xishi District Federation of Industry and Commerce, Yingkou",
    "The methods keep growing as the work goes on.",
]


@pytest.fixture(autouse=True)
def _show_invalid_variables(settings):
    """Make a mistyped variable visible in the rendered page instead of empty."""
    options = settings.TEMPLATES[0]["OPTIONS"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {**options, "string_if_invalid": "INVALID-VARIABLE(%s)"},
        }
    ]


def _client_for(request, persona: str, language: str) -> Client:
    client = Client()
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if persona != "anonymous":
        who = request.getfixturevalue(PERSONA_FIXTURES[persona])
        client.force_login(getattr(who, "user", who))
    return client


def test_every_page_template_is_covered_by_this_file():
    found = {
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.html")
        if path.relative_to(TEMPLATES_DIR).parts[0] != "emails"
        and "includes" not in path.relative_to(TEMPLATES_DIR).parts
    }

    covered = set(PAGES) | set(ERROR_PAGES) | {LOCKOUT_PAGE} | NOT_PAGES
    assert found == covered


def _check_response(response, template: str, expected: int, persona: str, language):
    assert response.status_code == expected, (response.status_code, expected)
    if expected in (200, 410):  # 410: the page says what is gone
        assert template in [t.name for t in response.templates]
        _check_page(response.content.decode(), language)
    elif expected in (403, 404):
        assert f"{expected}.html" in [t.name for t in response.templates]
        _check_page(response.content.decode(), language)
    else:
        location = response["Location"]
        assert location.startswith("/") and not location.startswith("//")
        if persona == "anonymous":
            assert location.startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("template", sorted(PAGES))
def test_page_renders_for_every_persona_in_both_languages(request, db, template):
    """The page's data is made once; each persona then asks for it in each language,
    and every combination that goes wrong is listed."""
    page = PAGES[template]
    url = reverse(page.url, kwargs=page.kwargs_for(request))
    wrong = []
    for persona in PERSONAS:
        for language in LANGUAGES:
            client = _client_for(request, persona, language)
            try:
                response = client.get(url)
                _check_response(
                    response, template, page.status_for(persona), persona, language
                )
            except Exception as error:  # noqa: BLE001 - every combination is reported
                wrong.append(f"{persona} in {language}: {error!r}")

    assert wrong == []


def test_english_is_chosen_by_the_accept_language_header(db):
    response = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    _check_page(response.content.decode(), "en")
    assert "On duty this week" in response.content.decode()


def test_chinese_home_page_has_no_untranslated_english_of_ours(client, db):
    html = client.get(reverse("home")).content.decode()

    with translation.override("zh-hans"):
        for msgid in OUR_MSGIDS_ON_HOME:
            chinese = gettext(msgid)
            assert chinese != msgid, f"no Chinese for {msgid!r}"
            assert chinese in html
            assert msgid not in html


def test_english_home_page_shows_the_english_texts(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(reverse("home")).content.decode()

    for msgid in OUR_MSGIDS_ON_HOME:
        assert msgid in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_reset_form_with_a_valid_link_renders(db, language):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = UserFactory()
    client = _client_for(None, "anonymous", language)
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert response.context["validlink"] is True
    assert 'name="new_password1"' in response.content.decode()
    _check_page(response.content.decode(), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_locked_out_page_renders_in_both_languages(db, language):
    UserFactory(username="locked")
    client = _client_for(None, "anonymous", language)
    client.raise_request_exception = False
    for i in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": "locked", "password": f"wrong-{i}"}
        )

    assert response.status_code == 429
    assert LOCKOUT_PAGE in [t.name for t in response.templates]
    _check_page(response.content.decode(), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_page_shows_the_404_page(db, language):
    client = _client_for(None, "anonymous", language)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    with translation.override(language):
        assert gettext("Page not found") in response.content.decode()
    _check_page(response.content.decode(), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_page_refused_to_a_member_shows_the_403_page(request, db, language):
    client = _client_for(request, "member", language)

    response = client.get(reverse("staff_dashboard"))

    assert response.status_code == 403
    with translation.override(language):
        assert gettext("You may not open this page") in response.content.decode()
    _check_page(response.content.decode(), language)


@pytest.mark.urls("tests.urls_raise")
@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_shows_the_500_page_without_a_traceback(db, language):
    client = _client_for(None, "anonymous", language)
    client.raise_request_exception = False

    response = client.get(reverse("test_boom"))

    assert response.status_code == 500
    html = response.content.decode()
    with translation.override(language):
        assert gettext("Something went wrong on our side") in html
    for leak in ("Traceback", "RuntimeError", SECRET_DETAIL, str(settings.BASE_DIR)):
        assert leak not in html
    _check_page(html, language)


@pytest.mark.urls("tests.urls_raise")
@pytest.mark.parametrize("language", LANGUAGES)
def test_suspicious_request_shows_the_400_page(db, language):
    client = _client_for(None, "anonymous", language)

    response = client.get(reverse("test_bad_request"))

    assert response.status_code == 400
    html = response.content.decode()
    with translation.override(language):
        assert gettext("The request could not be understood") in html
    assert SECRET_DETAIL not in html
    _check_page(html, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_sent_without_csrf_token_shows_the_403_csrf_page(db, language):
    client = Client(enforce_csrf_checks=True)
    if language != settings.LANGUAGE_CODE:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.post(reverse("login"), {"username": "x", "password": PASSWORD})

    assert response.status_code == 403
    html = response.content.decode()
    with translation.override(language):
        assert gettext("The form expired") in html
    _check_page(html, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_password_reset_mail_renders_both_parts_in_the_readers_language(
    db, language, mailoutbox, django_capture_on_commit_callbacks
):
    # The reader's language for e-mails, whatever the page was read in.
    UserFactory(username="mail-reader", email="reader@example.com", language=language)
    client = _client_for(None, "anonymous", language)

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends it
        client.post(reverse("password_reset"), {"email": "reader@example.com"})

    (message,) = mailoutbox
    html, _mimetype = message.alternatives[0]
    with translation.override(language):
        subject = gettext("Reset your password on the chamber portal")
        greeting = gettext("Choose a new password")
    assert message.subject == subject
    assert greeting in html
    for part in (message.body, html):
        assert "mail-reader" in part
    assert "INVALID-VARIABLE" not in message.body
    assert "INVALID-VARIABLE" not in html
    if language == "zh-hans":
        assert subject != "Reset your password on the chamber portal"


ERROR_TEXTS = {
    "400.html": "The request could not be understood",
    "403.html": "You may not open this page",
    "403_csrf.html": "The form expired",
    "404.html": "Page not found",
    "500.html": "Something went wrong on our side",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", ERROR_PAGES)
def test_error_template_renders_directly(db, template, language):
    # Django renders 400, 500 and CSRF failures without a request, 403 and 404 with one.
    with_request = template in ("403.html", "404.html")
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()

    with translation.override(language):
        html = render_to_string(template, request=request if with_request else None)
        expected = gettext(ERROR_TEXTS[template])

    assert expected in html
    if language == "zh-hans":
        assert expected != ERROR_TEXTS[template]
    _check_page(html, language)
