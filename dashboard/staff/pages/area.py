"""Area explorer: one investment area's money, outcomes and services, with live controls.

The same view functions as the public area page (``dashboard.views.area`` and
``area_sections``), drawn as Dash components; the controls (area, year, money in cash or real
terms, the comparison and its level, a service's suppliers) redraw the page through one
callback and keep the URL in step: ``/staff/area?area=OLDER&year=2023/24&terms=real``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, dcc, html

from dashboard import auth, data
from dashboard.components import chart_block, radio_group, select_control
from dashboard.staff.guard import untrusted
from dashboard.views import area as av
from dashboard.views import area_sections
from dashboard.views.blocks import ChartBlock
from dashboard.views.format import BENCHMARK_OPTIONS, LEVEL_OPTIONS

PREFIX = "explorer"
URL = f"{PREFIX}-url"
TITLE = f"{PREFIX}-title"
NOTE = f"{PREFIX}-note"
HEADLINE = f"{PREFIX}-headline"
CONTROLS = f"{PREFIX}-controls"
AREA = f"{PREFIX}-area"
YEAR = f"{PREFIX}-year"
TERMS = f"{PREFIX}-terms"
BENCHMARK = f"{PREFIX}-benchmark"
LEVEL = f"{PREFIX}-level"
SERVICE = f"{PREFIX}-service"
CONTENT = f"{PREFIX}-content"

dash.register_page(__name__, path="/area", name="Area explorer", order=3,
                   title="Area explorer — Outcomes Budget Dashboard")


def _block(b: ChartBlock):
    return chart_block(b.id, b.title, b.summary, b.figure, b.table, b.csv)


def _marker(m: dict, kind: str) -> html.Span:
    """A comparison badge or trend marker: a symbol and the words (never colour alone)."""
    return html.Span([html.Span(m["symbol"], **{"aria-hidden": "true"}), " ", m["words"]],
                     className=f"{kind} {m['css']}")


def _indicators(ind: dict) -> html.Div:
    rows = [html.Tr([
        html.Th([r["name"], html.Br(), html.Span(r["role"], className="role")], scope="row"),
        html.Td(r["period"]), html.Td(r["count"]), html.Td(r["value"]), html.Td(r["interval"]),
        html.Td(r["benchmark_value"]),
        html.Td(_marker(r["comparison"], "cmp")), html.Td(_marker(r["trend"], "trend")),
    ]) for r in ind["rows"]]
    # no small trend line here (the site draws it with charts.js, decorative): the trend is
    # in words, and every period is in the table below
    columns = [c for c in ind["columns"] if c != "Trend"]
    table = html.Table([html.Caption(ind["caption"]),
                        html.Thead(html.Tr([html.Th(c, scope="col") for c in columns])),
                        html.Tbody(rows)], id=ind["id"],
                       className="table table-sm indicator-table data-table")
    return html.Div([
        html.P(ind["summary"], id=f"{ind['id']}-summary", className="chart-summary"),
        html.Div(table, className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Indicators table"}),
        html.P(html.A("Download this table (CSV)", id=f"{ind['id']}-csv", className="csv-link",
                      href=ind["csv"])),
        _block(ind["trends"]),
    ])


def _suppliers(s: dict | None) -> list:
    if s is None:
        return [html.P("Choose a service above to see what it paid for and to whom.",
                       className="text-muted")]
    if s.get("message"):
        return [html.P(s["message"])]
    return [html.H3(s["heading"], className="h4"), *[_block(b) for b in s["blocks"]]]


def _content(page: dict) -> list:
    return [
        html.H2("Cost per outcome", className="section-heading h3"),
        _block(page["cost"]), _block(page["spend"]),
        html.H2("Indicators", className="section-heading h3"),
        _indicators(page["indicators"]),
        html.H2("Services funding this area", className="section-heading h3"),
        _block(page["services_block"]),
        *_suppliers(page["suppliers"]),
    ]


def _page(area, query: dict) -> tuple[dict, list[str]]:
    """The page for an allow-listed area (the first one, with a note, if not)."""
    notes = []
    try:
        area = av.check_area(area)
    except ValueError:
        first = str(data.query("area_codes")["area_code"].iloc[0])
        if area is not None:
            notes.append(f"The link's area “{str(area)[:40]}” is not one this page offers, "
                         "so the first area is shown.")
        area = first
    page = area_sections.page(area, query)
    return page, notes + page["notes"]


def _search(view: av.View) -> str:
    params = {"area": view.area, "year": view.year, "terms": view.terms,
              "benchmark": view.benchmark, "level": view.level}
    if view.service:
        params["service"] = view.service
    return "?" + urlencode(params, safe="/")


def layout(area=None, **query) -> html.Div:
    if not auth.current_user().is_internal:
        return html.Div([html.H1("Area explorer", id=TITLE),
                         html.P("The area explorer is for signed-in council staff.")])
    query = {k: v for k, v in query.items()
             if k in ("year", "terms", "benchmark", "level", "service")}
    page, notes = _page(area, query)
    view = page["view"]
    areas = data.query("area_codes")
    controls = html.Div([
        select_control(AREA, "Investment area",
                       list(zip(areas["area_code"], areas["area_name"], strict=True)),
                       view.area),
        select_control(YEAR, "Year", [(y, y) for y in page["years"]], view.year),
        radio_group(TERMS, "Money in", av.TERMS_OPTIONS, view.terms),
        radio_group(BENCHMARK, "Compare with", BENCHMARK_OPTIONS, view.benchmark),
        radio_group(LEVEL, "Significance level", LEVEL_OPTIONS, view.level),
        select_control(SERVICE, "See what a service paid for, and to whom",
                       [("", "No service chosen"), *page["services"]], view.service),
    ], id=CONTROLS, className="controls", role="group",
        **{"aria-label": "Choose what the page shows"})
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        html.H1("Area explorer", id=TITLE),
        html.P("One investment area's spend, cost per outcome, indicators and services.",
               className="lead"),
        html.Div([html.P(n) for n in notes], id=NOTE, role="status",
                 className="state-note" if notes else None),
        controls,
        html.P(page["headline"], id=HEADLINE, className="headline", **{"aria-live": "polite"}),
        html.Div(_content(page), id=CONTENT),
    ])


@dash.callback(
    Output(URL, "search"),
    Output(HEADLINE, "children"),
    Output(CONTENT, "children"),
    Output(NOTE, "children"),
    Output(YEAR, "options"),
    Output(YEAR, "value"),
    Output(SERVICE, "options"),
    Output(SERVICE, "value"),
    Input(AREA, "value"),
    Input(YEAR, "value"),
    Input(TERMS, "value"),
    Input(BENCHMARK, "value"),
    Input(LEVEL, "value"),
    Input(SERVICE, "value"),
    prevent_initial_call=True,
)
@untrusted
def update(area, year, terms, benchmark, level, service):
    """Redraw the view; a year or service the new area lacks falls back, with a note."""
    if not auth.current_user().is_internal:
        raise dash.exceptions.PreventUpdate
    area = av.check_area(area)  # off-list: no update
    query = {k: v for k, v in (("year", year), ("terms", terms), ("benchmark", benchmark),
                               ("level", level), ("service", service)) if v not in (None, "")}
    page, notes = _page(area, query)
    view = page["view"]
    services = [{"label": "No service chosen", "value": ""}] + [
        {"label": name, "value": code} for code, name in page["services"]]
    return (_search(view), page["headline"], _content(page), [html.P(n) for n in notes],
            [{"label": y, "value": y} for y in page["years"]], view.year, services,
            view.service)
