"""Build the Dash app: pages for the mode, the cache, downloads and the HTTP hooks."""

from __future__ import annotations

from pathlib import Path

import dash

from dashboard import (
    api,
    auth,
    callback_gate,
    data,
    downloads,
    plotly_bundle,
    security,
    settings,
    static_pages,
)
from dashboard.layout import shell
from dashboard.site import data_quality

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
        assets_path_ignore=["^static$"],  # assets/static/: for server-rendered pages only
        serve_locally=True,
        title="Outcomes Budget Dashboard",
        update_title=None,
        index_string=INDEX,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description",
                    "content": "Council spend, outcomes and who pays for what, with honest "
                               "statistics."}],
        # no validation layout: Dash would put every page's layout (~200 kB) into each page's
        # HTML; the callbacks are tested against the real pages instead
        suppress_callback_exceptions=True,
    )
    data.init_cache(app.server)
    app.layout = lambda: shell(dash.page_container, mode)
    downloads.register(app.server)
    plotly_bundle.register(app)  # plotly.js with only the traces drawn, at Dash's URL
    security.register(app.server, app)
    security.sessions(app.server)  # the signed session cookie: form tokens, sign-in
    auth.register(app.server)
    security.harden(app.server)
    callback_gate.register(app.server, app)  # after sign-in: a forged body is a 400
    static_pages.register(app.server, mode)  # pages rendered on the server, after sign-in
    api.register(app.server)
    if mode == "internal":  # staff pages: spend not yet allocated is not public data
        api.register_staff(app.server)
        app.server.register_blueprint(data_quality.blueprint)
    app.server.config["DASHBOARD_MODE"] = mode
    return app

