"""Rendering a site page: the shell every page shares, template helpers, the page cache."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Response, current_app, render_template, request
from markdown_it import MarkdownIt
from markupsafe import Markup

from dashboard import data, plotly_bundle, security

ASSETS = Path(__file__).resolve().parents[2] / "assets"
CHART_PAGES = ("area.html", "spillover.html")  # the pages that draw plotly charts
RENDERED_PAGES = 256  # per worker: a bounded LRU of rendered pages (about 60 kB each)
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def settings():
    return current_app.config["SETTINGS"]


def asset(relative: str) -> str:
    """An asset's URL with its modification time, so it can be cached for a year."""
    return f"/assets/{relative}?m={int((ASSETS / relative).stat().st_mtime)}"


def markdown(text: str) -> Markup:
    """CommonMark with raw HTML escaped."""
    return Markup(_markdown.render(text))  # noqa: S704 - markdown-it escapes raw HTML


NAV = [("Overview", "/"), ("Spill-over effects", "/spillover"), ("Methods", "/methods"),
       ("Open data", "/data"), ("Accessibility", "/accessibility")]
STAFF_NAV = [("Scenario planner", "/staff/scenarios"), ("Directors", "/staff/director"),
             ("Area explorer", "/staff/area"), ("Data quality", "/data-quality")]


def nav(internal: bool) -> list[tuple[str, str]]:
    """The main navigation: the public pages, and in internal mode the staff pages too."""
    return NAV[:2] + STAFF_NAV + NAV[2:] if internal else list(NAV)


@data.memoize
def _shell(internal: bool) -> dict:
    info = data.query("build_info").iloc[0]
    loaded = info["last_loaded_at"]
    return {"borough": info["borough_name"], "is_demo": bool(info["is_demo"]),
            "sources": info["sources"] or "the council's sources",
            "loaded": loaded.strftime("%d %B %Y") if hasattr(loaded, "strftime") else loaded,
            "latest_year": info["latest_year"], "nav": nav(internal)}


def shell() -> dict:
    """What the page shell shows: the borough, the demo banner, navigation, the footer."""
    return _shell(settings().internal)


def render(template: str, title: str, status: int = 200, **context) -> Response:
    html = render_template(template, title=title, has_charts=template in CHART_PAGES,
                           **context)
    return Response(html, status=status, mimetype="text/html")


_tables = data.Kept(512)


def table_html(block) -> Markup:
    """A chart block's data table as HTML, made once per worker: it is the same on every view
    that shows the block (its CSV address names the data, its title the caption), and escaping
    hundreds of cells was a quarter of the time a new view took to render."""
    key = (data.version(), block.id, block.csv, block.title)  # the title is its caption
    found = _tables.get(key) if block.csv else None
    if found is None:
        macro = current_app.jinja_env.get_template("macros.html").module.data_table
        found = macro(block.table.columns, block.cells, block.title, f"{block.id}-table")
        if block.csv:
            _tables.put(key, found)
    return found


def page_cached(view):
    """Keep ``view``'s page for the next reader of the same view (``PAGE_CACHE``): the site's
    pages are the same for every reader. A kept page is compressed once per encoding, better
    than a page made for one request can afford (brotli 5, gzip 6), and sent as it is."""

    @functools.wraps(view)
    def cached(**kwargs):
        if not settings().page_cache:
            return view(**kwargs)
        pages = current_app.extensions["site_pages"]
        encoding = security.accepted_encoding()
        key = (data.version(), settings().mode, request.path,
               tuple(sorted(request.args.items(multi=True)))[:40])
        found = pages.get((key, encoding))
        if found is None:
            plain = pages.get((key, None))
            if plain is None:
                response = view(**kwargs)
                plain = (response.status_code, response.get_data())
                pages.put((key, None), plain)
            found = plain if encoding is None else (
                plain[0], security.pack(plain[1], encoding, 5 if encoding == "br" else 6))
            pages.put((key, encoding), found)
        response = Response(found[1], status=found[0], mimetype="text/html")
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        return response

    return cached


def _shell_context() -> dict:
    """What ``base.html`` needs on every page that extends it (a blueprint's too)."""
    return {"shell": shell(), "plotly_url": plotly_bundle.SITE_URL}


def register(server) -> None:
    server.extensions["site_pages"] = data.Kept(RENDERED_PAGES)
    server.context_processor(_shell_context)
    server.add_template_filter(markdown)
    server.add_template_global(asset)
    server.add_template_global(table_html)
