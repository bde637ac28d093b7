"""The public site, and every page that is only read: a Flask blueprint with Jinja2 templates.

Pages are rendered on the server and work without JavaScript: text, tables, links, CSV
downloads, and the controls, a plain GET form whose "Show" button asks for the new view's URL
(the page reads it exactly as it reads a shared link; every value is checked against an
allow-list by the view functions). Each chart's figure JSON travels beside its summary and data
table, and ``assets/static/charts.js`` draws it with the dashboard's plotly.js when it comes
near the screen. The same site serves both modes; internal mode adds the staff links.

The pages are the same for every reader, so a rendered page is kept (``page_cache``) keyed by
the data and code version and the page's own query parameters.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request
from werkzeug.exceptions import HTTPException

from dashboard import data
from dashboard.site import render as render_module
from dashboard.site.render import page_cached, render
from dashboard.views import accessibility, area, area_sections, methods, opendata, overview
from dashboard.views import spillover as spill
from dashboard.views.format import BENCHMARK_OPTIONS, LEVEL_OPTIONS

bp = Blueprint("site", __name__)
# the modules whose datasets (CSV downloads) the public site serves
DATASET_MODULES = tuple(m.__name__ for m in (overview, area, spill))
AREA_PARAMS = ("year", "terms", "benchmark", "level", "service")
MAX_VALUES, MAX_VALUE = 20, 1000  # query values read per name, characters read per value


def _query(names) -> dict:
    """The page's own query parameters, bounded: a value given once is text, given more often
    a list (which the view's checks refuse, as for any link); an empty value is no value."""
    out = {}
    for name in names:
        values = [v[:MAX_VALUE + 1] for v in request.args.getlist(name)[:MAX_VALUES] if v]
        if values:
            out[name] = values[0] if len(values) == 1 else values
    return out


@bp.route("/")
@page_cached
def home():
    return render("overview.html", "Overview", page=overview.overview())


@bp.route("/area/<area_code>")
@page_cached
def area_page(area_code: str):
    try:
        code = area.check_area(area_code)
    except ValueError:
        areas = data.query("area_codes")
        return render("not_found.html", "Investment area not found", status=404,
                      title_text="Investment area not found",
                      message=f"There is no investment area with the code “{area_code[:40]}”. "
                              "Choose one of these:",
                      links=[(f"/area/{c}", n) for c, n in
                             zip(areas["area_code"], areas["area_name"], strict=True)])
    page = area_sections.page(code, _query(AREA_PARAMS))
    return render("area.html", area.title(code), page=page,
                  year_options=[(y, y) for y in page["years"]],
                  terms_options=area.TERMS_OPTIONS, benchmark_options=BENCHMARK_OPTIONS,
                  level_options=LEVEL_OPTIONS)


@bp.route("/spillover")
@page_cached
def spillover_page():
    area_param = _query(("area",)).get("area")
    return render("spillover.html", "Spill-over effects", page=spill.view(area_param))


@bp.route("/data")
@page_cached
def open_data():
    return render("data.html", "Open data", datasets=opendata.datasets())


@bp.route("/methods")
@page_cached
def methods_page():
    return render("text.html", methods.TITLE, heading_id="methods-title", text=methods.TEXT)


@bp.route("/accessibility")
@page_cached
def accessibility_page():
    return render("text.html", accessibility.TITLE, heading_id="accessibility-title",
                  text=accessibility.TEXT)


def not_found(error=None):
    """404: JSON under /api/, else a page that says so and offers the site's pages. A page's
    address with a trailing slash is sent to the page (one address per page)."""
    path = request.path
    if len(path) > 1 and path.endswith("/") and request.method in ("GET", "HEAD"):
        canonical = "/" + "/".join(p for p in path.split("/") if p)
        try:
            endpoint, _ = current_app.url_map.bind("").match(canonical)
        except HTTPException:
            endpoint = None
        if endpoint and endpoint.startswith("site."):
            query = request.query_string.decode("latin-1")
            return redirect(canonical + (f"?{query}" if query else ""), 308)
    if path.startswith("/api/"):
        return jsonify({"error": "Not Found", "path": request.path[:200]}), 404
    links = [("/", "Overview"), ("/spillover", "Spill-over effects"), ("/data", "Open data"),
             ("/methods", "Methods"), ("/accessibility", "Accessibility statement")]
    return render("not_found.html", "Page not found", status=404, title_text="Page not found",
                  message="There is no page at this address. Try one of these:", links=links)


def register(server) -> None:
    """The site's pages, its 404 page, and the template helpers."""
    render_module.register(server)
    server.register_blueprint(bp)
    server.register_error_handler(404, not_found)

