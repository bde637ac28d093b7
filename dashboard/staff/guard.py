"""What the staff dashboard accepts: Dash POSTs from this site only, in the shape of one of
its callbacks; and callbacks that answer bad values with no update.

Cross-site request forgery: Dash's POSTs are accepted only from this site.

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
cookie is also ``SameSite=Lax``. See ``docs/adr/0012-staff-dashboard-live-callbacks.md``.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

import dash
import flask
from dash.exceptions import PreventUpdate
from flask import abort, request

log = logging.getLogger("dashboard")
ROUTER = "_pages_location"  # Dash Pages' own location: its values reach the page layouts
PREFIX = "/staff/"  # where the staff dashboard is mounted


def same_origin() -> bool:
    """Did this request come from a page of this site (or from no browser page at all)?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _outputs_ok(output: str, outputs) -> bool:
    """The body's ``outputs`` in the shape its ``output`` names: one entry, or a list of as
    many entries as the ``..a.b...c.d..`` form lists (Dash fails with a 500 otherwise)."""
    if not (output.startswith("..") and output.endswith("..")):
        return isinstance(outputs, dict)
    count = len(output[2:-2].split("..."))
    return (isinstance(outputs, list) and len(outputs) == count
            and all(isinstance(o, dict | list) for o in outputs))


def _entry_ok(got, want: dict) -> bool:
    """One input or state entry of a callback body against the callback's declaration."""
    if str(want["id"]).startswith("{"):  # pattern-matching (ALL): a list of entries
        items = got if isinstance(got, list) else [got]
        return all(isinstance(x, dict) and isinstance(x.get("id"), dict)
                   and x.get("property") == want["property"] for x in items)
    if not isinstance(got, dict) or got.get("id") != want["id"] \
            or got.get("property") != want["property"]:
        return False
    # the router's values reach the pages' layouts as the page's query: text only, and a
    # path under the staff dashboard's own prefix (Dash fails on any other)
    if want["id"] != ROUTER:
        return True
    value = got.get("value")
    if want["property"] == "pathname":
        return isinstance(value, str) and value.startswith(PREFIX)
    return isinstance(value, str | None)


def well_formed(body, callback_map: dict) -> bool:
    """Is ``body`` a call of one of ``callback_map``'s server callbacks, entry for entry?"""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    spec = callback_map.get(body["output"])
    # a clientside callback (the page title) runs in the browser: nothing to call here
    if spec is None or "callback" not in spec or not _outputs_ok(body["output"],
                                                                 body.get("outputs")):
        return False
    if not isinstance(body.get("changedPropIds", []), list):
        return False
    for key in ("inputs", "state"):
        got, want = body.get(key, []), spec.get(key, [])
        if not isinstance(got, list) or len(got) != len(want):
            return False
        if not all(_entry_ok(g, w) for g, w in zip(got, want, strict=True)):
            return False
    return True


def register(server: flask.Flask, app: dash.Dash, prefix: str) -> None:
    update_path = f"{prefix}_dash-update-component"

    @server.before_request
    def staff_post_from_this_site():
        if request.method != "POST" or not request.path.startswith(prefix):
            return None
        if not same_origin():
            abort(403)
        if request.mimetype != "application/json":
            abort(415)
        if request.path == update_path and not well_formed(
                request.get_json(silent=True), app.callback_map):
            abort(400)
        return None


def untrusted(fn):
    """A callback whose inputs anyone can forge: a value it cannot use (a wrong type, an
    off-list id) is no update, never a 500. Logged, so a real bug still shows."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
            log.warning("callback %s refused its input: %r", fn.__name__, err)
            raise PreventUpdate from None

    return call
