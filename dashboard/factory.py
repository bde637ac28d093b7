"""Build the Dash app: pages for the mode, the cache, downloads and the HTTP hooks."""

from __future__ import annotations

from pathlib import Path

import dash

from dashboard import api, auth, data, downloads, security, settings
from dashboard.layout import shell

ROOT = Path(__file__).resolve().parents[1]

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


def create_app() -> dash.Dash:
    mode = settings.mode()
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        title="Outcomes Budget Dashboard",
        update_title=None,
        index_string=INDEX,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description",
                    "content": "Council spend, outcomes and who pays for what, with honest "
                               "statistics."}],
        suppress_callback_exceptions=False,
    )
    data.init_cache(app.server)
    app.layout = lambda: shell(dash.page_container, mode)
    downloads.register(app.server)
    security.register(app.server, app)
    auth.register(app.server)
    security.harden(app.server)
    api.register(app.server)
    app.server.config["DASHBOARD_MODE"] = mode
    return app

