"""HTTP hooks in one place: security headers, a content security policy, cache headers."""

from __future__ import annotations

import gzip
import hashlib
import threading

from dash.fingerprint import check_fingerprint
from flask import request

from drafts.store import DraftStoreUnavailable

try:  # brotli is optional: without it static files are served gzipped
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

LONG_CACHE = "public, max-age=31536000, immutable"
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # plotly.js sets inline styles on its SVG
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
])


def policy(script_hashes: list[str]) -> str:
    """The CSP with the hashes of Dash's own inline scripts, so no 'unsafe-inline' is needed."""
    hashes = " ".join(f"'{h.strip(chr(39))}'" for h in script_hashes)
    return CSP.replace("script-src 'self'", f"script-src 'self' {hashes}")


STAFF_CACHE = "private, no-store"
# what a staff response depends on beyond its URL, by sign-in mode: a cache must never hand
# one user's response to another
STAFF_VARY = {"none": ("Cookie",), "header": ("Cookie", "X-Remote-User"),
              "basic": ("Cookie", "Authorization"), "oidc": ("Cookie",)}
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")


def staff_cache_headers(response, auth_mode: str):
    """Every internal (staff) response but the versioned static files: ``Cache-Control:
    private, no-store`` and ``Vary`` on what names the user, whatever the route set (a page
    "the same for every reader" is still only for signed-in staff)."""
    response.headers["Cache-Control"] = STAFF_CACHE
    response.headers.pop("Expires", None)
    response.vary.update(STAFF_VARY.get(auth_mode, ("Cookie", "Authorization")))
    return response


def register(server, app) -> None:
    from dashboard import settings
    from dashboard.auth import auth_mode

    state: dict[str, str] = {}
    internal = settings.mode() == "internal"
    sign_in = auth_mode()

    @server.after_request
    def headers(response):
        if "csp" not in state:
            # Dash adds inline scripts (clientside callbacks) while it sets up on the first
            # request, so the hashes are taken then, not at import
            state["csp"] = policy(app.csp_hashes())
        response.headers["Content-Security-Policy"] = state["csp"]
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        path = request.path
        if internal and not (path.startswith(STATIC_PREFIXES) and response.status_code == 200):
            response = staff_cache_headers(response, sign_in)
        if path.startswith(STATIC_PREFIXES):
            # a year, immutable, only where the URL changes with the file: Dash's fingerprinted
            # component files and assets with their ?m= stamp; others revalidate as they are
            versioned = check_fingerprint(path)[1] or "m" in request.args
            if response.status_code == 200 and versioned:
                response.headers["Cache-Control"] = LONG_CACHE
            response = compressed(response)
        elif response.mimetype in DYNAMIC:
            response = compressed_dynamic(response)
        return response


COMPRESSIBLE = ("javascript", "css", "json", "svg", "text/")
_packed: dict[tuple[str, str], bytes] = {}
_packed_lock = threading.Lock()


DYNAMIC = ("text/html", "application/json")


def compressed_dynamic(response):
    """Compress a page or callback response (fast settings: it changes per request).

    This matters on mobile data. BREACH: the planner's pages carry a CSRF token beside text
    from the query string; the token is signed with a timestamp, so it differs on each page
    (Flask-WTF), and those pages are for signed-in staff only.
    """
    encoding = accepted_encoding()
    if (encoding is None or response.status_code != 200 or response.direct_passthrough
            or response.is_streamed or "Content-Encoding" in response.headers):
        return response
    raw = response.get_data()
    if len(raw) < 1400:
        return response
    body = pack(raw, encoding, 1 if encoding == "br" else 5)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.headers["Content-Length"] = str(len(body))
    response.vary.add("Accept-Encoding")
    return response


def accepted_encoding() -> str | None:
    """The compression this request accepts that the server makes: br, else gzip, else none."""
    accepted = request.headers.get("Accept-Encoding", "")
    return "br" if brotli and "br" in accepted else "gzip" if "gzip" in accepted else None


def pack(raw: bytes, encoding: str, quality: int) -> bytes:
    """``raw`` compressed as ``encoding`` ("br" or "gzip") at ``quality`` (0-9)."""
    return brotli.compress(raw, quality=quality) if encoding == "br" else \
        gzip.compress(raw, quality)


def compressed(response):
    """Serve a static file compressed (br, else gzip), each file compressed once per worker.

    The files are immutable between deployments (their URLs carry a version), so the
    compressed bytes are kept in memory keyed by path: the worker compresses plotly.js once,
    not on every request.
    """
    encoding = accepted_encoding()
    if (encoding is None or response.status_code != 200 or "Content-Encoding" in response.headers
            or not any(t in (response.mimetype or "") for t in COMPRESSIBLE)):
        return response
    # by the file, not the URL: Dash serves any fingerprint, and made-up ones must not each
    # take a copy (the bytes are the same file's)
    key = (check_fingerprint(request.path)[0], encoding)
    with _packed_lock:
        body = _packed.get(key)
    if body is None:
        response.direct_passthrough = False
        raw = response.get_data()
        body = pack(raw, encoding, 9)
        with _packed_lock:
            _packed[key] = body
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.headers["Content-Length"] = str(len(body))
    response.vary.add("Accept-Encoding")
    return response


MAX_REQUEST_BYTES = 64 * 1024  # a callback body is a few kB; anything far larger is refused


def sessions(server) -> None:
    """The signed session cookie: the CSRF tokens of the server-rendered forms (Flask-WTF),
    their flashed messages, and the OIDC sign-in. ``SECRET_KEY`` signs it. Staff sign-in modes
    (header, basic, oidc) must set it, the same on every instance. For the loopback demo
    (AUTH_MODE=none) gunicorn.conf.py makes one per start, so its workers agree. Secure cookies
    except for the loopback demo.
    """
    import logging
    import os
    import secrets

    from dashboard import settings
    from dashboard.auth import auth_mode as get_auth_mode

    auth_mode = get_auth_mode()
    secret = settings.get("SECRET_KEY")
    if not secret and settings.mode() == "internal" and auth_mode != "none":
        # staff sign in: every worker and instance must sign form tokens with the same key
        raise ValueError(f"AUTH_MODE={auth_mode} needs SECRET_KEY (the same on every instance): "
                         "it signs the session cookie that holds the forms' CSRF tokens")
    if not secret:  # the loopback demo or the public site (no forms): this process only
        logging.getLogger("dashboard").info("SECRET_KEY unset: a key for this process")
    server.secret_key = secret or secrets.token_hex(32)
    secure = os.environ.get("SESSION_COOKIE_SECURE", "0" if auth_mode == "none" else "1")
    server.config.update(SESSION_COOKIE_SECURE=secure == "1", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Lax",
                         WTF_CSRF_TIME_LIMIT=8 * 3600)  # a working day with a form open


def user_token_key() -> str:
    """Where the signed-in user's form token lives in the session: a key per user, so a token
    issued to one user is refused for another even on the same browser cookie (a shared
    machine, or a proxy that signs someone else in)."""
    from dashboard.auth import current_user

    return "csrf_" + hashlib.sha256(current_user().name.encode("utf-8")).hexdigest()[:16]


def form_token() -> str:
    """The CSRF token for a form (Flask-WTF's signed, timed token), bound to the signed-in
    user. A page puts it in a hidden ``csrf_token`` field; a Dash callback of the staff pages
    sends it in an ``X-CSRFToken`` header (the page writes it into a ``dcc.Store`` or meta tag
    when it renders) and checks it with :func:`check_form_token` before it changes anything."""
    from flask_wtf.csrf import generate_csrf

    return generate_csrf(token_key=user_token_key())


def check_form_token(value) -> None:
    """Raise ``wtforms.validators.ValidationError`` unless ``value`` is a live token issued by
    :func:`form_token` to the user signed in now."""
    from flask_wtf.csrf import validate_csrf

    validate_csrf(value, token_key=user_token_key())


def trust_proxies(server, count: int) -> None:
    """Read the client's address (and scheme and host) from the ``X-Forwarded-*`` headers the
    last ``count`` proxies set (Werkzeug's ProxyFix), so rate limits apply per real client.
    0 (the default) trusts no header: the address is the peer's, as with ``make run``."""
    if count < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or more")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)


def harden(server) -> None:
    """Request size limit, rate limits, request ids, and errors without tracebacks.

    Rate limits count per client address (through ``TRUSTED_PROXIES``) in
    ``RATE_LIMIT_STORAGE_URL`` (default ``CACHE_REDIS_URL``): with Redis every worker and
    instance shares one count; without it each worker counts alone (the loopback demo). If
    Redis cannot be reached, each worker counts in memory until it can (Flask-Limiter's
    fallback), rather than refusing or failing requests."""
    import logging
    import os
    import uuid

    from dash.exceptions import DependencyException
    from flask import g, jsonify
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from werkzeug.exceptions import HTTPException

    from dashboard import settings

    log = logging.getLogger("dashboard")
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["PROPAGATE_EXCEPTIONS"] = False
    server.debug = False
    trust_proxies(server, int(settings.get("TRUSTED_PROXIES")))
    storage = (settings.get("RATE_LIMIT_STORAGE_URL") or settings.get("CACHE_REDIS_URL")
               or "memory://")
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage,
                      default_limits=[os.environ.get("RATE_LIMIT", "600 per minute")],
                      headers_enabled=True, in_memory_fallback_enabled=storage != "memory://",
                      key_prefix=f"obd-limits:{settings.mode()}")
    server.extensions["limiter"] = limiter

    @server.errorhandler(DependencyException)
    def bad_component_path(err):
        # /_dash-component-suites/<package>/<path> that Dash does not serve: not found
        return jsonify({"error": "Not Found", "request_id": getattr(g, "request_id", "")}), 404

    @server.before_request
    def request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @server.after_request
    def add_request_id(response):
        response.headers["X-Request-Id"] = getattr(g, "request_id", "")
        return response

    @server.errorhandler(DraftStoreUnavailable)
    def drafts_unavailable(err):
        # a page that did not catch it still says what is wrong, and it is not the reader's
        # fault nor a crash: the store's file is missing or read-only just now
        return jsonify({"error": str(err), "request_id": getattr(g, "request_id", "")}), 503

    @server.errorhandler(Exception)
    def on_error(err):
        rid = getattr(g, "request_id", "")
        if isinstance(err, HTTPException):
            body = {"error": err.name, "request_id": rid}
            if err.code in (429, 503) and err.description:  # what to do: in words
                body["message"] = err.description
            response = jsonify(body)
            retry = getattr(err, "retry_after", None)
            if retry:
                response.headers["Retry-After"] = str(retry)
            return response, err.code
        log.exception("request %s failed: %s %s", rid, request.method, request.path)
        return jsonify({"error": "Something went wrong on our side.", "request_id": rid}), 500
