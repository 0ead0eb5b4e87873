"""A cache and a broker of a test's own, to stop and start: what the outage tests share."""

import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest
import redis
from django.test import Client
from django.urls import reverse

from publicity import services
from publicity.models import Article, ArticleKind
from tests.factories import PASSWORD, MemberFactory, StaffFactory
from tests.support.lanes import REQUIRE_SERVERS


def free_port() -> int:
    """A port on loopback that nothing listens on (once bound, now closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis(settings, url: str, **options) -> None:
    """CACHES as chamber/settings.py makes them for CACHE_URL=url."""
    settings.CACHES = {
        "default": {
            "BACKEND": "chamber.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                **options,
            },
        }
    }


def log_in(client: Client, member) -> None:
    response = client.post(
        reverse("login"), {"username": member.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def submit_petition(client: Client, title: str):
    return client.post(
        reverse("petitions:submit"),
        {
            "title": title,
            "description": "厂区门前道路积水，影响货车进出。",
            "contact_name": "王会计",
            "contact_phone": "13812345678",
        },
    )


@pytest.fixture
def article(db):
    draft = Article.objects.create(
        kind=ArticleKind.objects.get(code="policy"), title="稳岗补贴申领指南"
    )
    return services.publish_article(article=draft, actor=StaffFactory())


@pytest.fixture
def member(db):
    return MemberFactory(enterprise__name="甲公司")


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, which it may stop, pause and start again."""
    binary = shutil.which("redis-server")
    if binary is None:
        (pytest.fail if REQUIRE_SERVERS else pytest.skip)(
            "needs the redis-server program"
        )
    port = free_port()
    admin = redis.Redis(port=port, db=1, socket_timeout=5)
    server = SimpleNamespace(
        url=f"redis://127.0.0.1:{port}/1", admin=admin, process=None
    )

    def start() -> None:
        server.process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                admin.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
        pytest.fail("redis-server did not start")

    def stop() -> None:
        server.process.terminate()
        server.process.wait(timeout=10)
        server.process = None

    server.start, server.stop = start, stop
    start()
    yield server
    if server.process is not None:
        stop()
    admin.close()
