"""Build the app: ``create_app(settings)`` returns the Flask app one process serves.

Both modes serve the site (``dashboard.site``: Flask and Jinja2, every page that is only read),
the CSV downloads and the JSON API. Internal mode adds the staff dashboard, a Dash app mounted
under ``/staff/`` (``dashboard.staff.create_dash``). Public mode registers no Dash route at all.
Nothing here reads the environment: ``Settings.from_env()`` does, once, in ``dashboard.app``.
"""

from __future__ import annotations

from pathlib import Path

import flask

from dashboard import api, auth, callback_gate, data, downloads, plotly_bundle, security, site
from dashboard.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
STAFF_PREFIX = "/staff/"


def create_app(settings: Settings) -> flask.Flask:
    server = flask.Flask("dashboard", root_path=str(Path(__file__).parent),
                         static_folder=str(ROOT / "assets"), static_url_path="/assets",
                         template_folder="templates")
    data.init_cache(server, settings)
    downloads.register(server, None if settings.internal else site.DATASET_MODULES)
    plotly_bundle.register_site(server)
    security.sessions(server, settings)  # the signed session cookie: sign-in
    auth.register(server, settings)
    security.harden(server, settings)
    site.register(server)
    api.register(server)
    if settings.internal:
        from dashboard.site import data_quality
        from dashboard.staff import create_dash

        # staff data: spend not yet allocated to a service is not public data
        api.register_staff(server)
        server.register_blueprint(data_quality.blueprint)

        # its callbacks, for tests and tools
        staff = server.extensions["staff_dash"] = create_dash(server, settings)
        callback_gate.register(server, staff)  # after sign-in: a forged body is a 400
    security.register(server, settings, STAFF_PREFIX)
    return server
