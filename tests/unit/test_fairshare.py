"""Fair shares of scenario simulations: one user's running simulation makes their next one
wait then 429, never anyone else's; the per-minute budget; both shared through a real Redis
by two limiters (as two instances would be), with leases that a dead worker cannot keep."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from dashboard.fairshare import SimulationBusy, SimulationLimiter
from tests.perf.test_cache import redis_url  # noqa: F401 - a real redis-server per test


def _hold(limiter: SimulationLimiter, user: str, started: threading.Event,
          release: threading.Event) -> None:
    with limiter.slot(user):
        started.set()
        release.wait(10)


def _busy_while_held(first: SimulationLimiter, second: SimulationLimiter) -> None:
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(first, "dora", started, release))
    holder.start()
    try:
        assert started.wait(10)
        t0 = time.monotonic()
        with pytest.raises(SimulationBusy) as err, second.slot("dora"):
            pass
        assert 0.2 <= time.monotonic() - t0 < 3  # waited its SIM_WAIT_S, then refused
        assert err.value.code == 429 and "still being worked out" in err.value.description
        with second.slot("cath"):  # someone else is not held up
            pass
    finally:
        release.set()
        holder.join(10)
    with second.slot("dora"):  # free again once the first one ends
        pass


def test_one_running_simulation_per_user_in_a_process():
    limiter = SimulationLimiter(per_user=1, rate="1000 per minute", wait_s=0.3)
    _busy_while_held(limiter, limiter)


def test_the_next_one_waits_for_the_running_one_when_it_ends_soon():
    limiter = SimulationLimiter(per_user=1, rate="1000 per minute", wait_s=3)
    started, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(limiter, "dora", started, release))
    holder.start()
    assert started.wait(10)
    threading.Timer(0.3, release.set).start()
    with limiter.slot("dora"):  # queued behind the first, not refused
        pass
    holder.join(10)


def test_the_per_minute_budget():
    limiter = SimulationLimiter(per_user=2, rate="3 per minute")
    for _ in range(3):
        with limiter.slot("dora"):
            pass
    with pytest.raises(SimulationBusy, match="3 new scenarios"), limiter.slot("dora"):
        pass
    with limiter.slot("cath"):
        pass


def test_shared_through_redis_by_two_instances(redis_url):  # noqa: F811
    first = SimulationLimiter(per_user=1, rate="1000 per minute", storage_uri=redis_url,
                              wait_s=0.3)
    second = SimulationLimiter(per_user=1, rate="1000 per minute", storage_uri=redis_url,
                               wait_s=0.3)
    _busy_while_held(first, second)
    budget = [SimulationLimiter(per_user=1, rate="2 per minute", storage_uri=redis_url)
              for _ in range(2)]
    with budget[0].slot("erin"):
        pass
    with budget[1].slot("erin"):
        pass
    with pytest.raises(SimulationBusy), budget[0].slot("erin"):
        pass


def test_a_dead_workers_lease_runs_out(redis_url):  # noqa: F811
    limiter = SimulationLimiter(per_user=1, rate="1000 per minute", storage_uri=redis_url,
                                wait_s=0.2)
    client = redis.Redis.from_url(redis_url)
    client.zadd("obd-sim:running:dora", {"killed-worker": time.time() - 1})  # lease ended
    with limiter.slot("dora"):
        pass
    client.zadd("obd-sim:running:dora", {"live-worker": time.time() + 60})
    with pytest.raises(SimulationBusy), limiter.slot("dora"):
        pass


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="SIM_PER_USER"):
        SimulationLimiter(per_user=0)
