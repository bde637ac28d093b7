"""Until the staff package (``dashboard.staff``) lands: the old Dash pages (planner, director)
mounted under /staff/ on the site's server. Removed when ``dashboard.staff.create_dash`` exists."""

from __future__ import annotations

from pathlib import Path

import dash

from dashboard import plotly_bundle
from dashboard.layout import shell

ROOT = Path(__file__).resolve().parents[1]


def create_dash(server, settings) -> dash.Dash:
    app = dash.Dash(__name__, server=server, use_pages=True,
                    pages_folder=str(Path(__file__).parent / "pages"),
                    assets_folder=str(ROOT / "assets"), assets_path_ignore=["^static$"],
                    routes_pathname_prefix="/staff/", requests_pathname_prefix="/staff/",
                    serve_locally=True, title="Outcomes Budget Dashboard", update_title=None,
                    suppress_callback_exceptions=True)
    app.layout = lambda: shell(dash.page_container, settings.mode)
    plotly_bundle.register(app)
    return app
