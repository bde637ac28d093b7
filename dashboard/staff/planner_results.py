"""The scenario planner's results as Dash components: the year-by-year table, the chances of
a net saving, the changes, the charts with their sentences and tables, the comparison.

Built on every callback from the cached model run (frames and figures are cached, never
these component trees); the words and numbers come from ``dashboard.views``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.components import chart_block
from dashboard.staff.planner_ids import (
    CHANGES_TABLE,
    COMPARE_BLOCK,
    EVIDENCE_BLOCK,
    PREFIX,
    PROBS,
    SHARE_LINK,
    TORNADO_BLOCK,
    YEARS_BLOCK,
    YEARS_TABLE,
)
from dashboard.views import scenario_run as run
from dashboard.views.format import money, money_interval, money_signed
from dashboard.views.scenarios import (
    DRAWS,
    PERSIST,
    SEED,
    YEARS,
    Planner,
    Scenario,
    amounts,
    change_token,
    change_words,
    search_for,
)


def _num(value) -> float | None:
    """A table value as a float, None where it is unknown (None or NaN)."""
    return None if value is None or pd.isna(value) else float(value)


def cell(value: float, low: float | None = None, high: float | None = None,
         cell_id: str | None = None) -> html.Td:
    # one text: the figure, and its interval on a second line (``white-space: pre-line``; the
    # first line is the figure's size, app.css): one component per cell for the browser
    text = "not known" if _num(value) is None else money_signed(_num(value))
    low, high = _num(low), _num(high)
    if low is not None and high is not None and abs(high - low) > 0.5:
        text += f"\n({money_interval(low, high)})"
    kwargs = {"id": cell_id} if cell_id else {}
    return html.Td(text, className="num", **kwargs)


def years_html(table: pd.DataFrame) -> html.Div:
    """The year-by-year table a reader sees first: per payer, direct, knock-on and net."""
    years = [str(y) for y in range(1, YEARS + 1)]
    total = f"{YEARS}-year total"
    head = html.Thead(html.Tr([html.Th("Payer", scope="col"), html.Th("Effect", scope="col"),
                               *[html.Th(f"Year {y}", scope="col") for y in years],
                               html.Th(f"{YEARS} years", scope="col"),
                               html.Th("Chance of a net saving", scope="col")]))
    order = [*years, total]
    # one dict per (payer, year): reading cells from records, not pandas lookups, keeps a
    # redraw of the planner fast
    by_payer: dict[str, dict[str, dict]] = {}
    for rec in table.to_dict("records"):
        by_payer.setdefault(rec["payer_code"], {})[rec["year"]] = rec
    words = {"direct": "Direct (the spend change)", "knock": "Knock-on (modelled)", "net": "Net"}
    body = []
    for code, rows in by_payer.items():
        recs = [rows[y] for y in order]
        kinds = []
        if max(abs(_num(r["direct_saving_gbp"]) or 0) for r in recs) > 0.5:
            kinds.append("direct")
        # a knock-on that moves, or whose interval is wide, or that is unknown, is shown
        knocks = [(_num(r["knock_on_saving_gbp"]), _num(r["knock_on_lower95_gbp"]),
                   _num(r["knock_on_upper95_gbp"])) for r in recs]
        if any(k is None or abs(k) > 0.5 or (lo is not None and hi is not None
                                             and abs(hi - lo) > 0.5) for k, lo, hi in knocks):
            kinds.append("knock")
        kinds.append("net")
        group_class = "payer-total" if code in ("council", "public_purse") else "payer"
        for j, kind in enumerate(kinds):
            cells = []
            if j == 0:
                cells.append(html.Th(str(recs[0]["payer"]), scope="rowgroup",
                                     rowSpan=len(kinds), id=f"{PREFIX}-payer-{code}"))
            cells.append(html.Th(words[kind], scope="row"))
            for y, r in zip(order, recs, strict=True):
                suffix = "total" if y == total else f"y{y}"
                if kind == "direct":
                    cells.append(cell(r["direct_saving_gbp"]))
                elif kind == "knock":
                    cells.append(cell(r["knock_on_saving_gbp"], r["knock_on_lower95_gbp"],
                                      r["knock_on_upper95_gbp"]))
                else:
                    cells.append(cell(r["net_saving_gbp"], r["net_lower95_gbp"],
                                      r["net_upper95_gbp"], f"{PREFIX}-net-{code}-{suffix}"))
            if kind == "net":
                cells.append(html.Td(run.probability(_num(rows[total]["prob_net_saving"])),
                                     className="num", id=f"{PREFIX}-prob-{code}"))
            else:
                cells.append(html.Td(""))
            body.append(html.Tr(cells, className=f"{group_class} {kind}"))
    caption = (f"Year by year for {YEARS} years, £ (a figure without a minus sign is a saving; "
               "− is an extra cost), with 95% intervals in brackets; years after the first are "
               "discounted at 3.5% a year.")
    tbl = html.Table([html.Caption(caption), head, html.Tbody(body)], id=YEARS_TABLE,
                     className="table table-sm data-table years-table")
    return html.Div(tbl, className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": "Year-by-year effects by payer"})


def probabilities(view: dict) -> html.Section:
    dl = []
    for label, chance, code, words in run.probability_rows(view):
        dl += [html.Dt(label),
               html.Dd([html.Span(chance, className="figure", id=f"{PREFIX}-chance-{code}"),
                        f" — {words}"])]
    heading = f"{PROBS}-heading"
    return html.Section([html.H2("How likely is a net saving?", id=heading, className="h4"),
                         html.Dl(dl, className="probabilities")],
                        id=PROBS, **{"aria-labelledby": heading})


def warnings(view: dict) -> list:
    """What the reader must know first: unknown knock-on effects, demand-led services."""
    if not view["warnings"]:
        return []
    return [dbc.Alert([html.P(w, className="mb-0") for w in view["warnings"]],
                      color="warning", id=f"{PREFIX}-warnings", className="state-note")]


def changes_table(scenario: Scenario, plan: Planner) -> html.Div:
    pounds = dict(amounts(scenario.changes, plan))
    frame = pd.DataFrame({
        "service": [plan.services.at[c.service_code, "service_name"] for c in scenario.changes],
        "department": [plan.services.at[c.service_code, "dept_name"] for c in scenario.changes],
        "statutory": ["statutory" if plan.services.at[c.service_code, "statutory"]
                      else "non-statutory" for c in scenario.changes],
        "change": [change_words(c, plan) for c in scenario.changes],
        "£ a year": [money_signed(pounds[c.service_code]) for c in scenario.changes],
        f"spend {plan.latest_year}": [money(plan.services.at[c.service_code, "spend_gbp"])
                                      for c in scenario.changes],
    })
    head = html.Thead(html.Tr([html.Th(c, scope="col") for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(v) for v in row]) for row in frame.values])
    return html.Div(dbc.Table([html.Caption("The changes in this scenario"), head, body],
                              id=CHANGES_TABLE, size="sm", className="data-table"),
                    className="table-responsive")


def years_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The years chart's data, one row per payer and one column per year (each cell: the net
    saving, its 95% interval and the chance of a net saving): the same figures as the CSV's
    long table in a fifth of the cells, so the browser builds far fewer components."""
    shown = run.display(table[["payer", "year", "net_saving_gbp", "net_lower95_gbp",
                               "net_upper95_gbp", "prob_net_saving"]])
    rows: dict[str, dict[str, str]] = {}
    for rec in shown.to_dict("records"):
        year = str(rec["year"])
        rows.setdefault(rec["payer"], {"payer": rec["payer"]})[
            year if not year.isdigit() else f"year {year}"] = (
            f"{rec['net saving (£)']} ({rec['net lower95 (£)']} to {rec['net upper95 (£)']}; "
            f"{rec['prob net saving']} chance of a net saving)")
    return pd.DataFrame(list(rows.values()))


def tornado_compact(torn: pd.DataFrame) -> pd.DataFrame:
    """The tornado's data with each range in one cell (low, central, high; the net at the low
    and high ends): every figure the chart shows, in five columns instead of eight."""
    shown = run.display(torn.drop(columns=["kind", "what"]))
    return pd.DataFrame({
        "input": shown["input"],
        "values tried (low, central, high)": (shown["low value"] + ", "
                                              + shown["central value"] + ", "
                                              + shown["high value"]),
        "net saving at the low and high values (£)": (shown["net saving at low (£)"] + " to "
                                                      + shown["net saving at high (£)"]),
        "central net saving (£)": shown["central net saving (£)"],
        "swing (£)": shown["swing (£)"],
    })


def charts(scenario: Scenario, out: dict, csv: tuple[str, dict] | None) -> list:
    """The years chart, the tornado and the evidence table, each with its sentence and data."""
    table = out["years"]
    years_block = chart_block(
        YEARS_BLOCK, run.years_chart_title(out["view"]),
        "Net saving by payer and year (median of the draws; the whiskers are 95% intervals). The "
        "direct effect is the spend change itself; knock-on effects are modelled from the "
        "evidence and are uncertain.",
        out["years_figure"], years_wide(table), csv)
    torn = out["tornado_table"]
    if len(torn):
        t_title, t_text = run.tornado_words(torn)
        tornado_block = chart_block(TORNADO_BLOCK, t_title, t_text, out["tornado_figure"],
                                    tornado_compact(torn))
    else:
        tornado_block = html.P("No assumption moves this result.", id=TORNADO_BLOCK)
    ev = out["evidence"]
    evidence_block = chart_block(EVIDENCE_BLOCK,
                                 "Claimed knock-on effects beside the strength of their evidence",
                                 run.evidence_words(ev), None, run.display(ev))
    # the evidence table is what the reader must see next to the savings: open by default
    evidence_block.children[-1].open = True
    return [years_block, tornado_block, evidence_block]


def method_note(scenario: Scenario, view: dict) -> html.P:
    json = "/api/v1/scenario-results" + search_for(scenario.changes, scenario.ref,
                                                   persistence=scenario.persistence)
    return html.P([f"Modelled with {DRAWS:,} Monte Carlo draws (seed {SEED}), {YEARS} years, "
                   f"{', '.join(view['settings']['price_years']) or 'current'} prices, "
                   "discounted at 3.5% a year from year 2 (HM Treasury Green Book); central "
                   "figures are the medians of the draws. ",
                   html.A("These figures as JSON", href=json),
                   ". These are modelled effects; what the council's own data show is on the ",
                   html.A("spill-over page", href="/spillover#spillover-observed"),
                   ", labelled as observed association, not evidence of cause. ",
                   html.A("Methods", href="/methods"), "."], className="small")


def compare_section(runs: list[tuple[Scenario, dict]], href) -> html.Section:
    """Scenarios side by side; ``href(scenario)`` is the link to open each one."""
    rows = run.compare_rows(runs)
    head = html.Thead(html.Tr([html.Th("", scope="col")]
                              + [html.Th(html.A(s.name, href=href(s)), scope="col")
                                 for s, _ in runs]))
    body = html.Tbody([html.Tr([html.Th(k, scope="row"), *[html.Td(v) for v in vals]])
                       for k, vals in rows.items()])
    heading = f"{COMPARE_BLOCK}-heading"
    return html.Section([
        html.H2("Side by side", id=heading, className="h4 section-heading"),
        html.Div(dbc.Table([html.Caption("Scenarios compared (net savings; − is an extra "
                                         "cost)"), head, body], size="sm",
                           className="data-table", id=f"{COMPARE_BLOCK}-table"),
                 className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Scenarios compared"}),
    ], id=COMPARE_BLOCK, **{"aria-labelledby": heading})


def csv_params(scenario: Scenario) -> dict:
    params = ({"scenario": scenario.ref} if scenario.ref
              else {"change": ",".join(change_token(c) for c in scenario.changes)})
    if scenario.persistence != "sustained":
        params[PERSIST] = scenario.persistence
    return params


def results(scenario: Scenario, plan: Planner, share: str) -> tuple[str, list]:
    """The headline, and every result below it, for ``scenario`` (``share``: its link)."""
    out = run.model_run(scenario, plan)
    view = out["view"]
    return run.headline(scenario, view), [
        *warnings(view),
        html.P(["Link to this scenario: ", html.A(share, href=share, id=SHARE_LINK)],
               className="small"),
        changes_table(scenario, plan),
        probabilities(view),
        html.H2("Year by year, for each payer", className="h4 section-heading"),
        years_html(out["years"]),
        *charts(scenario, out, ("scenario", csv_params(scenario))),
        method_note(scenario, view),
    ]
