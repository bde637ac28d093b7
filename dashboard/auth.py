"""Who is asking: the user and role come from the server side, never from the page.

``AUTH_MODE`` chooses how a user is known in internal mode:

- ``none`` — a local demo: everyone is the demo cabinet member. Only for a machine's own
  loopback address; ``make run`` binds 127.0.0.1.
- ``header`` — a trusted reverse proxy (which did the sign-in, e.g. with the council's
  identity provider) sets ``X-Remote-User``; roles come from the server's users file, never
  from a header the browser could send. The proxy must strip these headers from clients.
- ``basic`` — HTTP basic auth against the users file (passwords stored as werkzeug hashes),
  for a small install.

The users file (``AUTH_USERS_FILE``, YAML) maps each user to a role and, for directors, their
departments::

    users:
      - name: a.director
        role: director
        departments: [ASC]
        password_hash: "scrypt:..."   # basic mode only

Public mode has no users: everyone is anonymous and sees published data only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from flask import Response, request
from werkzeug.security import check_password_hash

ROLES = ("anonymous", "viewer", "director", "cabinet", "admin")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    departments: frozenset[str] = field(default_factory=frozenset)

    def can_see_drafts_of(self, dept_code: str) -> bool:
        if self.role in ("cabinet", "admin"):
            return True
        return self.role == "director" and dept_code in self.departments

    @property
    def is_internal(self) -> bool:
        return self.role in ("viewer", "director", "cabinet", "admin")


ANONYMOUS = User("anonymous", "anonymous")
DEMO_USER = User("demo cabinet member", "cabinet")


def auth_mode() -> str:
    mode = os.environ.get("AUTH_MODE", "none").strip().lower()
    if mode not in ("none", "header", "basic"):
        raise ValueError(f"AUTH_MODE must be none, header or basic, not {mode!r}")
    return mode


@cache
def _users(path: str) -> dict[str, dict]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    users = {}
    for entry in data.get("users", []):
        role = entry.get("role")
        if role not in ROLES[1:]:
            raise ValueError(f"{path}: user {entry.get('name')!r} has unknown role {role!r}")
        users[str(entry["name"])] = entry
    return users


def _from_file(name: str) -> User | None:
    path = os.environ.get("AUTH_USERS_FILE")
    if not path:
        return None
    entry = _users(path).get(name)
    if entry is None:
        return None
    return User(name, entry["role"], frozenset(entry.get("departments") or ()))


def current_user() -> User:
    """The signed-in user of this request, decided on the server."""
    from dashboard import settings

    if settings.mode() == "public":
        return ANONYMOUS
    mode = auth_mode()
    if mode == "none":
        return DEMO_USER
    if mode == "header":
        name = request.headers.get("X-Remote-User", "")
        return (_from_file(name) if name else None) or ANONYMOUS
    auth = request.authorization
    if auth and auth.type == "basic" and auth.username:
        path = os.environ.get("AUTH_USERS_FILE")
        entry = _users(path).get(auth.username) if path else None
        if entry and check_password_hash(entry.get("password_hash", ""), auth.password or ""):
            return _from_file(auth.username) or ANONYMOUS
    return ANONYMOUS


def register(server) -> None:
    """In basic mode, ask for credentials on every request that has none that are valid."""

    @server.before_request
    def require_login():
        from dashboard import settings

        if settings.mode() == "public" or auth_mode() != "basic":
            return None
        if current_user() is ANONYMOUS:
            return Response("Sign in to use the internal dashboard.", 401,
                            {"WWW-Authenticate": 'Basic realm="Outcomes Budget Dashboard"'})
        return None
