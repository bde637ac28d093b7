"""Director view: one department's services across every investment area, and the indicators
in those areas that need attention first. Internal only: it shows unpublished budget lines.

State lives in the URL (``/staff/director?dept=ASC&year=2024/25&benchmark=england&level=95``);
the controls redraw the page through one callback and keep the URL in step.
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import auth, data
from dashboard.components import radio_group, select_control
from dashboard.staff.director_sections import content
from dashboard.staff.guard import untrusted
from dashboard.views import director as views
from dashboard.views.format import BENCHMARK_OPTIONS, LEVEL_OPTIONS

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

dash.register_page(__name__, path="/director", name="Directors", order=2,
                   title="Director view — Outcomes Budget Dashboard")


def area_href(area: str, query: dict) -> str:
    """A service's suppliers: the area explorer at that area, year and service."""
    return "/staff/area?" + urlencode({"area": area, **query}, safe="/")


def layout(dept=None, year=None, benchmark=None, level=None, **_) -> html.Div:
    if not auth.current_user().is_internal:
        return html.Div([html.H1("Director view", id=TITLE),
                         html.P("The director view is for signed-in council staff.")])
    query = {k: v for k, v in (("dept", dept), ("year", year), ("benchmark", benchmark),
                               ("level", level)) if v is not None}
    view, notes = views.view_from_query(query)
    depts = data.query("department_codes")
    text, sections = content(view, area_href)
    controls = html.Div([
        select_control(DEPT, "Department", list(zip(depts["dept_code"], depts["dept_name"],
                                                    strict=True)), view.dept),
        select_control(YEAR, "Year", [(y, y) for y in reversed(views.years())], view.year),
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
        html.Div(sections, id=CONTENT),
    ])


@dash.callback(
    Output(URL, "search"),
    Output(HEADLINE, "children"),
    Output(CONTENT, "children"),
    Output(NOTE, "children"),
    Input(DEPT, "value"),
    Input(YEAR, "value"),
    Input(BENCHMARK, "value"),
    Input(LEVEL, "value"),
    prevent_initial_call=True,
)
@untrusted
def update(dept, year, benchmark, level):
    """Redraw the view for the chosen department and put the state in the URL."""
    if not auth.current_user().is_internal:
        raise PreventUpdate
    try:
        view = views.make_view(dept, year, benchmark, level)
    except ValueError:
        raise PreventUpdate from None
    text, sections = content(view, area_href)
    return view.search(), text, sections, []
