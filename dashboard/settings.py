"""Dashboard settings: declared once, each with its environment variable, default and help line.

``Settings.from_env()`` builds the one settings object a process uses; ``create_app`` takes it,
so a test can build an app in either mode without touching the environment. ``SETTINGS`` is
the declaration the README's settings table and ``tests/test_settings_documented.py`` follow.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS = [
    Setting("DASHBOARD_MODE", "internal", "public (published data only) or internal"),
    Setting("WAREHOUSE_PATH", "var/warehouse.duckdb", "the DuckDB warehouse file to read"),
    Setting("DRAFTS_PATH", "var/drafts.sqlite3",
            "the separate writable store of draft scenarios (internal mode only)"),
    Setting("AUTH_MODE", "none", "none (local demo), header, basic or oidc: see dashboard/auth.py"),
    Setting("AUTH_USERS_FILE", "", "YAML users file: name, role, departments, password hash"),
    Setting("RATE_LIMIT", "600 per minute", "requests per client address"),
    Setting("RATE_LIMIT_STORAGE_URL", "",
            "where rate limits are counted (redis://...); default CACHE_REDIS_URL, else each "
            "worker alone"),
    Setting("TRUSTED_PROXIES", "0",
            "how many proxies in front set X-Forwarded-For/-Proto/-Host (1 behind make serve's "
            "nginx); 0 trusts no header"),
    Setting("CACHE_REDIS_URL", "", "redis://host:port/db to share the cache between instances"),
    Setting("CACHE_TIMEOUT_S", "3600", "seconds a cached query or figure is kept"),
    Setting("CACHE_MAX_MB", "128",
            "megabytes each worker's own cache may hold when CACHE_REDIS_URL is unset (least "
            "recently used entries go first; with Redis, its maxmemory bounds the cache)"),
    Setting("PAGE_CACHE", "on",
            "on or off: keep rendered pages that are the same for every reader"),
    Setting("SIM_PER_USER", "1",
            "scenario simulations one user may run at once, across every worker (with Redis)"),
    Setting("SIM_RATE", "60 per minute", "new scenario simulations one user may start"),
    Setting("SIM_WAIT_S", "0",
            "seconds a user's next simulation waits for their running one before a 429"),
    Setting("SECRET_KEY", "",
            "signs the session cookie (sign-in); needed by header, basic and oidc "
            "sign-in; for AUTH_MODE=none gunicorn.conf.py makes one per start"),
    Setting("HOST", "127.0.0.1", "address gunicorn binds to"),
    Setting("PORT", "8050", "port gunicorn binds to"),
]
BY_NAME = {s.name: s for s in SETTINGS}
MODES = ("public", "internal")


def _mode(value: str) -> str:
    value = value.strip().lower()
    if value not in MODES:
        raise ValueError(f"DASHBOARD_MODE must be 'public' or 'internal', not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """The settings one app is built with (see ``SETTINGS`` for each one's meaning)."""

    mode: str = "internal"
    warehouse_path: str = "var/warehouse.duckdb"
    drafts_path: str = "var/drafts.sqlite3"
    auth_mode: str = "none"
    auth_users_file: str = ""
    rate_limit: str = "600 per minute"
    rate_limit_storage_url: str = ""
    trusted_proxies: int = 0
    cache_redis_url: str = ""
    cache_timeout_s: int = 3600
    cache_max_mb: float = 128.0
    page_cache: bool = True
    secret_key: str = ""
    sim_per_user: int = 1
    sim_rate: str = "60 per minute"
    sim_wait_s: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", _mode(self.mode))
        object.__setattr__(self, "auth_mode", self.auth_mode.strip().lower() or "none")

    @property
    def internal(self) -> bool:
        return self.mode == "internal"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Read every declared setting from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ

        def read(name: str) -> str:
            return env.get(name, BY_NAME[name].default)

        values = {
            "mode": read("DASHBOARD_MODE"),
            "warehouse_path": read("WAREHOUSE_PATH"),
            "drafts_path": read("DRAFTS_PATH") or BY_NAME["DRAFTS_PATH"].default,
            "auth_mode": read("AUTH_MODE"),
            "auth_users_file": read("AUTH_USERS_FILE"),
            "rate_limit": read("RATE_LIMIT"),
            "rate_limit_storage_url": read("RATE_LIMIT_STORAGE_URL"),
            "trusted_proxies": int(read("TRUSTED_PROXIES")),
            "cache_redis_url": read("CACHE_REDIS_URL"),
            "cache_timeout_s": int(read("CACHE_TIMEOUT_S")),
            "cache_max_mb": float(read("CACHE_MAX_MB")),
            "page_cache": read("PAGE_CACHE").strip().lower() != "off",
            "secret_key": read("SECRET_KEY"),
            "sim_per_user": int(read("SIM_PER_USER")),
            "sim_rate": read("SIM_RATE"),
            "sim_wait_s": float(read("SIM_WAIT_S")),
        }
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown settings: {sorted(unknown)}")
        return replace(cls(**values), **overrides)
