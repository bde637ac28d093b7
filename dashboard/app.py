"""The app gunicorn serves: ``gunicorn dashboard.app:server``."""

from __future__ import annotations

from dashboard.factory import create_app
from dashboard.settings import Settings

server = create_app(Settings.from_env())
