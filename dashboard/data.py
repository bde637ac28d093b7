"""Cached access to the named queries: keys carry the warehouse version, so a swap invalidates."""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import pandas as pd
from flask import current_app, has_app_context
from flask_caching import Cache

from queries import runner

cache = Cache()


def init_cache(server, settings) -> None:
    """The query and figure cache of the app built with ``settings`` (``server.config
    ["SETTINGS"]`` also tells ``warehouse()`` which file this app reads)."""
    server.config["SETTINGS"] = settings
    server.extensions["warehouse"] = runner.warehouse(Path(settings.warehouse_path))
    url = settings.cache_redis_url
    config = {"CACHE_DEFAULT_TIMEOUT": settings.cache_timeout_s}
    if url:
        # the mode is in the prefix: a public and an internal instance sharing one Redis must
        # never share entries (their warehouse files can carry the same build id)
        config.update({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
                       "CACHE_KEY_PREFIX": f"obd:{settings.mode}:"})
    else:
        # bounded in bytes, not entries: a model run weighs a hundred figures
        config.update({"CACHE_TYPE": "dashboard.bytecache.ByteBoundedCache",
                       "CACHE_MAX_MB": settings.cache_max_mb})
    cache.init_app(server, config=config)
    cache.app = server  # so queries outside a request (layout validation, tests) use it too


def _code_version() -> str:
    """A hash of the code and SQL that shape cached answers: a deployment invalidates them
    even when the warehouse file is the same."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for folder, pattern in (("dashboard", "**/*.py"), ("queries", "**/*.sql"),
                            ("queries", "**/*.py"), ("assets", "**/*")):
        for path in sorted((root / folder).glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def warehouse() -> runner.Warehouse:
    """The warehouse of the app handling this request (its settings), else $WAREHOUSE_PATH."""
    if has_app_context():
        return current_app.extensions["warehouse"]
    return runner.warehouse()


def version() -> str:
    """What every cached answer depends on: the warehouse file and the code."""
    return f"{warehouse().version()}:{CODE_VERSION}"


class Kept:
    """A bounded LRU kept in this worker's memory: what it holds is used as it is, without
    unpickling it from the shared cache on every request. Thread-safe."""

    def __init__(self, size: int):
        self.size, self._items, self._lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


KEPT_FRAME_BYTES = 256 << 10  # a frame kept in the worker: at most 256 kB (most are a few kB)
_kept = Kept(512)  # frames and figures, keyed by the warehouse file, its version and the call


def _keep(key, make):
    """``make()`` kept in this worker by ``key`` (the file's path is in it: a public and an
    internal app in one process never share an entry)."""
    key = (str(warehouse().path), *key)
    found = _kept.get(key)
    if found is None:
        found = make()
        small = (not isinstance(found, pd.DataFrame)
                 or found.memory_usage(index=True).sum() <= KEPT_FRAME_BYTES)
        if small:
            _kept.put(key, found)
    return found


@cache.memoize()
def _query(_version: str, name: str, items: tuple) -> pd.DataFrame:
    return warehouse().run(name, **dict(items))


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query through the cache; callers must not mutate the frame."""
    key = (version(), name, tuple(sorted(params.items())))
    return _keep(key, lambda: _query(*key))


def one_of(value, allowed_values, what: str) -> str:
    """``value`` if it is text on the allow-list, else ValueError naming ``what``: the one check
    every callback and link parameter goes through (anyone can post any value)."""
    if not isinstance(value, str) or value not in allowed_values:
        raise ValueError(f"{what}: {str(value)[:40]!r} is not allowed")
    return value


def allowed(name: str, column: str) -> frozenset:
    """The allow-list for an input: the values of ``column`` in an allow-list query."""
    return frozenset(query(name)[column].astype(str))


def memoize(fn):
    """Cache ``fn``'s result (a figure, a page section) by its arguments and the warehouse version.

    Arguments must be plain values (str, int, tuples of them): they form the cache key. The
    result is pickled into the cache (Redis when shared), so callers must not mutate it.
    """

    def body(_version, *args, **kwargs):
        return fn(*args, **kwargs)

    body.__module__, body.__qualname__ = fn.__module__, fn.__qualname__  # the key's namespace
    cached = cache.memoize()(body)

    @functools.wraps(fn)
    def call(*args, **kwargs):
        v = version()
        return _keep((v, body.__module__, body.__qualname__, args, tuple(sorted(kwargs.items()))),
                     lambda: cached(v, *args, **kwargs))

    return call
