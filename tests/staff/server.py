"""The staff dashboard on a Flask app of its own, as engineer A's factory will build it:
``gunicorn 'tests.staff.server:build()'`` (the browser tests) or ``build()`` in a test.

The Flask app gets the shared hooks (cache, session cookie, sign-in, limits, downloads),
then ``create_dash`` builds the staff dashboard on it.
"""

from __future__ import annotations

import flask

from dashboard import auth, data, downloads, security
from dashboard.settings import Settings
from dashboard.staff import create_dash


def build(settings: Settings | None = None) -> flask.Flask:
    settings = settings or Settings.from_env()
    server = flask.Flask("staff-test")
    data.init_cache(server, settings)
    downloads.register(server, None)
    security.sessions(server, settings)
    auth.register(server, settings)
    security.harden(server, settings)
    app = create_dash(server, settings)
    security.register(server, app, "/staff/")
    return server

