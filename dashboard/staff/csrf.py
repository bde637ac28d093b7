"""Cross-site request forgery: Dash's POSTs are accepted only from this site.

Every state change of the staff dashboard (saving and publishing a draft) is a Dash callback:
a ``fetch`` POST of JSON to ``/staff/_dash-update-component``. Dash 4's renderer sends no
token of its own, so the server checks where the request comes from, as the OWASP
cheat sheet's "verifying origin with standard headers" and "Fetch Metadata" defences say:

- ``Sec-Fetch-Site``, when the browser sends it, must be ``same-origin``;
- ``Origin``, when sent, must name this server's host and port (the ``Host`` header; the
  scheme is left out, as a proxy that ends TLS forwards plain HTTP);
- the body must be JSON (``application/json``): an HTML form cannot send it, and a
  cross-site ``fetch`` with that type needs a CORS preflight this server never grants.

Browsers send ``Origin`` on every POST, so a request with neither header did not come from a
page in a browser (a script with the user's cookie could send anything anyway). The session
cookie is also ``SameSite=Lax``. See ``docs/adr/0012-staff-callbacks-same-origin.md``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import flask
from flask import abort, request


def same_origin() -> bool:
    """Did this request come from a page of this site (or from no browser page at all)?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def register(server: flask.Flask, prefix: str) -> None:
    @server.before_request
    def staff_post_from_this_site():
        if request.method != "POST" or not request.path.startswith(prefix):
            return None
        if not same_origin():
            abort(403)
        if request.mimetype != "application/json":
            abort(415)
        return None
