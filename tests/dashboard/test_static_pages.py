"""Server-rendered public pages (dashboard/static_pages.py): nothing the Dash page shows is lost,
every text is escaped, controls are a GET form, and a public server answers with them."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import pytest
import requests
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import static_pages, svg_charts
from tests.conftest import start_gunicorn, stop


class Text(HTMLParser):
    """The text of an HTML document, outside <script> blocks, and its start tags."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._script = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._script += tag == "script"

    def handle_endtag(self, tag):
        self._script -= tag == "script"

    def handle_data(self, data):
        if not self._script and data.strip():
            self.parts.append(data)


def parse(text: str) -> Text:
    p = Text()
    p.feed(text)
    return p


def tree_texts(node) -> list[str]:
    """Every text a Dash component tree shows, in document order (Markdown sources aside)."""
    if node is None:
        return []
    if isinstance(node, (list, tuple)):
        return [t for n in node for t in tree_texts(n)]
    if isinstance(node, Component):
        if node._type in ("Markdown", "Graph", "Location", "Store"):
            return []
        props = node.to_plotly_json()["props"]
        out = tree_texts(props.get("children"))
        for option in props.get("options") or []:
            out += tree_texts(option.get("label"))
        return out
    text = str(node)
    return [text] if text.strip() else []


def assert_in_order(needles: list[str], haystack: str) -> None:
    pos = 0
    for needle in needles:
        found = haystack.find(needle.strip(), pos)
        assert found >= 0, f"{needle!r} missing after position {pos}"
        pos = found + len(needle.strip())


@pytest.fixture(scope="module")
def pages(dash_app):
    dash_app.server.test_client().get("/")
    return {name: sys.modules[f"pages.{name}"] for name in
            ("overview", "area", "spillover", "methods", "opendata", "accessibility",
             "scenarios")}


@pytest.mark.parametrize(("name", "kwargs"), [
    ("overview", {}), ("area", {"area_code": "OLDER"}),
    ("area", {"area_code": "OLDER", "terms": "real", "service": "LUNCH"}),
    ("area", {"area_code": "NOPE"}), ("spillover", {}), ("spillover", {"area": "OLDER"}),
    ("methods", {}), ("opendata", {}), ("accessibility", {}),
    ("scenarios", {}), ("scenarios", {"scenario": "close-luncheon-clubs",
                                      "compare": "expand-falls-prevention"}),
    ("scenarios", {"change": "NOSUCH:-1pct"})])
def test_server_rendering_keeps_every_text_of_the_page(pages, dash_app, name, kwargs):
    with dash_app.server.test_request_context("/"):
        tree = pages[name].layout(**kwargs)
        out = static_pages.Renderer().html(tree)
    text = " ".join(parse(str(out)).parts)
    assert_in_order(tree_texts(tree), text)


def test_form_controls_render_as_html_form_fields():
    import dash_bootstrap_components as dbc

    tree = html.Form([
        dbc.Input(type="hidden", name="csrf_token", value='t"<'),
        dbc.Input(id="v", name="value", type="number", value=-100, step="any", min=-5,
                  max=5, required=True, maxLength=3, invalid=True),
        dbc.Checklist(id="c", name="compare", options=[{"label": "A", "value": "a"},
                                                      {"label": "B<", "value": "b"}],
                      value="bc"),  # a string is one value, never matched by substring
        dbc.Select(id="s", name="draft", options=[{"label": "One", "value": "1"}], value="1",
                   disabled=True),
        dbc.Button("Save", id="save", type="submit", name="action", value="save",
                   color="secondary", disabled=True),
        dbc.Button("Plain"),
    ], method="post", action="/scenarios#x", noValidate=True)
    out = str(static_pages.Renderer().html(tree))
    tags = parse(out).tags
    assert tags[0] == ("form", {"action": "/scenarios#x", "method": "post",
                                "novalidate": None})
    inputs = [a for t, a in tags if t == "input"]
    assert inputs[0] == {"type": "hidden", "value": 't"<', "name": "csrf_token"}
    assert inputs[1] == {"id": "v", "type": "number", "value": "-100", "min": "-5", "max": "5",
                         "step": "any", "maxlength": "3", "required": None,
                         "class": "form-control is-invalid", "aria-invalid": "true",
                         "name": "value"}
    assert [(a["type"], a["name"], a["value"], "checked" in a) for a in inputs[2:]] == [
        ("checkbox", "compare", "a", False), ("checkbox", "compare", "b", False)]
    assert ("select", {"id": "s", "class": "form-select", "disabled": None,
                       "name": "draft"}) in tags
    buttons = [a for t, a in tags if t == "button"]
    assert buttons == [{"id": "save", "name": "action", "value": "save", "disabled": None,
                        "type": "submit", "class": "btn btn-secondary"},
                       {"type": "button", "class": "btn btn-primary"}]
    assert "B&lt;" in out


def test_markdown_becomes_html_with_raw_html_escaped():
    out = str(static_pages.Renderer().html(
        dcc.Markdown("# Title\n\nSome *words* and <script>alert(1)</script>\n\n"
                     "| a | b |\n|---|---|\n| 1 | 2 |")))
    assert "<h1>Title</h1>" in out and "<em>words</em>" in out and "<td>1</td>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out


@pytest.mark.parametrize("href", ["javascript:alert(1)", "java\tscript:alert(1)",
                                  "\x01javascript:alert(1)", " JavaScript:x", "//evil.example",
                                  "data:text/html,x", "vbscript:x"])
def test_unsafe_links_are_dropped(href):
    out = str(static_pages.Renderer().html(html.A("x", href=href)))
    assert out == "<a>x</a>"


@pytest.mark.parametrize("href", ["/area/OLDER", "#main", "?year=2024/25", "https://gov.uk",
                                  "mailto:x@example.org", "file.csv"])
def test_safe_links_are_kept(href):
    assert "href=" in str(static_pages.Renderer().html(html.A("x", href=href)))


def test_styles_are_checked_and_numbers_get_units_like_react():
    assert 'style="width: 150px; margin-top: 0"' in str(
        static_pages.Renderer().html(html.Div(style={"width": 150, "marginTop": 0})))
    for bad in ({"color": "red; background:url(https://x/y)"}, {"background": "url(x)"},
                {"font-family": "x"}):
        with pytest.raises(ValueError, match="style"):
            static_pages.Renderer().html(html.Div(style=bad))


def test_graphs_without_ids_get_their_own_figures_and_dict_ids_do_not_break_forms():
    renderer = static_pages.Renderer({"year": "year"})
    out = str(renderer.html(html.Div([
        dcc.Graph(figure={"data": [], "layout": {}}), dcc.Graph(figure={"data": [], "layout": {}}),
        html.Div(html.Span(id={"type": "x", "index": 1}), className="controls")])))
    ids = re.findall(r'data-figure="([^"]+)"', out)
    assert len(ids) == len(set(ids)) == 2


def test_booleans_render_nothing_as_in_react():
    assert str(static_pages.Renderer().html(html.P([True, False, None, "x"]))) == "<p>x</p>"


def test_text_and_attributes_are_escaped_and_script_links_dropped():
    out = str(static_pages.Renderer().html(html.Div([
        "<b>bold?</b> & more",
        html.A("x", href="javascript:alert(1)", title='"><img src=x onerror=alert(1)>'),
        html.Span("y", style={"fontWeight": "bold"}, **{"aria-label": "a<b"}),
    ], className='c" onclick="x')))
    assert "<b>" not in out and "&lt;b&gt;bold?&lt;/b&gt; &amp; more" in out
    assert "javascript:" not in out
    assert 'title="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in out
    assert 'class="c&#34; onclick=&#34;x"' in out
    assert 'style="font-weight: bold"' in out and 'aria-label="a&lt;b"' in out


def test_a_component_without_server_rendering_is_an_error_not_a_gap():
    with pytest.raises(TypeError, match="Dropdown"):
        static_pages.Renderer().html(html.Div(dcc.Dropdown(options=["a"])))


def test_graph_is_a_placeholder_with_its_figure_in_an_inert_json_block():
    renderer = static_pages.Renderer()
    figure = {"data": [{"type": "bar", "x": ["a"], "y": [1]}],
              "layout": {"height": 321, "title": {"text": "</script><script>alert(1)</script>"}}}
    out = str(renderer.html(dcc.Graph(id="g", figure=figure)))
    assert 'data-figure="g-figure"' in out and "min-height: 321px" in out
    scripts = str(renderer.figure_scripts())
    assert scripts.startswith('<script type="application/json" id="g-figure">')
    assert scripts.count("</script>") == 1 and "<script>alert" not in scripts


def test_a_bar_or_line_chart_comes_drawn_and_plotly_gets_the_same_axes():
    import json

    from dashboard import figures
    from dashboard.components import plain

    renderer = static_pages.Renderer()
    fig = plain(figures.bars(["Agency", "Supplies"], [3e6, 1e6]))
    out = str(renderer.html(html.Div([dcc.Graph(id="g", figure=fig),
                                      dcc.Graph(id="h", figure={"data": [], "layout": {}})])))
    drawn = re.search(r'<div id="g"[^>]*data-figure="g-figure"[^>]*>(.*?)</div></div>', out)
    assert drawn and drawn.group(1).startswith('<div class="chart-static"')
    assert re.search(r'<div id="h"[^>]*></div>', out)  # nothing drawn: an empty placeholder
    sent = json.loads(re.search(r'id="g-figure">(.*?)</script>',
                                str(renderer.figure_scripts())).group(1))
    _, patch = svg_charts.draw(fig, "g-figure")
    assert sent["layout"]["margin"] == {**fig["layout"]["margin"], **patch["margin"]}
    assert sent["layout"]["xaxis"]["range"] == patch["xaxis"]["range"]
    assert sent["layout"]["xaxis"]["tickprefix"] == "£"  # the figure's own settings kept


def test_listed_controls_become_named_fields_of_one_get_form(pages, dash_app):
    area = pages["area"]
    fields = {area.YEAR: "year", area.TERMS: "terms", area.BENCHMARK: "benchmark",
              area.LEVEL: "level", area.SERVICE: "service"}
    with dash_app.server.test_request_context("/"):
        out = str(static_pages.Renderer(fields).html(area.layout(area_code="OLDER",
                                                                 terms="real")))
    tags = parse(out).tags
    named = {a["name"] for t, a in tags if t in ("input", "select") and "name" in a}
    assert named == set(fields.values())
    assert all(a.get("form") == static_pages.FORM_ID
               for t, a in tags if t in ("input", "select"))
    checked = [a["value"] for t, a in tags if t == "input" and a.get("name") == "terms"
               and "checked" in a]
    assert checked == ["real"]
    buttons = [a for t, a in tags if t == "button"]
    assert len(buttons) == 2 and all(b["type"] == "submit" for b in buttons)


# ---- a public server -------------------------------------------------------------------

@pytest.fixture(scope="module")
def public_url(warehouse_file):
    proc, url = start_gunicorn(warehouse_file, mode="public")
    yield url
    stop(proc)


def _cells(page: str, table_id: str, column: int) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [re.findall(r"<td>(.*?)</td>", r, re.S)[column - 1] for r in rows]


@pytest.mark.parametrize("path", ["/", "/area/OLDER", "/spillover", "/methods", "/data",
                                  "/accessibility"])
def test_public_pages_are_complete_html_without_the_dash_runtime(public_url, path):
    r = requests.get(public_url + path, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Content-Encoding"] in ("br", "gzip")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    page = r.text
    assert '<html lang="en-GB">' in page and '<main id="main-content"' in page
    assert "<h1" in page and "Skip to main content" in page
    assert "_dash-component-suites/dash/" not in page and "_dash-config" not in page
    for url in re.findall(r'(?:src|href)="(/assets/[^"]+)"', page):
        asset = requests.get(public_url + url, timeout=30)
        assert asset.status_code == 200 and "max-age=31536000" in asset.headers["Cache-Control"]


def test_the_form_query_changes_the_view_like_a_shared_link(public_url, wh):
    want = wh("select financial_year, cost_per_outcome_gbp as cash, cost_per_outcome_real_gbp "
              "as real from mart_area_year where area_code = 'OLDER' order by financial_year")
    latest = want["financial_year"].iloc[-1]
    cash = requests.get(public_url + "/area/OLDER", timeout=30).text
    assert _cells(cash, "area-cost-table", 4) == [f"{v:,.0f}" for v in want["cash"]]
    real = requests.get(public_url + "/area/OLDER", timeout=30, params={
        "year": latest, "terms": "real", "benchmark": "england", "level": "95",
        "service": ""}).text
    assert _cells(real, "area-cost-table", 4) == [f"{v:,.0f}" for v in want["real"]]
    assert "in real terms" in real and "is not one this page offers" not in real
    suppliers = requests.get(public_url + "/area/OLDER?service=LUNCH", timeout=30).text
    assert 'id="area-suppliers-table"' in suppliers


def test_off_list_values_get_the_page_s_note_and_unknown_pages_a_404(public_url):
    odd = requests.get(public_url + "/area/OLDER?terms=<script>&year=1900", timeout=30)
    assert odd.status_code == 200
    assert "is not one this page offers" in odd.text and "<script>&" not in odd.text
    assert requests.get(public_url + "/area/NOPE", timeout=30).status_code == 404
    missing = requests.get(public_url + "/no/such/page", timeout=30)
    assert missing.status_code == 404 and 'href="/area/' not in missing.text
    assert 'href="/methods"' in missing.text
    # internal pages do not exist here at all
    for path in ("/scenarios", "/director"):
        assert requests.get(public_url + path, timeout=30).status_code == 404


def test_query_parameters_a_page_does_not_read_are_dropped(public_url):
    plain = requests.get(public_url + "/area/OLDER", timeout=30).text
    assert requests.get(public_url + "/area/OLDER?utm_source=x&z=1", timeout=30).text == plain
    # a query key naming a path variable cannot override the path
    clash = requests.get(public_url + "/area/OLDER?area_code=SAFE", timeout=30)
    assert clash.status_code == 200 and clash.text == plain


def test_one_address_per_page_and_no_dash_app_behind_other_paths(public_url):
    for path, target in (("/methods/", "/methods"), ("/area/OLDER/?terms=real",
                                                      "/area/OLDER?terms=real"),
                         ("/area//OLDER", "/area/OLDER")):
        r = requests.get(public_url + path, timeout=30, allow_redirects=False)
        assert r.status_code == 308 and r.headers["Location"].endswith(target), path
    for path in ("/login", "/loginfoo", "/download/x", "/api/nope", "/_nope", "/x" * 150):
        r = requests.get(public_url + path, timeout=30)
        assert r.status_code == 404, path
        assert "_dash-config" not in r.text and "_dash-component-suites/dash/" not in r.text
    head = requests.head(public_url + "/area/OLDER", timeout=30)
    assert head.status_code == 200 and not head.content


def test_only_pages_with_forms_of_their_own_take_a_post(client):
    for path in ("/", "/area/OLDER", "/methods", "/nope"):
        assert client.post(path, data={"action": "save"}).status_code == 405, path
    # the planner takes its forms; without a token nothing is done and the reader is told
    for path in ("/scenarios", "/scenarios/"):
        r = client.post(path, data={"action": "save", "name": "x"})
        assert r.status_code == 400 and "Nothing was done" in r.get_data(as_text=True)


def test_a_shared_page_that_touched_the_session_is_never_kept(dash_app, monkeypatch):
    from flask_wtf.csrf import generate_csrf

    page = next(p for p in static_pages.dash.page_registry.values() if p["path"] == "/methods")
    monkeypatch.setitem(page, "layout", lambda **_: html.P(generate_csrf()))
    with (dash_app.server.test_request_context("/methods"),
          pytest.raises(RuntimeError, match="shared_cache page used the session")):
        static_pages._build("v-test", "/methods", (), "internal")


def test_page_cache_setting_is_checked(monkeypatch):
    import flask

    monkeypatch.setenv("PAGE_CACHE", "sometimes")
    with pytest.raises(ValueError, match="PAGE_CACHE"):
        static_pages.register(flask.Flask("x"), "public")
