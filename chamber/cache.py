"""The shared cache (Redis) speeds pages up; it is never needed to serve them.

Django's own `RedisCache` raises redis-py's errors into the request (unlike django-redis
it has no option to ignore them), so when Redis stopped nearly every page answered 500:
the page cache, `{% cache %}`, the sessions (`cached_db`), the user records of
`chamber.backends` and the working-day overrides all ask it. `RedisCache` here is
Django's, with every call that fails answered as a miss: a read gives its default, a
write does nothing, `incr()` says the key is not there (ValueError, as Django does for a
missing key) and `set_many()` returns the keys it could not set. The page is then built
from the database.

Redis that cannot be reached (refused, or no answer within the socket timeouts of
settings.CACHES) is left alone by this process for `RETRY_SECONDS`: a Redis host that
hangs costs one timeout then, not one per cache call. The next call after that asks it
again.

Redis may come back with its data (it hung, or the network was cut): a logout, a
page-cache bump or a forgotten user record that failed meanwhile would then be undone.
So the keys whose `delete()`, `delete_many()` or `incr()` failed are remembered, and
deleted before anything else is asked once Redis answers (a deleted page-cache version
is a bump). Failed writes need no such care: the value they leave is older, and the
callers write what they read from the database.

Failures are logged on "chamber.cache" as a warning at most once a minute per process,
with the number of calls missed since the last report; the end of an outage whose start
was logged is logged once.
"""

import logging
import threading
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("chamber.cache")

LOG_EVERY_SECONDS = 60
RETRY_SECONDS = 5.0
# Deletes remembered during one outage; beyond this, the rest live out their timeouts.
MAX_REMEMBERED = 10_000


def _where(servers) -> str:
    """host:port/db of the first server, never its password."""
    url = urlsplit(servers[0])
    return f"{url.hostname}:{url.port or 6379}{url.path or '/0'}"


class _Health:
    """How one Redis has been answering this process; shared by its threads."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.lock = threading.Lock()
        self.replaying = threading.Lock()
        self.resting_until = 0.0  # time.monotonic(): until then, calls miss at once
        self.failing_since: float | None = None
        self.reported_at: float | None = None
        self.missed = 0
        self.to_delete: dict[str, None] = {}  # Redis keys, in order
        self.overflowed = False

    def resting(self) -> bool:
        if self.resting_until > time.monotonic():
            with self.lock:
                self.missed += 1
            return True
        return False

    def remember(self, keys) -> None:
        with self.lock:
            for key in keys:
                if len(self.to_delete) >= MAX_REMEMBERED:
                    self.overflowed = True
                    return
                self.to_delete[key] = None

    def make_good(self, client) -> None:
        """Delete what failed to be deleted; raises RedisError while Redis still fails."""
        with self.replaying:
            with self.lock:
                keys, self.to_delete = list(self.to_delete), {}
            if not keys:
                return
            try:
                client.delete_many(keys)
            except RedisError:
                self.remember(keys)
                raise

    def failed(self, error: RedisError, *, retry_seconds: float) -> None:
        """Count and log a failure; one of reaching Redis starts (or goes on with) an outage.

        Redis that answers with an error (full with `noeviction`, a read-only replica)
        is logged the same way but is no outage: it is asked again at once.
        """
        now = time.monotonic()
        with self.lock:
            self.missed += 1
            if isinstance(error, (RedisConnectionError, RedisTimeoutError)):
                self.resting_until = now + retry_seconds
                if self.failing_since is None:
                    self.failing_since = now
            if self.reported_at is not None and (
                now - self.reported_at < LOG_EVERY_SECONDS
            ):
                return
            self.reported_at, missed, self.missed = now, self.missed, 0
        logger.warning(
            "cache %s failing (%s: %s); pages are built without it; "
            "%d cache calls missed since the last report",
            self.where,
            type(error).__name__,
            error,
            missed,
        )

    def answered(self) -> None:
        """End an outage; logged when its start was (not within a minute of another)."""
        with self.lock:
            if self.failing_since is None:
                return
            since, self.failing_since = self.failing_since, None
            overflowed, self.overflowed = self.overflowed, False
            if self.reported_at is None or self.reported_at < since:
                return
            seconds = time.monotonic() - since
            missed, self.missed = self.missed, 0
        logger.warning(
            "cache %s answers again after %.0f s; %d more cache calls missed%s",
            self.where,
            seconds,
            missed,
            "; too many deletes failed to remember them all: "
            "some entries stay until their timeout"
            if overflowed
            else "",
        )


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_of(where: str) -> _Health:
    with _health_lock:
        return _health.setdefault(where, _Health(where))


def _or_miss(miss: Callable, *, deletes: Callable | None = None) -> Callable:
    """Ask Redis unless it is resting; when it fails, answer `miss(*args)` instead.

    `deletes(cache, *args)` names the Redis keys the call was to delete (or change):
    remembered when it fails, deleted when Redis answers again.
    """

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def call(self, *args, **kwargs):
            health = self._health
            if not health.resting():
                try:
                    if health.failing_since is not None:
                        health.make_good(self._cache)
                    answer = method(self, *args, **kwargs)
                except RedisError as error:
                    health.failed(error, retry_seconds=self._retry_seconds)
                else:
                    if health.failing_since is not None:
                        health.answered()
                    return answer
            if deletes is not None and health.failing_since is not None:
                health.remember(deletes(self, *args, **kwargs))
            return miss(*args, **kwargs)

        return call

    return decorate


def _not_there(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache is not answering).")


def _deleted(cache, key, version=None) -> list[str]:
    return [cache.make_and_validate_key(key, version=version)]


def _incremented(cache, key, delta=1, version=None) -> list[str]:
    return [cache.make_and_validate_key(key, version=version)]


def _keys(cache, keys, version=None) -> list[str]:
    return [cache.make_and_validate_key(key, version=version) for key in keys]


class _ReusedClient(RedisCacheClient):
    """Django's client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis` at every cache call, and each builds its table
    of about 170 response callbacks: 0.1–0.2 ms of CPU a call, and a logged-in page
    makes two to four calls. A `redis.Redis` over a pool holds no connection of its
    own and is safe to share between threads (redis-py), so one per pool will do.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(
                id(pool), self._client(connection_pool=pool)
            )
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, answering a miss instead of raising when Redis fails.

    OPTIONS takes `RETRY_SECONDS` (how long this process leaves an unreachable Redis
    alone) besides redis-py's connection options.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _ReusedClient
        self._health = _health_of(_where(self._servers))

    @_or_miss(lambda *a, **k: False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_or_miss(lambda key, default=None, version=None: default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_or_miss(lambda *a, **k: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        super().set(key, value, timeout, version)

    @_or_miss(lambda *a, **k: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_or_miss(lambda *a, **k: False, deletes=_deleted)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_or_miss(lambda *a, **k: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_or_miss(lambda *a, **k: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    @_or_miss(_not_there, deletes=_incremented)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_or_miss(lambda data, *a, **k: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_or_miss(lambda *a, **k: None, deletes=_keys)
    def delete_many(self, keys, version=None):
        super().delete_many(keys, version)

    @_or_miss(lambda *a, **k: False)
    def clear(self):
        return super().clear()
