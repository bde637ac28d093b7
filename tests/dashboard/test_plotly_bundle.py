"""The custom plotly.js build (dashboard/vendor/plotly.min.js) draws every chart the dashboard
makes, matches the plotly.js version plotly.py ships, and is what Dash's URL serves."""

from __future__ import annotations

import ast
import gzip
import json
from pathlib import Path

import brotli
import plotly
import plotly.graph_objects as go
import pytest
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

from dashboard import plotly_bundle
from dashboard.security import LONG_CACHE

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "assets-src" / "plotly"
FULL = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
URL = "/staff/_dash-component-suites/plotly/package_data/plotly.min.js"  # the staff dashboard

# go.Bar -> "bar", for every trace class plotly.py has
TRACE_CLASSES = {name: getattr(go, name)().type for name in dir(go)
                 if isinstance(getattr(go, name), type)
                 and issubclass(getattr(go, name), BaseTraceType)}
TRACE_TYPES = set(TRACE_CLASSES.values())


GO_MODULES = {"plotly.graph_objects", "plotly.graph_objs"}


def traces_used(tree: ast.AST) -> set[str]:
    """Trace types a module builds: go.Bar(...), Bar(...) imported from plotly.graph_objects,
    fig.add_bar(...), {"type": "bar"} and type="bar" (only values that name a trace type)."""
    go_names, trace_names = set(), {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            go_names |= {a.asname or a.name for a in node.names if a.name in GO_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module == "plotly":
            go_names |= {a.asname or a.name for a in node.names
                         if f"plotly.{a.name}" in GO_MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module in GO_MODULES:
            trace_names |= {a.asname or a.name: TRACE_CLASSES[a.name] for a in node.names
                            if a.name in TRACE_CLASSES}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr in TRACE_CLASSES
                    and ast.unparse(func.value) in go_names):
                found.add(TRACE_CLASSES[func.attr])
            elif isinstance(func, ast.Name) and func.id in trace_names:
                found.add(trace_names[func.id])
            elif (isinstance(func, ast.Attribute) and func.attr.startswith("add_")
                  and func.attr[4:] in TRACE_TYPES):
                found.add(func.attr[4:])
            found |= {kw.value.value for kw in node.keywords
                      if kw.arg == "type" and isinstance(kw.value, ast.Constant)
                      and kw.value.value in TRACE_TYPES}
        elif isinstance(node, ast.Dict):
            found |= {v.value for k, v in zip(node.keys, node.values, strict=True)
                      if isinstance(k, ast.Constant) and k.value == "type"
                      and isinstance(v, ast.Constant) and v.value in TRACE_TYPES}
    return found


def test_the_scan_finds_each_way_of_writing_a_trace():
    tree = ast.parse(
        "import plotly.graph_objects as go\nfrom plotly.graph_objects import Sankey as S\n"
        "go.Figure(data=[go.Bar(x=[1]), S(), {'type': 'pie'}, dict(type='violin')])\n"
        "fig.add_funnel(x=[1]); layout = {'xaxis': {'type': 'category'}, 'shapes': "
        "[{'type': 'line'}]}; html.Table([]); dbc.Table([])")
    assert traces_used(tree) == {"bar", "sankey", "pie", "violin", "funnel"}


def test_every_trace_type_the_dashboard_builds_is_in_the_bundle():
    used: dict[str, list[str]] = {}
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        for trace in traces_used(ast.parse(path.read_text(encoding="utf-8"))):
            used.setdefault(trace, []).append(str(path.relative_to(ROOT)))
    assert used, "the scan found no charts at all: has the way figures are written changed?"
    missing = {t: where for t, where in used.items() if t not in plotly_bundle.traces()}
    assert not missing, (
        f"trace types drawn but not in dashboard/vendor/plotly.min.js: {missing}. Add each to "
        "assets-src/plotly/traces.txt and run `make plotly-bundle`")


def test_the_bundle_is_built_from_traces_txt_and_the_plotly_js_plotly_py_ships():
    listed = [line.split("#")[0].strip()
              for line in (SRC / "traces.txt").read_text(encoding="utf-8").splitlines()]
    assert plotly_bundle.traces() == [t for t in listed if t], \
        "traces.txt changed since the bundle was built: run `make plotly-bundle`"
    version = get_plotlyjs_version()
    assert plotly_bundle.header()["version"] == version, \
        "plotly.py ships another plotly.js: pin it in assets-src/plotly/package.json and rebuild"
    lock = json.loads((SRC / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/plotly.js"]["version"] == version
    assert json.loads((SRC / "package.json").read_text())["devDependencies"]["plotly.js"] == version


def test_the_precompressed_copies_are_of_the_same_bytes():
    raw = plotly_bundle.BUNDLE.read_bytes()
    assert gzip.decompress(Path(f"{plotly_bundle.BUNDLE}.gz").read_bytes()) == raw
    assert brotli.decompress(Path(f"{plotly_bundle.BUNDLE}.br").read_bytes()) == raw


@pytest.mark.parametrize(("accept", "encoding"), [("gzip, deflate, br", "br"),
                                                  ("gzip, deflate", "gzip"), ("", None)])
def test_dash_s_plotly_url_serves_the_custom_bundle(client, accept, encoding):
    raw = plotly_bundle.BUNDLE.read_bytes()
    assert len(raw) < 0.4 * FULL.stat().st_size
    # the URL dash-renderer gives dcc.Graph's lazy loader, and its fingerprinted form
    for url in (URL, URL.replace("plotly.min.js", "plotly.v4_1_1m1700000000.min.js")):
        r = client.get(url, headers={"Accept-Encoding": accept})
        assert r.status_code == 200
        assert r.headers.get("Content-Encoding") == encoding
        body = r.get_data()
        decoded = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(body)
        assert decoded == raw
        # Dash's own URL has no version: a day, then revalidated; a fingerprinted one: a year
        assert r.headers["Cache-Control"] == (
            "public, max-age=86400" if url == URL else LONG_CACHE)
        again = client.get(url, headers={"Accept-Encoding": accept,
                                         "If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304 and not again.get_data()
        assert "Accept-Encoding" in r.headers["Vary"]
        assert r.mimetype == "text/javascript"
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert client.get("/staff/_dash-component-suites/plotly/package_data/other.js"
                      ).status_code == 404


@pytest.mark.parametrize("mode", ["internal", "public"])
def test_the_site_serves_the_custom_bundle_at_its_own_url(request, mode):
    client = request.getfixturevalue("app" if mode == "internal" else "public_app").test_client()
    page = client.get("/area/OLDER").get_data(as_text=True)
    assert f'data-plotly-src="{plotly_bundle.SITE_URL}"' in page
    r = client.get(plotly_bundle.SITE_URL, headers={"Accept-Encoding": "br"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    assert brotli.decompress(r.get_data()) == plotly_bundle.BUNDLE.read_bytes()
    assert client.get(plotly_bundle.SITE_URL, headers={
        "Accept-Encoding": "br", "If-None-Match": r.headers["ETag"]}).status_code == 304
