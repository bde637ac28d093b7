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


STAFF_CACHE = "private, no-store"
# what a staff response depends on beyond its URL, by sign-in mode: a cache must never hand
# one user's response to another
STAFF_VARY = {"none": ("Cookie",), "header": ("Cookie", "X-Remote-User"),
              "basic": ("Cookie", "Authorization"), "oidc": ("Cookie",)}


def staff_cache_headers(response, auth_mode: str):
    """Every internal (staff) response but the versioned static files: ``Cache-Control:
    private, no-store`` and ``Vary`` on what names the user, whatever the route set (a page
    "the same for every reader" is still only for signed-in staff)."""
    response.headers["Cache-Control"] = STAFF_CACHE
    response.headers.pop("Expires", None)
    response.vary.update(STAFF_VARY.get(auth_mode, ("Cookie", "Authorization")))
    return response


def register(server, settings, dash_prefix: str = "/staff/") -> None:
    """Security and cache headers on every response. The site needs no inline script (the
    staff dashboard adds the hashes of Dash's own on its pages: ``dashboard.staff``); static
    files, the site's and Dash's under ``dash_prefix``, are compressed and cached. In internal
    mode every other response, the Flask site's and Dash's under ``dash_prefix`` alike, is
    ``private, no-store`` with ``Vary`` on what names the user."""
    from dashboard.auth import auth_mode

    internal = settings.internal
    sign_in = auth_mode(settings)
    static = (f"{dash_prefix}_dash-component-suites/", "/assets/", f"{dash_prefix}assets/")

    @server.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        path = request.path
        if internal and not (path.startswith(static) and response.status_code == 200):
            response = staff_cache_headers(response, sign_in)
        if path.startswith(static):
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

    This matters on mobile data. BREACH needs a secret in the page beside text the attacker
    chooses: the pages carry no CSRF token (the staff dashboard checks where a POST comes
    from instead), and staff pages are for signed-in staff only.
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


def sessions(server, settings) -> None:
    """The signed session cookie: the OIDC sign-in. ``SECRET_KEY`` signs it. Staff sign-in modes
    (header, basic, oidc) must set it, the same on every instance. For the loopback demo
    (AUTH_MODE=none) gunicorn.conf.py makes one per start, so its workers agree. Secure cookies
    except for the loopback demo.
    """
    import logging
    import os
    import secrets

    from dashboard.auth import auth_mode as get_auth_mode

    auth_mode = get_auth_mode(settings)
    secret = settings.secret_key
    if not secret and settings.internal and auth_mode != "none":
        # staff sign in: every worker and instance must sign the session with the same key
        raise ValueError(f"AUTH_MODE={auth_mode} needs SECRET_KEY (the same on every instance): "
                         "it signs the session cookie")
    if not secret:  # the loopback demo or the public site (no forms): this process only
        logging.getLogger("dashboard").info("SECRET_KEY unset: a key for this process")
    server.secret_key = secret or secrets.token_hex(32)
    secure = os.environ.get("SESSION_COOKIE_SECURE", "0" if auth_mode == "none" else "1")
    server.config.update(SESSION_COOKIE_SECURE=secure == "1", SESSION_COOKIE_HTTPONLY=True,
                         SESSION_COOKIE_SAMESITE="Lax")


def trust_proxies(server, count: int) -> None:
    """Read the client's address (and scheme and host) from the ``X-Forwarded-*`` headers the
    last ``count`` proxies set (Werkzeug's ProxyFix), so rate limits apply per real client.
    0 (the default) trusts no header: the address is the peer's, as with ``make run``."""
    if count < 0:
        raise ValueError("TRUSTED_PROXIES must be 0 or more")
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count, x_host=count)


def limits_storage(settings) -> str:
    """Where rate limits and fair shares are counted: ``RATE_LIMIT_STORAGE_URL``, else
    ``CACHE_REDIS_URL``, else this worker's memory."""
    return settings.rate_limit_storage_url or settings.cache_redis_url or "memory://"


def harden(server, settings) -> None:
    """Request size limit, rate limits, request ids, and errors without tracebacks.

    Rate limits count per client address (through ``TRUSTED_PROXIES``) in
    ``RATE_LIMIT_STORAGE_URL`` (default ``CACHE_REDIS_URL``): with Redis every worker and
    instance shares one count; without it each worker counts alone (the loopback demo). If
    Redis cannot be reached, each worker counts in memory until it can (Flask-Limiter's
    fallback), rather than refusing or failing requests."""
    import logging
    import uuid

    from dash.exceptions import DependencyException
    from flask import g, jsonify
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address
    from werkzeug.exceptions import HTTPException

    log = logging.getLogger("dashboard")
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["PROPAGATE_EXCEPTIONS"] = False
    server.debug = False
    trust_proxies(server, settings.trusted_proxies)
    storage = limits_storage(settings)
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage,
                      default_limits=[settings.rate_limit],
                      headers_enabled=True, in_memory_fallback_enabled=storage != "memory://",
                      key_prefix=f"obd-limits:{settings.mode}")
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
