"""Fair shares of the expensive work: scenario simulations, per user, across every worker.

A scenario model run (10,000 Monte Carlo draws for every payer) takes a worker for a fraction
of a second to a few seconds. Without a bound, one user with four connections asking for four
new scenarios at once holds every worker of a small install, and everyone else's pages wait
(measured at 6 ms -> 635 ms before this module). :class:`SimulationLimiter` bounds, per signed-in
user:

- how many of their simulations run at once (``SIM_PER_USER``, default 1): a request that
  would start another gets a 429 "your other scenario is still being worked out" with
  ``Retry-After``, at once or after waiting ``SIM_WAIT_S`` seconds (default 0: a waiting
  request holds a sync gunicorn worker, which is what the limit is there to prevent);
- how many new simulations they start in a minute (``SIM_RATE``, the ``limits`` library's
  moving window, e.g. ``60 per minute``).

Both counts live where the rate limits do (``RATE_LIMIT_STORAGE_URL``, else
``CACHE_REDIS_URL``): with Redis every worker and instance shares them; without Redis (the
loopback demo) each worker counts alone. Results already cached cost nothing and are not
counted: the limiter wraps the cache-miss path only. Each request is bounded too: a scenario
has at most ``drafts.store.MAX_CHANGES`` changes and a comparison at most four scenarios.

How a page or a Dash callback uses it: wrap the computation that a cache miss runs::

    @data.cache.memoize()
    def _model_run(version, key):
        with fairshare.simulations().slot(fairshare.requester()):
            return simulate(...)

A refusal raises :class:`SimulationBusy` (an HTTP 429); a Dash callback may catch it and show
its ``description`` in the page instead of letting the 429 through.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

LEASE_S = 120  # a crashed worker's slot frees itself after this long


class SimulationBusy(TooManyRequests):
    """429: this user's simulations are at their limit just now."""

    def __init__(self, description: str, retry_after: int):
        super().__init__(description, retry_after=retry_after)


class SimulationLimiter:
    """Per-user concurrency and rate of simulations, in Redis or in this process."""

    def __init__(self, per_user: int = 1, rate: str = "60 per minute",
                 storage_uri: str = "memory://", wait_s: float = 0.0):
        if per_user < 1:
            raise ValueError("SIM_PER_USER must be 1 or more")
        self.per_user = per_user
        self.rate = parse(rate)
        self.wait_s = wait_s
        self.window = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._redis = None
        if storage_uri.startswith(("redis://", "rediss://", "unix://")):
            import redis

            self._redis = redis.Redis.from_url(storage_uri)
        self._running: dict[str, int] = {}
        self._lock = threading.Condition()

    # ---- concurrency: a counter per user, with a lease in Redis ------------------------

    def _take_local(self, user: str) -> bool:
        with self._lock:
            if self._running.get(user, 0) >= self.per_user:
                return False
            self._running[user] = self._running.get(user, 0) + 1
            return True

    def _give_local(self, user: str) -> None:
        with self._lock:
            self._running[user] -= 1
            if not self._running[user]:
                del self._running[user]
            self._lock.notify_all()

    def _key(self, user: str) -> str:
        return f"obd-sim:running:{user}"

    def _take_redis(self, user: str, token: str) -> bool:
        """A sorted set of running simulations per user, scored by when each lease ends:
        expired leases are dropped first, so a killed worker cannot hold a slot for ever."""
        key, now = self._key(user), time.time()
        pipe = self._redis.pipeline()
        pipe.zremrangebyscore(key, 0, now)
        pipe.zadd(key, {token: now + LEASE_S})
        pipe.zrank(key, token)
        pipe.expire(key, LEASE_S)
        rank = pipe.execute()[2]
        if rank is not None and rank < self.per_user:
            return True
        self._redis.zrem(key, token)
        return False

    def _give_redis(self, user: str, token: str) -> None:
        self._redis.zrem(self._key(user), token)

    @contextmanager
    def slot(self, user: str) -> Iterator[None]:
        """Run one simulation for ``user`` if their share allows, else raise SimulationBusy."""
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_s
        while not (self._take_redis(user, token) if self._redis else self._take_local(user)):
            if time.monotonic() >= deadline:
                raise SimulationBusy(
                    "Your other scenario is still being worked out; this one will be ready "
                    "when it is. Try again in a few seconds.", retry_after=5)
            time.sleep(0.05)
        try:
            if not self.window.hit(self.rate, "obd-sim", user):
                raise SimulationBusy(
                    f"You have run {self.rate.amount} new scenarios in the last "
                    f"{self.rate.get_expiry()} seconds, the most one person may; scenarios "
                    "already worked out still open. Try again in a minute.", retry_after=60)
            yield
        finally:
            if self._redis:
                self._give_redis(user, token)
            else:
                self._give_local(user)


def requester() -> str:
    """Whose share a request draws on: the signed-in user, or for anonymous readers (the
    public site, the public API) their client address (read through ``TRUSTED_PROXIES``)."""
    from flask import request

    from dashboard.auth import ANONYMOUS, current_user

    user = current_user()
    return f"user:{user.name}" if user != ANONYMOUS else f"addr:{request.remote_addr}"


_limiter_lock = threading.Lock()


def simulations() -> SimulationLimiter:
    """This app's limiter, from the settings it was built with (made on first use)."""
    from flask import current_app

    from dashboard.security import limits_storage

    with _limiter_lock:
        limiter = current_app.extensions.get("simulations")
        if limiter is None:
            settings = current_app.config["SETTINGS"]
            limiter = SimulationLimiter(settings.sim_per_user, settings.sim_rate,
                                        limits_storage(settings), settings.sim_wait_s)
            current_app.extensions["simulations"] = limiter
        return limiter
