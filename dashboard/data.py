"""Cached access to the named queries: keys carry the warehouse version, so a swap invalidates."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd
from flask_caching import Cache

from dashboard import settings
from queries import runner

cache = Cache()


def init_cache(server) -> None:
    url = settings.get("CACHE_REDIS_URL")
    config = {"CACHE_DEFAULT_TIMEOUT": int(settings.get("CACHE_TIMEOUT_S"))}
    if url:
        # the mode is in the prefix: a public and an internal instance sharing one Redis must
        # never share entries (their warehouse files can carry the same build id)
        config.update({"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url,
                       "CACHE_KEY_PREFIX": f"obd:{settings.mode()}:"})
    else:
        # bounded in bytes, not entries: a model run weighs a hundred figures
        config.update({"CACHE_TYPE": "dashboard.bytecache.ByteBoundedCache",
                       "CACHE_MAX_MB": float(settings.get("CACHE_MAX_MB"))})
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


def version() -> str:
    """What every cached answer depends on: the warehouse file and the code."""
    return f"{runner.warehouse().version()}:{CODE_VERSION}"


@cache.memoize()
def _query(_version: str, name: str, items: tuple) -> pd.DataFrame:
    return runner.run(name, **dict(items))


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query through the cache; callers must not mutate the frame."""
    return _query(version(), name, tuple(sorted(params.items())))


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
        return cached(version(), *args, **kwargs)

    return call
