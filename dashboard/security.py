"""HTTP hooks in one place: security headers, a content security policy, cache headers."""

from __future__ import annotations

from flask import request

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
            response.headers["Cache-Control"] = LONG_CACHE
        return response


MAX_REQUEST_BYTES = 64 * 1024  # a callback body is a few kB; anything far larger is refused


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

    @server.errorhandler(Exception)
    def on_error(err):
        rid = getattr(g, "request_id", "")
        if isinstance(err, HTTPException):
            return jsonify({"error": err.name, "request_id": rid}), err.code
        log.exception("request %s failed: %s %s", rid, request.method, request.path)
        return jsonify({"error": "Something went wrong on our side.", "request_id": rid}), 500
