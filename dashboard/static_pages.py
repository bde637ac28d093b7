"""Pages as server-rendered HTML: fast on a phone, complete without JavaScript.

A GET of a page registered with ``server_rendered`` naming the mode is answered here, not by
Dash's single-page runtime: in public mode every public page, in internal mode every page but
the director view. The page's own Dash layout is rendered to HTML on the server. The reader
gets the finished page in the first response: text, tables, links and CSV downloads work
without any script. The bar and line charts are drawn here too, as SVG (``svg_charts``), so
they are painted with the page. Their figures also travel as JSON, and
``assets/static/charts.js`` loads the dashboard's plotly.js and draws each chart over its
picture when it scrolls near the screen (hover values), with the same margins and axes; a chart
``svg_charts`` does not draw (the Sankey, the heat map) waits for plotly.js in a placeholder of
its height. A page whose charts are below the fold downloads no plotly at all until the reader
gets there.

Controls become a plain GET form: each control a page lists in ``static_form`` (component id
-> query parameter) gets that parameter as its name, and a "Show" button sends the form. The
page then reads the parameters exactly as it reads a shared link (the page checks every value
against its allow-lists). Nothing changes as a control moves (WCAG 3.2.2 On Input).

A page may also have forms of its own that change something (the scenario planner's save and
publish): they POST to the page's path, ``static_post`` names the page's handler, and the CSRF
token (Flask-WTF, bound to the signed session cookie) is checked here first. The handler
answers with the address to show next (303, Post/Redirect/Get).

Pages registered with ``shared_cache=True`` are the same for every reader: their HTML is kept in
a bounded per-worker LRU (``PAGE_CACHE``). Any other page (the planner shows the user's own
drafts) is rendered on every request and sent with ``Cache-Control: private, no-store``.

Rendering covers the components the pages use; any other raises ``TypeError`` so a page that
starts using a new component fails its test instead of silently losing content. Every text and
attribute is escaped (markupsafe); links may not use ``javascript:``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import dash
from dash.development.base_component import Component
from flask import Response, g, redirect, request, session
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from plotly.io.json import to_json_plotly

from dashboard import data, security, settings, svg_charts

ROOT = Path(__file__).resolve().parents[1]
CHARTS_JS = "static/charts.js"  # under assets/; Dash's assets_ignore keeps it off Dash pages
# the Dash page's stylesheets, in its order, with Bootstrap cut to the rules these pages use
# (``make css``; tests/dashboard/test_css.py checks nothing they use was cut)
STYLESHEETS = ("app.css", "static/bootstrap.purged.min.css")
PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
FORM_ID = "view-form"
# wide screens show the first chart without scrolling: fetch plotly.js while the page parses.
# Phones fetch it only when a chart comes near the screen (charts.js), to save their data.
PRELOAD = Markup('<link rel="preload" href="{}" as="script" media="(min-width: 768px)">'
                 ).format(PLOTLY_URL)
DASH_INDEX_ENDPOINTS = ("/", "/<path:path>")  # Dash's catch-all page routes
RENDERED_PAGES = 256  # per worker: a bounded LRU of rendered pages (about 60 kB each)
MAX_VALUES, MAX_VALUE = 20, 1000  # query values read per name, characters read per value
VOID = {"br", "img", "hr", "input", "wbr", "col", "area", "source", "track", "embed"}
ATTRIBUTE_NAMES = {"className": "class", "htmlFor": "for", "tabIndex": "tabindex",
                   "colSpan": "colspan", "rowSpan": "rowspan", "accessKey": "accesskey",
                   "contentEditable": "contenteditable", "spellCheck": "spellcheck",
                   "noValidate": "novalidate", "encType": "enctype",
                   "acceptCharset": "accept-charset", "autoComplete": "autocomplete",
                   "maxLength": "maxlength", "inputMode": "inputmode"}
SKIPPED_PROPS = {"children", "style", "n_clicks", "n_clicks_timestamp", "disable_n_clicks",
                 "key", "loading_state", "setProps"}
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


CSS_VALUE = re.compile(r"[\w\s.%#(),-]*")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "cite", "xlink:href"}
SAFE_URL = re.compile(r"(?:/(?!/)|#|\?|https?://|mailto:)|[^:/?#]+(?:[/?#]|$)", re.I)


def _css(style: dict) -> str:
    """Inline style as React writes it (numbers in px), only known-safe characters in values."""
    def name(key: str) -> str:
        return re.sub(r"([A-Z])", r"-\1", key).lower()

    out = []
    for key, value in style.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = f"{value}px" if value else "0"
        text = str(value)
        if (not re.fullmatch(r"[a-zA-Z]+", key) or not CSS_VALUE.fullmatch(text)
                or re.search(r"url|expression|image", text, re.I)):  # nothing that loads
            raise ValueError(f"style {key}: {text[:40]!r} is not allowed")
        out.append(f"{name(key)}: {value}")
    return "; ".join(out)


def safe_url(name: str, value) -> bool:
    """Relative links, http(s) and mailto; data: only for images. Control characters and
    whitespace a browser would strip are removed before the check."""
    text = re.sub(r"[\x00-\x20\x7f]", "", str(value))
    if name == "src" and text.lower().startswith("data:image/"):
        return True
    return bool(SAFE_URL.match(text))


def _attrs(props: dict, extra: dict | None = None) -> Markup:
    out = []
    for key, value in {**props, **(extra or {})}.items():
        if key in SKIPPED_PROPS or value is None or value is False:
            continue
        name = ATTRIBUTE_NAMES.get(key, key)
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_:-]*", name):
            raise ValueError(f"attribute name {name!r}")
        if name.lower().startswith("on"):
            raise ValueError(f"event handler attribute {name!r}")
        if name in URL_ATTRIBUTES and not safe_url(name, value):
            continue
        if value is True:
            out.append(Markup(" {}").format(name))
        else:
            out.append(Markup(' {}="{}"').format(name, value))
    if props.get("style"):
        out.append(Markup(' style="{}"').format(_css(props["style"])))
    return Markup("").join(out)


class Renderer:
    """One page render: Dash components to HTML, with the page's form fields named."""

    def __init__(self, form_fields: dict[str, str] | None = None):
        self.fields = form_fields or {}
        self.figures: list[tuple[str, dict]] = []

    def html(self, node) -> Markup:
        if node is None or isinstance(node, bool):
            return Markup("")  # as React: no text for None, True or False
        if isinstance(node, (list, tuple)):
            return Markup("").join(self.html(n) for n in node)
        if isinstance(node, Component):
            return self.component(node)
        if isinstance(node, (str, int, float)):
            return escape(str(node))
        raise TypeError(f"cannot render {type(node).__name__} as HTML")

    def element(self, tag: str, props: dict, children=None, extra: dict | None = None) -> Markup:
        if not re.fullmatch(r"[a-z][a-z0-9]*", tag):
            raise ValueError(f"tag name {tag!r}")
        attrs, tag = _attrs(props, extra), Markup(tag)  # noqa: S704 - checked just above
        if tag in VOID:
            return Markup("<{}{}>").format(tag, attrs)
        return Markup("<{0}{1}>{2}</{0}>").format(tag, attrs, self.html(children))

    def component(self, c: Component) -> Markup:
        props = {k: v for k, v in c.to_plotly_json()["props"].items()}
        children = props.pop("children", None)
        namespace, kind = c._namespace, c._type
        if namespace == "dash_html_components":
            if "controls" in str(props.get("className", "")).split() and self._has_field(c):
                submit = Markup('<button type="submit" form="{}" class="btn btn-primary '
                                'align-self-end">Show</button>').format(FORM_ID)
                return Markup('<div{}>{}{}</div>').format(_attrs(props), self.html(children),
                                                          submit)
            return self.element(kind.lower(), props, children)
        handler = getattr(self, f"_{namespace}_{kind}", None)
        if handler is None:
            raise TypeError(f"no server rendering for {namespace}.{kind}")
        return handler(props, children)

    def _has_field(self, c: Component) -> bool:
        return any(isinstance(getattr(n, "id", None), str) and n.id in self.fields
                   for n in c._traverse())

    def _field(self, props: dict) -> dict:
        """The control's form field: the page's GET form (``static_form``), else the ``name``
        it carries inside a form of its own."""
        own = props.get("id")
        name = self.fields.get(own) if isinstance(own, str) else None
        if name:
            return {"name": name, "form": FORM_ID}
        return {"name": props["name"]} if props.get("name") else {}

    # ---- dash core components --------------------------------------------------------------
    def _dash_core_components_Location(self, props, children):
        return Markup("")

    _dash_core_components_Store = _dash_core_components_Location

    def _dash_core_components_Markdown(self, props, children):
        text = children if isinstance(children, str) else "\n".join(children or [])
        return Markup('<div{}>{}</div>').format(
            _attrs({k: v for k, v in props.items() if k in ("id", "className")}),
            Markup(_markdown.render(text)))  # noqa: S704 - raw HTML in the text is escaped

    def _dash_core_components_Graph(self, props, children):
        figure = props.get("figure") or {}
        own = props.get("id")
        chart_id = (f"{own}-figure" if isinstance(own, str) else
                    f"chart-{len(self.figures) + 1}-figure")
        height = (figure.get("layout") or {}).get("height") or 450
        # the chart drawn here as SVG, painted with the page; plotly.js draws over it with
        # the same margins and axes (svg_charts), and draws alone what svg_charts does not
        drawn = svg_charts.draw(figure, chart_id)
        picture = Markup("")
        if drawn:
            picture, patch = drawn
            layout = dict(figure.get("layout") or {})
            for key, value in patch.items():
                layout[key] = {**(layout.get(key) or {}), **value}
            figure = {**figure, "layout": layout}
        self.figures.append((chart_id, figure))
        return Markup('<div{} class="{}" data-figure="{}" style="min-height: {}px">{}</div>'
                      ).format(_attrs({"id": own if isinstance(own, str) else None}),
                               " ".join(filter(None, ["chart", "static-chart",
                                                      props.get("className")])),
                               chart_id, int(height), picture)

    # ---- dash bootstrap components -----------------------------------------------------------
    def _dash_bootstrap_components_Container(self, props, children):
        css = "container-fluid" if props.get("fluid") else "container"
        return self._div(css, props, children)

    def _dash_bootstrap_components_Row(self, props, children):
        return self._div("row", props, children)

    def _dash_bootstrap_components_Col(self, props, children):
        css = []
        for size in ("xs", "sm", "md", "lg", "xl", "xxl", "width"):
            value = props.get(size)
            if isinstance(value, int):
                infix = "" if size in ("xs", "width") else f"-{size}"
                css.append(f"col{infix}-{value}")
        return self._div(" ".join(css) or "col", props, children)

    def _dash_bootstrap_components_Card(self, props, children):
        return self._div("card", props, children)

    def _dash_bootstrap_components_CardBody(self, props, children):
        return self._div("card-body", props, children)

    def _dash_bootstrap_components_Alert(self, props, children):
        if props.get("is_open") is False:
            return Markup("")
        return self._div(f"alert alert-{props.get('color') or 'secondary'}", props, children,
                         role="alert")

    def _dash_bootstrap_components_Table(self, props, children):
        css = ["table"] + [f"table-{k}" for k in ("striped", "bordered", "hover", "borderless")
                           if props.get(k)]
        if props.get("size"):
            css.append(f"table-{props['size']}")
        return self.element("table", self._keep(props), children,
                            {"class": " ".join(css + [props.get("className") or ""]).strip()})

    def _dash_bootstrap_components_Label(self, props, children):
        css = " ".join(filter(None, ["form-label", props.get("className")]))
        return self.element("label", {"for": props.get("html_for")}, children, {"class": css})

    def _dash_bootstrap_components_Select(self, props, children):
        options = Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                o["value"], Markup(" selected") if o["value"] == props.get("value") else "",
                o["label"]) for o in props.get("options") or [])
        return Markup("<select{}>{}</select>").format(
            _attrs({"id": props.get("id"), "class": "form-select",
                    "disabled": props.get("disabled"), "required": props.get("required")},
                   self._field(props)), options)

    def _dash_bootstrap_components_RadioItems(self, props, children):
        return self._choices("radio", props, lambda v: v == props.get("value"))

    def _dash_bootstrap_components_Checklist(self, props, children):
        values = props.get("value") or []
        values = [values] if isinstance(values, str) else values  # never a substring match
        return self._choices("checkbox", props, lambda v: v in values)

    def _choices(self, kind: str, props: dict, checked) -> Markup:
        field = self._field(props)
        inline = " form-check-inline" if props.get("inline") else ""
        items = []
        for i, o in enumerate(props.get("options") or []):
            input_id = f"{props.get('id')}-{i}"
            items.append(Markup('<div class="form-check{}"><input{}><label class='
                                '"form-check-label" for="{}">{}</label></div>').format(
                inline, _attrs({"type": kind, "class": "form-check-input", "id": input_id,
                                "value": o["value"], **field,
                                "checked": checked(o["value"]),
                                "disabled": bool(o.get("disabled"))}),
                input_id, self.html(o["label"])))
        return Markup("<div{}>{}</div>").format(_attrs({"id": props.get("id")}),
                                                Markup("").join(items))

    INPUT_PROPS = ("id", "type", "value", "min", "max", "step", "maxLength", "placeholder",
                   "disabled", "required", "inputMode", "autoComplete")

    def _dash_bootstrap_components_Input(self, props, children):
        invalid = bool(props.get("invalid"))  # Bootstrap's red border, and said in words
        css = " ".join(filter(None, ["form-control", "is-invalid" if invalid else "",
                                     props.get("className")]))
        kept = {k: props.get(k) for k in self.INPUT_PROPS}
        return Markup("<input{}>").format(
            _attrs({**kept, "class": None if props.get("type") == "hidden" else css,
                    "aria-invalid": "true" if invalid else None}, self._field(props)))

    def _dash_bootstrap_components_Button(self, props, children):
        css = " ".join(filter(None, ["btn", f"btn-{props.get('color') or 'primary'}",
                                     props.get("className")]))
        return self.element("button", {k: props.get(k) for k in
                                       ("id", "name", "value", "disabled")},
                            children, {"type": props.get("type") or "button", "class": css})

    def _div(self, css: str, props: dict, children, **extra) -> Markup:
        css = " ".join(filter(None, [css, props.get("className")]))
        return self.element("div", self._keep(props), children, {"class": css, **extra})

    @staticmethod
    def _keep(props: dict) -> dict:
        return {k: v for k, v in props.items() if k in ("id", "style", "role", "tabIndex")
                or k.startswith(("aria-", "data-"))}

    def figure_scripts(self) -> Markup:
        # JSON in a non-executed script block; "<" escaped so no text can close the block
        return Markup("").join(
            Markup('<script type="application/json" id="{}">{}</script>').format(
                chart_id, Markup(to_json_plotly(fig).replace("<", "\\u003c")))  # noqa: S704
            for chart_id, fig in self.figures)


def page_pattern(page: dict) -> re.Pattern:
    """A regex matching the paths of a registered page (path template variables: one segment)."""
    template = page.get("path_template") or page["path"]
    parts = re.split(r"<[^>]+>", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "/?$")


def _page_for(path: str, mode: str) -> tuple[dict | None, dict]:
    """The page server-rendered in ``mode`` for ``path``, and its path variables."""
    for page in dash.page_registry.values():
        if mode in page.get("server_rendered", ()) and page_pattern(page).match(path):
            template = (page.get("path_template") or page["path"]).strip("/").split("/")
            parts = path.strip("/").split("/")
            return page, {t[1:-1]: v for t, v in zip(template, parts, strict=False)
                          if t.startswith("<") and t.endswith(">")}
    return None, {}


def _versioned(relative: str) -> str:
    path = ROOT / "assets" / relative
    return f"/assets/{relative}?m={int(path.stat().st_mtime)}"


TEMPLATE = Markup("""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Council spend, outcomes and who pays for what, with honest \
statistics.">
<title>{title}</title>
<link rel="icon" type="image/x-icon" href="/_favicon.ico">
{css}
{preload}
</head>
<body data-plotly-src="{plotly}"{has_charts}>
<script src="{charts}" async></script>
{body}
<form id="{form}" method="get" action="{action}" hidden></form>
{figures}
</body>
</html>
""")


def _query_names(page: dict) -> set[str]:
    return set((page.get("static_form") or {}).values()) | set(page.get("static_query") or ())


def _build(version: str, path: str, items: tuple, mode: str) -> tuple[int, str]:
    """The page as HTML, from the data and code ``version``, the path and the page's own query
    parameters ``items`` ((name, values) pairs; any other parameter was dropped first)."""
    from dashboard.components import not_found

    page, path_args = _page_for(path, mode) if path else (None, {})
    if page is None:
        content = not_found("Page not found", "There is no page at this address. Try one of these:",
                            [(p["path"], p["name"]) for p in dash.page_registry.values()
                             if mode in p.get("server_rendered", ())
                             and not p.get("path_template")])
        return 404, _document(content, "Page not found — Outcomes Budget Dashboard", mode, path)
    # a parameter given once is text, given more often a list (the page's checks refuse
    # what they do not expect, as for any link)
    query = {k: (v[0] if len(v) == 1 else list(v)) for k, v in items}
    layout = page["layout"]
    content = layout(**query, **path_args) if callable(layout) else layout
    title = page["title"](**path_args) if callable(page["title"]) else page["title"]
    # the page's own "not found" panel (an unknown area code) is a 404
    status = 404 if "not-found" in str(getattr(content, "className", "")).split() else 200
    html = _document(content, title, mode, path, page.get("static_form") or {},
                     page.get("static_anchor") or "")
    if page.get("shared_cache") and (session.modified or g.get("csrf_token")):
        # a page kept for every reader must not hold one reader's token or messages
        raise RuntimeError(f"{path}: a shared_cache page used the session")
    return status, html


def _document(content, title: str, mode: str, path: str, fields: dict | None = None,
              anchor: str = "") -> str:
    """``content`` in the page shell, as a whole HTML document."""
    from dashboard.layout import shell

    renderer = Renderer(fields)
    body = renderer.html(shell(content, mode))
    css = Markup("\n").join(Markup('<link rel="stylesheet" href="{}">').format(_versioned(f))
                            for f in STYLESHEETS)
    action = path + (f"#{anchor}" if anchor else "")  # back to the controls after "Show"
    return str(TEMPLATE.format(title=title, css=css,
                               charts=_versioned(CHARTS_JS), plotly=PLOTLY_URL, body=body,
                               form=FORM_ID, action=action,
                               figures=renderer.figure_scripts(),
                               preload=PRELOAD if renderer.figures else "",
                               has_charts=Markup(" data-has-charts") if renderer.figures else ""))


# pages the same for every reader: kept per worker in a bounded LRU (PAGE_CACHE=off: never)
_render = functools.lru_cache(maxsize=RENDERED_PAGES)(_build)


@functools.lru_cache(maxsize=RENDERED_PAGES)
def _packed(version: str, path: str, items: tuple, mode: str, encoding: str) -> tuple[int, bytes]:
    """A kept page compressed once, better than a page made for one request can afford
    (brotli 5, gzip 6), and then sent as it is: a kept page is found at once, and compressing
    it again on every request cost about 1 ms of the worker's time per answer (the area page's
    76 kB: brotli 1 in 0.7 ms, gzip 5 in 1.4 ms)."""
    status, html = _render(version, path, items, mode)
    return status, security.pack(html.encode("utf-8"), encoding,
                                 5 if encoding == "br" else 6)


def _items(names: set[str]) -> tuple:
    """The page's own query parameters, bounded: 20 values a name, each cut one character
    past the longest any page accepts (so the page's own "too long" check still speaks)."""
    items = ((k, tuple(v[:MAX_VALUE + 1] for v in values[:MAX_VALUES] if v != ""))
             for k, values in request.args.lists() if k in names)
    return tuple(sorted((k, v) for k, v in items if v))  # an empty value is no value


def _post(page: dict, mode: str):
    """A form the page handles on the server (``static_post``). The CSRF token is checked
    first: without a good one nothing is done, and the reader gets a page that says so, with a
    way back (``static_back``, read-only), and no new session (a cross-site POST must not
    replace the reader's own). With one, the page's handler does the work, flashes its message
    and names the view to show next (303, Post/Redirect/Get)."""
    from wtforms.validators import ValidationError

    from dashboard.components import not_found
    from dashboard.security import check_form_token

    base = page["path"]
    try:
        check_form_token(request.form.get("csrf_token"))  # bound to the signed-in user
    except ValidationError:
        back = page.get("static_back")
        target = _on_page(back(request.form) if back else base, base)
        content = not_found(
            "Nothing was done",
            "The form had expired (the server may have restarted) or did not come from this "
            "site, so nothing was saved or changed. Go back to the page and try again:",
            [(target, "Back to the page")])
        return Response(_document(content, "Nothing was done — Outcomes Budget Dashboard",
                                  mode, base), status=400, mimetype="text/html",
                        headers={"Cache-Control": "private, no-store"})
    return redirect(_on_page(page["static_post"](request.form), base), 303)


def _on_page(target, base: str) -> str:
    """``target`` if it is a view of the page at ``base``, else ``base``: a handler names a
    view of its own page, never another site."""
    ok = isinstance(target, str) and target.startswith(base) and "//" not in target
    return target if ok else base


def register(server, mode: str) -> None:
    """Answer the pages server-rendered in this mode (``server_rendered`` in their
    registration): GETs, and the POSTs of pages that handle forms (``static_post``). In public
    mode an unknown address gets the server-rendered 404 page; in internal mode Dash's."""
    cache_pages = settings.get("PAGE_CACHE").strip().lower()
    if cache_pages not in ("on", "off"):
        raise ValueError(f"PAGE_CACHE must be 'on' or 'off', not {cache_pages!r}")

    @server.before_request
    def static_page():
        rule = request.url_rule
        if request.method not in ("GET", "HEAD", "POST") or (
                rule is not None and rule.endpoint not in DASH_INDEX_ENDPOINTS):
            return None  # downloads, the API, assets, Dash's own routes
        path = request.path
        canonical = "/" + "/".join(p for p in path.split("/") if p)
        if canonical != path and request.method != "POST":  # one address per page
            query = request.query_string.decode("latin-1")
            return redirect(canonical + (f"?{query}" if query else ""), 308)
        page, path_args = _page_for(path, mode) if len(path) <= 200 else (None, {})
        if request.method == "POST":
            if page is None or not page.get("static_post") or path_args:
                return None  # Dash answers (405)
            return _post(page, mode)
        if page is None and mode != "public":
            return None  # the Dash app: its pages, and its own "not found"
        items = _items(_query_names(page) - set(path_args)) if page else ()
        shared = page is None or bool(page.get("shared_cache"))
        key = (data.version(), path if page else "", items, mode)
        encoding = security.accepted_encoding()
        if shared and cache_pages == "on" and encoding:
            status, body = _packed(*key, encoding)
            response = Response(body, status=status, mimetype="text/html")
            response.headers["Content-Encoding"] = encoding
            response.vary.add("Accept-Encoding")
            return response
        render = _render if shared and cache_pages == "on" else _build
        status, html = render(*key)
        response = Response(html, status=status, mimetype="text/html")
        if not shared:  # a page for this user (drafts, forms): never stored on the way
            response.headers["Cache-Control"] = "private, no-store"
        return response
