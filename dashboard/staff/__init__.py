"""The staff dashboard: a Dash app with pages and callbacks, mounted under ``/staff/``.

``create_dash(server, settings)`` is the one entry point: it builds the Dash app on an existing
Flask server (internal mode only) with its pages in ``dashboard/staff/pages`` (each page
module holds its ``layout`` and its callbacks, ``dash.register_page``):

- ``/staff/scenarios`` — the scenario planner, live: its controls drive callbacks that redraw
  the results without a reload, and keep the URL in step (``dcc.Location``, no refresh);
- ``/staff/director`` — the director view;
- ``/staff/area`` — the area explorer.

The app's routes and requests prefix is ``/staff/``, so Dash's catch-all never meets the Flask
site. ``/scenarios`` and ``/director`` redirect to their staff pages with the query string
kept. A ``/staff/...`` path that is no page of ``dash.page_registry`` answers 404. Dash's own
POSTs (callbacks) are refused unless they come from this site (``guard.same_origin``; see
``docs/adr/0012-staff-dashboard-live-callbacks.md``). The security headers, and the CSP with
the hashes of Dash's inline scripts under ``/staff/`` (``content_policy``): the site's pages
have none.

Dash Pages keeps its page registry and its list of ``dash.callback`` callbacks per process,
so a process serves one Dash app: the staff dashboard (the public site is Flask).
"""

from __future__ import annotations

from pathlib import Path

import dash
import flask
from flask import abort, redirect, request

from dashboard import downloads, plotly_bundle, security
from dashboard.settings import Settings
from dashboard.staff import datasets, guard
from dashboard.staff.shell import shell

PREFIX = guard.PREFIX
ROOT = Path(__file__).resolve().parents[2]
REDIRECTS = {"/scenarios": "scenarios", "/director": "director"}

INDEX = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_dash(server: flask.Flask, settings: Settings) -> dash.Dash:
    """Build the staff dashboard on ``server``; internal mode only (ValueError otherwise)."""
    if not settings.internal:
        raise ValueError("the staff dashboard exists in internal mode only")
    app = dash.Dash(
        __name__,
        server=server,
        routes_pathname_prefix=PREFIX,
        requests_pathname_prefix=PREFIX,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        assets_folder=str(ROOT / "assets"),
        assets_path_ignore=["^static$"],  # assets/static/: the server-rendered site's
        serve_locally=True,
        title="Staff dashboard — Outcomes Budget Dashboard",
        update_title=None,
        index_string=INDEX,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # each page's controls exist only on that page; the callbacks are tested against
        # the real pages (tests/staff)
        suppress_callback_exceptions=True,
    )
    app.layout = shell
    plotly_bundle.register(app)  # plotly.js with only the traces drawn, at Dash's URL
    _register_datasets()
    _register_routes(server, app)
    guard.register(server, app, PREFIX)
    return app


def _register_datasets() -> None:
    """The staff pages' CSV downloads (``/download/<name>.csv``); each validator asks for a
    signed-in staff user, so the files answer 400 to anyone else."""
    for name, params, validate, table in datasets.DATASETS:
        downloads.dataset(name, params, validate)(table)


def known_path(app: dash.Dash, path: str) -> bool:
    """Is ``path`` (under ``/staff/``) a page of ``dash.page_registry``?"""
    wanted = app.strip_relative_path(path) or ""
    for page in dash.page_registry.values():
        if page.get("path_template"):
            template = page["path_template"].strip("/").split("/")
            parts = wanted.split("/")
            if len(parts) == len(template) and all(
                    t.startswith("<") or t == p for t, p in zip(template, parts, strict=True)):
                return True
        if wanted == page["path"].strip("/"):
            return True
    return False


def _register_routes(server: flask.Flask, app: dash.Dash) -> None:
    def moved(page: str):
        query = request.query_string.decode("latin-1")
        return redirect(PREFIX + page + (f"?{query}" if query else ""), 308)

    for old, page in REDIRECTS.items():
        server.add_url_rule(old, endpoint=f"staff_redirect_{page}",
                            view_func=lambda page=page: moved(page))

    @server.before_request
    def staff_not_found():
        """Dash's catch-all answers every /staff/ path with its page shell; a path that is
        no page (nor Dash's own route or a static file) is a 404 instead."""
        path = request.path
        if not path.startswith(PREFIX) or request.method not in ("GET", "HEAD"):
            return None
        # Dash's own routes (layout, dependencies, component suites, assets ...) are rules of
        # their own; only its catch-all pages route answers any path at all
        rule = request.url_rule.rule if request.url_rule else ""
        if rule not in (PREFIX, f"{PREFIX}<path:path>") or known_path(app, path):
            return None
        abort(404)

    state: dict[str, str] = {}

    @server.after_request
    def content_policy(response):
        """Dash's own inline scripts, by hash, on the staff pages only (taken on the first
        request: Dash adds them while it sets up). Registered before ``security.register``'s
        hook, so it runs after it (Flask runs after-request hooks in reverse)."""
        if request.path.startswith(PREFIX):
            if "csp" not in state:
                state["csp"] = security.policy(app.csp_hashes())
            response.headers["Content-Security-Policy"] = state["csp"]
        return response
