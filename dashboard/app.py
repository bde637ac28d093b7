"""The Dash app. ``server`` is what gunicorn serves: ``gunicorn dashboard.app:server``."""

from __future__ import annotations

from dashboard.factory import create_app

app = create_app()
server = app.server
