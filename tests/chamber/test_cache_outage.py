"""Redis is optional for serving pages (chamber/cache.py): when the cache stops, hangs or
comes back, visitors and members notice nothing but speed.

The outage is real: CACHE_URL points at a closed port on loopback, at a server that
accepts and never answers, or at a redis-server of the test's own that it stops,
pauses and starts again.
"""

import logging
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from chamber.backends import UserBackend, forget_users
from petitions.models import Petition
from tests.support import outage
from tests.support.outage import free_port, log_in, submit_petition, use_redis

# The fixtures of tests/support/outage.py, for this module's tests.
article = outage.article
member = outage.member
own_redis = outage.own_redis


def _cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "chamber.cache"]


@pytest.fixture
def redis_down(settings):
    """The cache is a Redis client talking to a closed port (a stopped Redis)."""
    url = f"redis://:secret-pass@127.0.0.1:{free_port()}/1"
    use_redis(settings, url)
    return url


# --- Redis stopped: a closed port ------------------------------------------------------


def test_public_pages_and_the_login_page_answer_200_without_redis(
    client, redis_down, article
):
    pages = {
        "/": None,
        reverse("publicity:home"): article.title,
        article.get_absolute_url(): article.title,
        reverse("login"): 'name="password"',
    }
    for url, shows in pages.items():
        for _visit in (1, 2):  # the second visit would come from the cache
            response = client.get(url)

            assert response.status_code == 200, url
            if shows:
                assert shows in response.content.decode(), url


def test_a_member_logs_in_and_submits_a_petition_without_redis(
    client, redis_down, member
):
    log_in(client, member)

    assert client.get(reverse("petitions:mine")).status_code == 200
    response = submit_petition(client, "道路积水")

    assert response.status_code == 302
    petition = Petition.objects.get(title="道路积水")
    assert petition.enterprise == member.enterprise
    assert "道路积水" in client.get(reverse("petitions:mine")).content.decode()


def test_a_member_logged_in_before_the_outage_stays_logged_in(client, settings, member):
    log_in(client, member)  # the session is in the database and in the (local) cache

    use_redis(settings, f"redis://127.0.0.1:{free_port()}/1")  # now Redis is gone
    response = client.get(reverse("petitions:mine"))

    assert response.status_code == 200
    assert response.wsgi_request.user == member.user
    assert submit_petition(client, "停电").status_code == 302


def test_the_user_records_are_read_from_the_database_without_redis(redis_down, member):
    user = UserBackend().get_user(member.user.pk)
    forget_users(member.user.pk)  # what saving a member does: no error either

    assert user.member == member
    assert user.member.enterprise.name == "甲公司"


def test_an_outage_is_logged_once_for_many_requests_within_a_minute(
    client, settings, caplog, article, member
):
    # RETRY_SECONDS=0: every cache call really tries Redis and fails.
    use_redis(
        settings, f"redis://:secret-pass@127.0.0.1:{free_port()}/1", RETRY_SECONDS=0
    )
    caplog.set_level(logging.WARNING, logger="chamber.cache")
    member_client = Client()
    log_in(member_client, member)

    for _ in range(10):
        assert client.get(reverse("publicity:home")).status_code == 200
        assert client.get(article.get_absolute_url()).status_code == 200
        assert member_client.get(reverse("petitions:mine")).status_code == 200

    warnings = _cache_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "failing" in warnings[0] and "127.0.0.1" in warnings[0]
    assert "secret-pass" not in caplog.text


# --- Redis hangs: a server that accepts and never answers ------------------------------


@pytest.fixture
def silent_server():
    """A TCP server on loopback that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def connections() -> int:
        stop.set()
        thread.join()
        listener.settimeout(0)
        while True:  # those the kernel took but the thread had not picked up yet
            try:
                accepted.append(listener.accept()[0])
            except BlockingIOError:
                return len(accepted)

    yield SimpleNamespace(port=listener.getsockname()[1], connections=connections)
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_redis_that_hangs_is_waited_for_once_not_on_every_cache_call(
    client, settings, silent_server, article, member
):
    use_redis(
        settings,
        f"redis://127.0.0.1:{silent_server.port}/1",
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        RETRY_SECONDS=60,
    )
    member_client = Client()
    log_in(member_client, member)

    for _ in range(5):
        assert client.get(reverse("publicity:home")).status_code == 200
        assert client.get(article.get_absolute_url()).status_code == 200
        assert member_client.get(reverse("petitions:mine")).status_code == 200

    assert silent_server.connections() == 1


# --- A real Redis: caching works, stops, hangs and comes back --------------------------


@pytest.mark.redis
def test_with_redis_working_a_second_visit_of_the_news_comes_from_the_cache(
    client, settings, own_redis, article, django_assert_num_queries
):
    use_redis(settings, own_redis.url)
    assert article.title in client.get(reverse("publicity:home")).content.decode()

    with django_assert_num_queries(0):
        again = client.get(reverse("publicity:home"))

    assert again.status_code == 200 and article.title in again.content.decode()
    assert own_redis.admin.dbsize() > 0


@pytest.mark.redis
def test_redis_stopped_then_started_again(
    client, settings, caplog, own_redis, article, member, django_assert_num_queries
):
    use_redis(settings, own_redis.url, RETRY_SECONDS=0)
    caplog.set_level(logging.WARNING, logger="chamber.cache")
    member_client = Client()
    log_in(member_client, member)
    client.get(reverse("publicity:home"))

    own_redis.stop()
    for url in ("/", reverse("publicity:home"), article.get_absolute_url()):
        assert client.get(url).status_code == 200, url
    assert member_client.get(reverse("petitions:mine")).status_code == 200
    assert submit_petition(member_client, "道路积水").status_code == 302

    own_redis.start()  # empty: it kept nothing
    client.get(reverse("publicity:home"))
    with django_assert_num_queries(0):
        assert client.get(reverse("publicity:home")).status_code == 200
    assert member_client.get(reverse("petitions:mine")).wsgi_request.user == (
        member.user
    )
    warnings = _cache_warnings(caplog)
    assert len(warnings) == 2, warnings
    assert "failing" in warnings[0] and "answers again" in warnings[1]


@pytest.mark.redis
def test_a_logout_while_redis_hangs_is_not_undone_when_it_answers_again(
    settings, own_redis, member
):
    use_redis(
        settings,
        own_redis.url,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        RETRY_SECONDS=2,
    )
    browser = Client()
    log_in(browser, member)
    cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value

    assert own_redis.admin.keys(f"*{cookie}")  # the session is in Redis too

    paused_at = time.monotonic()
    own_redis.admin.execute_command("CLIENT", "PAUSE", 1500, "ALL")
    browser.post(reverse("logout"))  # Redis hangs, and keeps its data
    # Redis answers again, and this process has stopped leaving it alone.
    time.sleep(max(0.0, paused_at + 3 - time.monotonic()))

    thief = Client()  # someone who had copied the session cookie
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = cookie
    response = thief.get(reverse("petitions:mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not own_redis.admin.keys(f"*{cookie}")


@pytest.mark.redis
def test_a_full_redis_that_refuses_writes_is_logged_once_and_pages_still_work(
    client, settings, caplog, own_redis, article, member
):
    use_redis(settings, own_redis.url)
    caplog.set_level(logging.WARNING, logger="chamber.cache")
    member_client = Client()
    log_in(member_client, member)

    # Full, and told never to evict: Redis answers every write with an OOM error.
    own_redis.admin.config_set("maxmemory-policy", "noeviction")
    own_redis.admin.config_set("maxmemory", 1)
    for _ in range(5):
        assert client.get(reverse("publicity:home")).status_code == 200
        assert client.get(article.get_absolute_url()).status_code == 200
        assert member_client.get(reverse("petitions:mine")).status_code == 200

    warnings = _cache_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert "OutOfMemoryError" in warnings[0]
