"""Who is asking: the user and role come from the server side, never from the page.

``AUTH_MODE`` chooses how a user is known in internal mode:

- ``none`` — a local demo: everyone is the demo cabinet member. Only for a machine's own
  loopback address; ``make run`` binds 127.0.0.1.
- ``header`` — a trusted reverse proxy (which did the sign-in, e.g. with the council's
  identity provider) sets ``X-Remote-User``; roles come from the server's users file, never
  from a header the browser could send. The proxy must strip these headers from clients.
- ``basic`` — HTTP basic auth against the users file (passwords stored as werkzeug hashes),
  for a small install.
- ``oidc`` — sign-in through the council's identity provider by OpenID Connect (Authlib):
  ``OIDC_ISSUER`` (its discovery document is read from
  ``{OIDC_ISSUER}/.well-known/openid-configuration``), ``OIDC_CLIENT_ID``,
  ``OIDC_CLIENT_SECRET``, and ``SECRET_KEY`` for the signed session cookie. The signed-in
  name (the ``email`` or ``preferred_username`` claim) is looked up in the users file for its
  role; someone the file does not name is a viewer.

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
from flask import Response, abort, current_app, redirect, request, session, url_for
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


def _settings():
    return current_app.config["SETTINGS"]


def auth_mode(settings=None) -> str:
    """The sign-in mode of ``settings`` (default: the app handling this request)."""
    mode = (settings or _settings()).auth_mode
    if mode not in ("none", "header", "basic", "oidc"):
        raise ValueError(f"AUTH_MODE must be none, header, basic or oidc, not {mode!r}")
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
    path = _settings().auth_users_file
    if not path:
        return None
    entry = _users(path).get(name)
    if entry is None:
        return None
    return User(name, entry["role"], frozenset(entry.get("departments") or ()))


def current_user() -> User:
    """The signed-in user of this request, decided on the server."""
    if not _settings().internal:
        return ANONYMOUS
    mode = auth_mode()
    if mode == "none":
        return DEMO_USER
    if mode == "header":
        name = request.headers.get("X-Remote-User", "")
        return (_from_file(name) if name else None) or ANONYMOUS
    if mode == "oidc":
        name = session.get("user")
        if not name:
            return ANONYMOUS
        return _from_file(name) or User(name, "viewer")
    auth = request.authorization
    if auth and auth.type == "basic" and auth.username:
        path = _settings().auth_users_file
        entry = _users(path).get(auth.username) if path else None
        if entry and check_password_hash(entry.get("password_hash", ""), auth.password or ""):
            return _from_file(auth.username) or ANONYMOUS
    return ANONYMOUS


OPEN_PATHS = ("/login", "/auth/callback", "/logout", "/assets/")


def register(server, settings) -> None:
    """Ask for sign-in on every internal request without a valid user (basic and OIDC)."""
    mode = auth_mode(settings)
    if settings.internal and mode == "oidc":
        _register_oidc(server, settings)

    @server.before_request
    def require_login():
        if not settings.internal or mode == "none":
            return None
        if request.path.startswith(OPEN_PATHS):
            return None
        if current_user() is not ANONYMOUS:
            return None
        if mode == "header":
            return Response("Sign in through the council's portal.", 401)
        if mode == "basic":
            return Response("Sign in to use the internal dashboard.", 401,
                            {"WWW-Authenticate": 'Basic realm="Outcomes Budget Dashboard"'})
        if request.path.startswith(("/_dash", "/staff/_dash", "/api/", "/download/")):
            abort(401)
        return redirect(url_for("oidc_login"))


def _register_oidc(server, settings) -> None:
    from authlib.integrations.flask_client import OAuth

    secret = settings.secret_key
    if not secret:
        raise ValueError("AUTH_MODE=oidc needs SECRET_KEY for the signed session cookie")
    server.secret_key = secret  # cookie settings: security.sessions
    issuer = os.environ["OIDC_ISSUER"].rstrip("/")
    oauth = OAuth(server)
    metadata = {"server_metadata_url": f"{issuer}/.well-known/openid-configuration"}
    if os.environ.get("OIDC_AUTHORIZE_URL"):  # a provider without discovery, or a test
        metadata = {"authorize_url": os.environ["OIDC_AUTHORIZE_URL"],
                    "access_token_url": os.environ.get("OIDC_TOKEN_URL", ""),
                    "jwks_uri": os.environ.get("OIDC_JWKS_URL", "")}
    oauth.register("council", client_id=os.environ["OIDC_CLIENT_ID"],
                   client_secret=os.environ.get("OIDC_CLIENT_SECRET", ""),
                   client_kwargs={"scope": "openid email profile"}, **metadata)

    @server.route("/login", endpoint="oidc_login")
    def login():
        return oauth.council.authorize_redirect(url_for("oidc_callback", _external=True))

    @server.route("/auth/callback", endpoint="oidc_callback")
    def callback():
        try:
            token = oauth.council.authorize_access_token()
        except Exception:  # noqa: BLE001 - any failed sign-in is a 400, never a traceback
            abort(400)
        claims = token.get("userinfo") or {}
        name = claims.get("email") or claims.get("preferred_username")
        if not name:
            abort(400)
        session.clear()
        session["user"] = str(name)
        return redirect("/")

    @server.route("/logout")
    def logout():
        session.clear()
        return redirect("/")
