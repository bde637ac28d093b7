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
