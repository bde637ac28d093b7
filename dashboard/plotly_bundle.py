"""Serve the dashboard's own plotly.js build where Dash loads plotly.js from.

``dashboard/vendor/plotly.min.js`` is plotly.js (the version plotly.py ships) with only the
trace types the dashboard draws: ``assets-src/plotly/traces.txt``, rebuilt with
``make plotly-bundle``. About a third of the full bundle plotly.py ships. The build also
writes ``plotly.min.js.br`` (brotli 11) and ``plotly.min.js.gz`` (zopfli), smaller than what
a worker would make on the fly, and served as they are.

How Dash 4 loads plotly.js: it is not a ``<script>`` in the page. dash-renderer sets
``window._dashPlotlyJSURL`` to ``{requests_pathname_prefix}_dash-component-suites/plotly/
package_data/plotly.min.js`` (when serving locally), and dcc.Graph's lazy loader adds a script
with that URL the first time a page renders a graph, unless ``window.Plotly`` exists. So pages
without a graph never download plotly.js. This route is more specific than Dash's
``_dash-component-suites/<package>/<path>`` rule (Werkzeug tries static path parts first), so
the same URL now returns the custom build; lazy loading is unchanged. The compression and long
cache headers come from ``security.register`` like every other component-suite file (it leaves
a body that already has a ``Content-Encoding`` as it is), and the file is served from
``'self'`` so the CSP needs nothing new.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from dash.fingerprint import check_fingerprint
from flask import Response, abort, request

BUNDLE = Path(__file__).parent / "vendor" / "plotly.min.js"
DASH_PATH = "package_data/plotly.min.js"  # what dash.Dash._setup_plotlyjs registers
SITE_URL = "/vendor/plotly.min.js"  # the site's pages (no Dash there)


def header() -> dict[str, str]:
    """The build's header comment: ``{"version": "4.1.1", "traces": "scatter bar ..."}``."""
    head = BUNDLE.read_bytes()[:1000].decode("utf-8", "replace")
    out = {}
    for line in head.split("*/", 1)[0].splitlines():
        line = line.lstrip("/* ")
        if line.startswith("plotly.js v"):
            out["version"] = line.split()[1][1:]
        elif line.startswith("traces:"):
            out["traces"] = line.split(":", 1)[1].strip()
    return out


def traces() -> list[str]:
    return header().get("traces", "").split()


@functools.cache
def _bodies() -> dict:
    # read once per worker: 1.3 MB, 0.37 MB and 0.44 MB
    return {None: BUNDLE.read_bytes(),
            "br": BUNDLE.with_name(BUNDLE.name + ".br").read_bytes(),
            "gzip": BUNDLE.with_name(BUNDLE.name + ".gz").read_bytes()}


def _response() -> Response:
    """The bundle, precompressed as the request accepts it, revalidated by its ETag."""
    bodies = _bodies()
    etag = hashlib.sha256(bodies[None]).hexdigest()[:32]
    accepted = request.headers.get("Accept-Encoding", "")  # as security.compressed reads it
    encoding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
    response = Response(bodies[encoding], mimetype="text/javascript")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    # Dash's URL for plotly.js carries no version, so it must not be cached as immutable
    # (a rebuilt bundle would never reach browsers): a day, then revalidated by ETag
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(f"{etag}-{encoding or 'identity'}")
    return response.make_conditional(request)


def register_site(server) -> None:
    """The bundle at the site's own URL (``SITE_URL``): its pages load it in charts.js."""
    server.add_url_rule(SITE_URL, endpoint="plotly_site", view_func=_response)


def register(app) -> None:
    """The bundle at the URL a Dash app loads plotly.js from (the staff dashboard)."""

    def plotly_js(fingerprinted_path: str):
        if check_fingerprint(fingerprinted_path)[0] != DASH_PATH:
            abort(404)
        return _response()

    app.server.add_url_rule(
        f"{app.config.routes_pathname_prefix}_dash-component-suites/plotly/"
        "<path:fingerprinted_path>", endpoint="plotly_bundle", view_func=plotly_js)
