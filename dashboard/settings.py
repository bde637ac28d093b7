"""Dashboard settings, each from one environment variable, with a default and a help line."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS = [
    Setting("DASHBOARD_MODE", "internal", "public (published data only) or internal"),
    Setting("WAREHOUSE_PATH", "var/warehouse.duckdb", "the DuckDB warehouse file to read"),
    Setting("DRAFTS_PATH", "var/drafts.sqlite3",
            "the separate writable store of draft scenarios (internal mode only)"),
    Setting("AUTH_MODE", "none", "none (local demo), header, basic or oidc: see dashboard/auth.py"),
    Setting("AUTH_USERS_FILE", "", "YAML users file: name, role, departments, password hash"),
    Setting("RATE_LIMIT", "600 per minute", "requests per client address"),
    Setting("CACHE_REDIS_URL", "", "redis://host:port/db to share the cache between instances"),
    Setting("CACHE_TIMEOUT_S", "3600", "seconds a cached query or figure is kept"),
    Setting("PAGE_CACHE", "on",
            "on or off: keep rendered pages that are the same for every reader (static_pages)"),
    Setting("SECRET_KEY", "",
            "signs the session cookie (form tokens, sign-in); needed by header, basic and oidc "
            "sign-in; for AUTH_MODE=none gunicorn.conf.py makes one per start"),
    Setting("HOST", "127.0.0.1", "address gunicorn binds to"),
    Setting("PORT", "8050", "port gunicorn binds to"),
]
BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    return BY_NAME[name].get()


def mode() -> str:
    value = get("DASHBOARD_MODE").strip().lower()
    if value not in ("public", "internal"):
        raise ValueError(f"DASHBOARD_MODE must be 'public' or 'internal', not {value!r}")
    return value
