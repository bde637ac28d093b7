"""Director view: one department's services across every investment area, and the indicators
in those areas that need attention (significantly worse than the benchmark, or significantly
getting worse) first. Internal mode only: it shows unpublished budget lines.

State lives in the URL (``/director?dept=ASC&year=2024/25&benchmark=england&level=95``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import data, downloads, settings
from dashboard.components import (
    BENCHMARK_OPTIONS,
    LEVEL_OPTIONS,
    radio_group,
    select_control,
)
from dashboard.staff import datasets
from dashboard.staff.director_sections import content
from dashboard.views.director import (  # noqa: F401 - tests read them from here
    View,
    alerts_table,
    budget_table,
    headline,
    indicators,
    make_view,
    services_table,
    validate_alerts,
    validate_dept_year,
    view_from_query,
)
from dashboard.views.director import (
    years as _years,
)

PREFIX = "director"
URL = f"{PREFIX}-url"
TITLE = f"{PREFIX}-title"
HEADLINE = f"{PREFIX}-headline"
NOTE = f"{PREFIX}-note"
CONTROLS = f"{PREFIX}-controls"
DEPT = f"{PREFIX}-dept"
YEAR = f"{PREFIX}-year"
BENCHMARK = f"{PREFIX}-benchmark"
LEVEL = f"{PREFIX}-level"
CONTENT = f"{PREFIX}-content"
ALERTS_TABLE = f"{PREFIX}-alerts"
ALERTS_BLOCK = f"{PREFIX}-alerts-data"
BUDGET_BLOCK = f"{PREFIX}-budget"
SERVICES_BLOCK = f"{PREFIX}-services"
LINKS = f"{PREFIX}-service-links"

# the page shows draft and internal budget lines: never registered in public mode
ENABLED = settings.mode() == "internal"
if ENABLED:
    dash.register_page(__name__, path="/director", order=3, name="Directors",
                       title="Director view — Outcomes Budget Dashboard")



def _area_href(area: str, query: dict) -> str:
    return f"/area/{area}?" + urlencode(query, safe="/")


def _content(view: View) -> tuple[str, list]:
    return content(view, _area_href)


if ENABLED:
    for _name, _params, _validate, _table in datasets.DATASETS[1:]:
        downloads.dataset(_name, _params, _validate)(_table)


# ---- layout and callback ---------------------------------------------------------------

def layout(**query) -> html.Div:
    view, notes = view_from_query(query)
    depts = data.query("department_codes")
    text, content = _content(view)
    controls = html.Div([
        select_control(DEPT, "Department", list(zip(depts["dept_code"], depts["dept_name"],
                                                    strict=True)), view.dept),
        select_control(YEAR, "Year", [(y, y) for y in reversed(_years())], view.year),
        radio_group(BENCHMARK, "Compare with", BENCHMARK_OPTIONS, view.benchmark),
        radio_group(LEVEL, "Significance level", LEVEL_OPTIONS, view.level),
    ], id=CONTROLS, className="controls", role="group",
        **{"aria-label": "Choose the department and comparison"})
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        html.H1("Director view", id=TITLE),
        html.P("A department's services across every investment area, and the indicators in "
               "those areas that are significantly worse than the benchmark or significantly "
               "getting worse, first.", className="lead"),
        html.Div([html.P(n) for n in notes], id=NOTE, className="state-note" if notes else None,
                 role="status"),
        controls,
        html.P(text, id=HEADLINE, className="headline", **{"aria-live": "polite"}),
        html.Div(content, id=CONTENT),
    ])


def update(dept, year, benchmark, level):
    """Redraw the page for the chosen department and put the state in the URL."""
    try:
        view = make_view(dept, year, benchmark, level)
    except ValueError:
        raise PreventUpdate from None
    text, content = _content(view)
    return view.search(), text, content, []


if ENABLED:
    dash.callback(
        Output(URL, "search"),
        Output(HEADLINE, "children"),
        Output(CONTENT, "children"),
        Output(NOTE, "children"),
        Input(DEPT, "value"),
        Input(YEAR, "value"),
        Input(BENCHMARK, "value"),
        Input(LEVEL, "value"),
        prevent_initial_call=True,
    )(update)
