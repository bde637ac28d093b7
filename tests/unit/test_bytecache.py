"""The per-process cache is bounded in bytes: large entries push out the least recently used,
an entry too large to keep is not kept, and expired entries are gone."""

from __future__ import annotations

import time

import numpy as np
import pytest

from dashboard.bytecache import ByteBoundedCache

MB = 2**20


def test_bytes_stay_under_the_bound_whatever_the_number_of_entries():
    cache = ByteBoundedCache(max_bytes=8 * MB)
    for i in range(200):  # 200 model-run-sized values: 800 kB each, 160 MB in all
        assert cache.set(f"run{i}", np.full(100_000, float(i)))
        assert cache.bytes_used <= 8 * MB
    assert 5 <= len(cache) <= 10  # 8 MB / 0.8 MB: the newest ones
    assert cache.get("run199")[0] == 199.0 and cache.get("run0") is None


def test_least_recently_used_goes_first():
    cache = ByteBoundedCache(max_bytes=8 * MB)
    value = b"x" * 1_000_000
    for key in "abcdefgh":  # 8 x 1 MB (10^6 bytes) fit in 8 MiB
        assert cache.set(key, value)
    assert len(cache) == 8
    assert cache.get("a") == value  # read: now the most recent
    cache.set("i", value)
    assert cache.has("a") and not cache.has("b") and cache.has("c")


def test_an_entry_too_big_to_keep_is_not_kept_and_evicts_nothing():
    cache = ByteBoundedCache(max_bytes=8 * MB)
    cache.set("small", 1)
    assert not cache.set("huge", b"x" * (2 * MB))  # over an eighth of the budget
    assert cache.get("huge") is None and cache.get("small") == 1


def test_replacing_and_deleting_keep_the_count_right():
    cache = ByteBoundedCache(max_bytes=8 * MB)
    cache.set("k", b"x" * 1000)
    first = cache.bytes_used
    cache.set("k", b"x" * 1000)
    assert cache.bytes_used == first
    assert cache.delete("k") and cache.bytes_used == 0 and not cache.delete("k")
    assert cache.add("k", 1) and not cache.add("k", 2) and cache.get("k") == 1
    cache.clear()
    assert len(cache) == 0 and cache.bytes_used == 0


def test_expired_entries_are_gone():
    cache = ByteBoundedCache(max_bytes=MB, default_timeout=1)
    cache.set("k", "v")
    cache.set("forever", "v", timeout=0)
    time.sleep(1.1)
    assert cache.get("k") is None and cache.get("forever") == "v"


def test_the_app_uses_it_when_there_is_no_redis(app):
    from dashboard import data

    backend = data.cache.cache
    assert isinstance(backend, ByteBoundedCache)
    assert backend.max_bytes == 128 * MB


def test_a_bad_bound_is_refused():
    with pytest.raises(ValueError, match="CACHE_MAX_MB"):
        ByteBoundedCache(max_bytes=0)
