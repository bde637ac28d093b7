"""A per-process cache bounded in bytes, not entries: a Flask-Caching backend.

Flask-Caching's ``SimpleCache`` bounds the number of entries (``CACHE_THRESHOLD``), but entries
differ a thousandfold in size: an overview figure is a few kB, a scenario model run (10,000
draws for every payer) about 0.8 MB. 2,000 kept scenarios made a worker grow by 1.5 GB. This
cache keeps each value pickled (as ``SimpleCache`` does), counts the bytes it holds and drops the
least recently used entries until a new one fits under ``max_bytes``; a value larger than an
eighth of the budget is not kept at all (it is computed again when asked for).

Used by ``dashboard.data.init_cache`` when no Redis is set (``CACHE_TYPE =
"dashboard.bytecache.ByteBoundedCache"``, ``CACHE_MAX_MB``). With Redis (``CACHE_REDIS_URL``)
the bound is Redis's own ``maxmemory`` with an LRU policy (``deploy/redis.conf``). A model run
is cached like any other value: decorate the function with ``data.cache.memoize()`` (or
``data.memoize``) and the byte bound applies; nothing else is needed in a page or a callback.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict
from typing import Any

from flask_caching.backends.base import BaseCache

ENTRY_OVERHEAD = 200  # bytes per entry beyond its pickle: the key, the tuple, the dict slot


class ByteBoundedCache(BaseCache):
    """Least-recently-used, thread-safe, at most ``max_bytes`` of pickled values per process."""

    def __init__(self, max_bytes: int = 128 * 2**20, default_timeout: int = 300, **kwargs):
        super().__init__(default_timeout=default_timeout)
        if max_bytes <= 0:
            raise ValueError("CACHE_MAX_MB must be a positive number of megabytes")
        self.max_bytes = int(max_bytes)
        self.max_entry_bytes = self.max_bytes // 8
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app, config, args, kwargs):
        kwargs.pop("ignore_delete_many_errors", None)
        return cls(*args, max_bytes=int(float(config.get("CACHE_MAX_MB", 128)) * 2**20),
                   **kwargs)

    @property
    def bytes_used(self) -> int:
        """Bytes held now (pickles and per-entry overhead)."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _expiry(self, timeout: int | None) -> float:
        timeout = self._normalize_timeout(timeout)
        return time.time() + timeout if timeout > 0 else float("inf")

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1]) + len(key) + ENTRY_OVERHEAD

    def _live(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.time():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def get(self, key: str) -> Any:
        with self._lock:
            raw = self._live(key)
        return None if raw is None else pickle.loads(raw)  # noqa: S301 - our own pickles

    def has(self, key: str) -> bool:
        with self._lock:
            return self._live(key) is not None

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        raw = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        size = len(raw) + len(key) + ENTRY_OVERHEAD
        with self._lock:
            self._drop(key)
            if size > self.max_entry_bytes:
                return False  # too big to keep: computed again when asked for
            while self._entries and self._bytes + size > self.max_bytes:
                self._drop(next(iter(self._entries)))  # the least recently used
            self._entries[key] = (self._expiry(timeout), raw)
            self._bytes += size
        return True

    def add(self, key: str, value: Any, timeout: int | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
        return self.set(key, value, timeout)

    def delete(self, key: str) -> bool:
        with self._lock:
            found = key in self._entries
            self._drop(key)
        return found

    def clear(self) -> bool:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        return True
