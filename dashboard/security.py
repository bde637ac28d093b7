"""HTTP hooks in one place: security headers, a content security policy, cache headers."""

from __future__ import annotations

import gzip
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


def register(server, app) -> None:
    state: dict[str, str] = {}

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
        if path.startswith("/_dash-component-suites/") or path.startswith("/assets/"):
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


def harden(server) -> None:
    """Request size limit, rate limits, request ids, and errors without tracebacks."""
    import logging
    import os
    import uuid

    from flask import g, jsonify
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from werkzeug.exceptions import HTTPException

    log = logging.getLogger("dashboard")
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["PROPAGATE_EXCEPTIONS"] = False
    server.debug = False
    storage = os.environ.get("CACHE_REDIS_URL") or "memory://"
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage,
                      default_limits=[os.environ.get("RATE_LIMIT", "600 per minute")],
                      headers_enabled=True)
    server.extensions["limiter"] = limiter

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
            return jsonify({"error": err.name, "request_id": rid}), err.code
        log.exception("request %s failed: %s %s", rid, request.method, request.path)
        return jsonify({"error": "Something went wrong on our side.", "request_id": rid}), 500
