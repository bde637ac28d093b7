"""Spill-over effects: who pays and who benefits from each service, for an area or the council.

``/spillover`` (the whole council) or ``/spillover?area=OLDER`` (one investment area). The
page shows the modelled effect of the latest year's spend on each service with spill-over
links, as if that spend were an investment against none (the model is linear, so the same
figures with the sign turned are what cutting it all would cost): a Sankey diagram from
services to outcomes to the payers who avoid the costs, and a payer x payer matrix of £ of
effect per £1 spent. Each has its data table, with the evidence grade and source of every
link, and a CSV. A separate section shows what the council's own data show, labelled as an
observed association, not evidence of cause.

Area spend: a service serving several areas counts in each with its allocation share.
"""

from __future__ import annotations

from typing import NamedTuple

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html

from dashboard import data, downloads, figures
from dashboard.components import (
    PALETTE,
    chart_block,
    money,
    number,
    spillover_inputs,
)
from dashboard.views.scenario_results import money_prose
from indicators import spillover as sp

dash.register_page(__name__, path="/spillover", order=3, name="Spill-over effects",
                   title="Spill-over effects — Outcomes Budget Dashboard",
                   static_query=("area",),  # the GET parameters it reads
                   server_rendered=("public", "internal"),  # no callbacks: HTML in both
                   shared_cache=True)  # the same for every reader: see static_pages

PREFIX = "spillover"
# component ids, each written once
TITLE = f"{PREFIX}-title"
AREA_NAV = f"{PREFIX}-areas"
NOTE = f"{PREFIX}-note"
SUMMARY = f"{PREFIX}-summary"
SANKEY_BLOCK = f"{PREFIX}-sankey"
MATRIX_BLOCK = f"{PREFIX}-matrix"
GRADES_BLOCK = f"{PREFIX}-grades"
OBSERVED = f"{PREFIX}-observed"
OBSERVED_BLOCK = f"{PREFIX}-observed-block"

YEARS = sp.DEFAULT_YEARS
DRAWS = sp.DEFAULT_DRAWS
SEED = sp.DEFAULT_SEED
# what the council's own data can show next to the model: (service, indicator, words)
OBSERVED_PAIRS = [
    ("LUNCH", 22401, "emergency admissions for falls, aged 65+"),
    ("LUNCH", 900002, "A&E attendances after a fall, aged 65+"),
]
GRADE_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very low": "very low"}


# ---- allow-lists -----------------------------------------------------------------------

def _areas() -> dict[str, str]:
    df = data.query("area_codes")
    return dict(zip(df["area_code"], df["area_name"], strict=True))


def validate_area(area="") -> dict:
    """``""`` is the whole council; otherwise an investment area code, or ValueError."""
    if area in (None, ""):
        return {"area": ""}
    if not isinstance(area, str) or area not in _areas():
        raise ValueError(f"unknown area: {str(area)[:40]!r}")
    return {"area": area}


# ---- the model run for a scope ---------------------------------------------------------

def _scope_spend(inputs, area: str) -> pd.Series:
    """£ of the latest year's spend per modelled service in scope (service_code index)."""
    modelled = set(inputs.links["service_code"])
    spend = inputs.services.set_index("service_code")["spend_gbp"].astype(float)
    spend = spend[spend.index.isin(modelled)]
    if area:
        alloc = data.query("service_allocations")
        share = alloc[alloc["area_code"] == area].set_index("service_code")["share"]
        spend = (spend * share.reindex(spend.index)).dropna()
    return spend[spend > 0].sort_index()


class Labels(NamedTuple):
    payers: dict
    services: dict
    links: pd.DataFrame  # indexed by link_id
    funders: dict


def _labels(inputs) -> Labels:
    return Labels(
        dict(zip(inputs.payers["payer_code"], inputs.payers["payer_label"], strict=True)),
        dict(zip(inputs.services["service_code"], inputs.services["service_name"],
                 strict=True)),
        inputs.links.set_index("link_id"), inputs.funders)


LINK_COLUMNS = ["service_code", "service", "spend_modelled_gbp", "outcome", "payer",
                "cost_item", "events_avoided_over_5_years", "saving_over_5_years_gbp",
                "saving_lower95_gbp", "saving_upper95_gbp", "evidence_grade",
                "share_of_effect_kept_pct", "lag_years", "drop_off_pct", "source", "link_id"]
MATRIX_COLUMNS = ["funding_department", "effect_on", "saving_per_pound_spent_gbp", "services",
                  "links", "evidence_grades", "sources"]


def _links_table(spend: pd.Series, result, lab: Labels) -> pd.DataFrame:
    """One row per link in scope: the flow the Sankey draws, with its evidence."""
    bl = result.by_link[result.by_link["service_code"].isin(spend.index)]
    meta = lab.links.loc[bl["link_id"]]
    return pd.DataFrame({
        "service_code": bl["service_code"].to_numpy(),
        "service": [lab.services.get(s, s) for s in bl["service_code"]],
        "spend_modelled_gbp": spend.reindex(bl["service_code"]).round(0).to_numpy(),
        "outcome": bl["outcome_label"].to_numpy(),
        "payer": [lab.payers.get(p, p) for p in bl["payer_code"]],
        "cost_item": meta["cost_item_label"].to_numpy(),
        # by_link counts extra events for a positive change as negative: avoided = -delta
        "events_avoided_over_5_years": (-bl["delta_events"]).round(1).to_numpy(),
        "saving_over_5_years_gbp": bl["spillover_saving_gbp"].round(0).to_numpy(),
        "saving_lower95_gbp": bl["spillover_saving_p2_5_gbp"].round(0).to_numpy(),
        "saving_upper95_gbp": bl["spillover_saving_p97_5_gbp"].round(0).to_numpy(),
        "evidence_grade": bl["evidence_grade"].to_numpy(),
        "share_of_effect_kept_pct": (bl["share_retained"] * 100).round(0).to_numpy(),
        "lag_years": meta["lag_years"].to_numpy(),
        "drop_off_pct": (meta["drop_off"] * 100).round(0).to_numpy(),
        "source": meta["source"].to_numpy(),
        "link_id": bl["link_id"].to_numpy(),
    }, columns=LINK_COLUMNS)


def _matrix_table(spend: pd.Series, matrix: pd.DataFrame, lab: Labels) -> pd.DataFrame:
    """One row per funding department x payer affected: £ per £1 spent, and the evidence."""
    in_scope = lab.links[lab.links["service_code"].isin(spend.index)]
    rows = []
    for funder, row in matrix.iterrows():
        funded = [s for s in spend.index if lab.funders[s] == funder]
        for payer, value in row.items():
            chain = in_scope[in_scope["service_code"].isin(funded)
                             & (in_scope["payer_code"] == payer)]
            if chain.empty:
                continue
            rows.append({
                "funding_department": lab.payers.get(funder, funder),
                "effect_on": lab.payers.get(payer, payer),
                "saving_per_pound_spent_gbp": round(float(value), 3),
                "services": "; ".join(lab.services.get(s, s)
                                      for s in dict.fromkeys(chain["service_code"])),
                "links": "; ".join(chain.index),
                "evidence_grades": "; ".join(f"{i}: {g}" for i, g in
                                             chain["evidence_grade"].items()),
                "sources": "; ".join(dict.fromkeys(chain["source"])),
            })
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)


@data.cache.memoize()
def _run(_version: str, area: str) -> dict:
    """The model for one scope and the tables drawn from it, cached per warehouse version
    (library types only, so any cache backend can pickle them)."""
    inputs = spillover_inputs()
    lab = _labels(inputs)
    spend = _scope_spend(inputs, area)
    out = {"spend": spend, "result": None, "matrix": None,
           "links_table": pd.DataFrame(columns=LINK_COLUMNS),
           "matrix_table": pd.DataFrame(columns=MATRIX_COLUMNS),
           "payers": lab.payers, "services": lab.services}
    if spend.empty:
        return out
    changes = spend.to_dict()
    result = sp.simulate(inputs.links, inputs.unit_costs, inputs.payers, changes,
                         funders=inputs.funders, years=YEARS, draws=DRAWS, seed=SEED)
    funders = {s: inputs.funders[s] for s in spend.index}
    matrix = sp.payer_matrix(inputs.links, inputs.unit_costs, inputs.payers, funders,
                             years=YEARS, weights=changes)
    out.update(result=result, matrix=matrix, links_table=_links_table(spend, result, lab),
               matrix_table=_matrix_table(spend, matrix, lab))
    return out


def run(area: str) -> dict:
    return _run(data.version(), area)


# ---- tables: what each chart shows, and what its CSV serves ------------------------------

@downloads.dataset("spillover-links", ("area",), validate_area)
def links_table(area: str) -> pd.DataFrame:
    return run(area)["links_table"]


@downloads.dataset("spillover-matrix", ("area",), validate_area)
def matrix_table(area: str) -> pd.DataFrame:
    return run(area)["matrix_table"]


@downloads.dataset("spillover-grades", (), lambda: {})
def grades_table() -> pd.DataFrame:
    g = sp.grade_adjustments_frame()
    return pd.DataFrame({
        "evidence_grade": g["evidence_grade"],
        "gm_confidence_grade": g["gm_confidence_grade"],
        "optimism_bias_pct": (g["optimism_bias"] * 100).round(0),
        "deadweight_pct": (g["deadweight"] * 100).round(0),
        "share_of_effect_kept_pct": (g["share_retained"] * 100).round(0),
        "source": g["source"],
    })


def _validate_observed(pair="") -> dict:
    keys = [f"{s}-{i}" for s, i, _ in OBSERVED_PAIRS]
    if pair not in keys:
        raise ValueError(f"unknown pair: {str(pair)[:40]!r}")
    return {"pair": pair}


@downloads.dataset("spillover-observed", ("pair",), _validate_observed)
def observed_table(pair: str) -> pd.DataFrame:
    service, indicator, _ = next(p for p in OBSERVED_PAIRS if f"{p[0]}-{p[1]}" == pair)
    df = data.query("observed_activity_outcome", service_code=service, indicator_id=indicator)
    df = df[df["outcome_value"].notna()]
    return pd.DataFrame({
        "financial_year": df["financial_year"],
        "activity_unit": df["activity_unit"],
        "units": df["units"].round(0),
        "units_change_pct": (df["units"].pct_change() * 100).round(1),
        "year_after": df["next_year"],
        "indicator": df["indicator_name"],
        "count_year_after": df["outcome_count"],
        "value_year_after": df["outcome_value"].round(1),
        "lower95": df["outcome_lower95"].round(1),
        "upper95": df["outcome_upper95"].round(1),
        "unit": df["unit_label"],
        "status": "observed association, not evidence of cause",
    })


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: £ to the pound, per cents whole, dashes for gaps."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].fillna("–").astype(str)
        elif col == "saving_per_pound_spent_gbp":
            out[col] = [f"£{v:,.3f}" for v in out[col]]
        elif col.endswith("_gbp"):
            out[col] = [money(v) for v in out[col]]
        elif col.endswith("_pct"):
            out[col] = [number(v, 0 if "change" not in col else 1) for v in out[col]]
        elif col in ("value_year_after", "lower95", "upper95", "events_avoided_over_5_years"):
            out[col] = [number(v, 1) for v in out[col]]
        else:
            out[col] = [number(v, 0) for v in out[col]]
    out.columns = [c.replace("_gbp", " (£)").replace("_pct", " (%)").replace("_", " ")
                   for c in out.columns]
    return out


# ---- figures ---------------------------------------------------------------------------

def _layout(height: int, **extra) -> dict:
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "font": figures.FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "separators": ".,", **extra}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def sankey_figure(out: dict) -> go.Figure:
    """Services -> outcomes -> payers, widths = median saving over five years (discounted)."""
    services = out["services"]
    flows = out["result"].sankey()
    flows = flows[flows["value_gbp"] > 0.5]
    labels: dict[str, str] = {}
    for node in pd.concat([flows["source"], flows["target"]]):
        kind, _, key = node.partition(":")
        labels.setdefault(node, services.get(key, key) if kind == "service" else key)
    nodes = list(labels)
    index = {n: i for i, n in enumerate(nodes)}
    payer_nodes = [n for n in nodes if n.startswith("payer:")]
    colour = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(payer_nodes)}
    # colour each band by the payer it ends at (second hop) or feeds (first hop)
    outcome_payer = dict(zip(flows.loc[flows["target"].str.startswith("payer:"), "source"],
                             flows.loc[flows["target"].str.startswith("payer:"), "target"],
                             strict=False))

    def band(row) -> str:
        end = row.target if row.target.startswith("payer:") else outcome_payer.get(row.target)
        return _rgba(colour.get(end, "#595959"), 0.45)

    node_colour = [colour.get(n, "#595959" if n.startswith("service:") else "#9e9e9e")
                   for n in nodes]
    trace = go.Sankey(
        arrangement="snap", valueformat=",.0f", valuesuffix="",
        node={"label": [labels[n] for n in nodes], "color": node_colour, "pad": 18,
              "thickness": 16, "line": {"color": "#1b1b1b", "width": 0.5},
              "hovertemplate": "%{label}: £%{value:,.0f}<extra></extra>"},
        link={"source": [index[s] for s in flows["source"]],
              "target": [index[t] for t in flows["target"]],
              "value": flows["value_gbp"].round(0).tolist(),
              "color": [band(r) for r in flows.itertuples()],
              "hovertemplate": "%{source.label} → %{target.label}: £%{value:,.0f}"
                               "<extra></extra>"},
    )
    return go.Figure(data=[trace], layout=_layout(max(360, 34 * len(nodes))))


def _per_pound(value: float) -> str:
    """£ per £1 for a matrix cell: pence where they matter, a dash for no effect."""
    if abs(value) < 5e-6:
        return "–"
    if abs(value) < 0.0005:
        return "<£0.001"
    return f"£{value:,.2f}" if abs(value) >= 0.01 else f"£{value:,.3f}"


def matrix_figure(out: dict) -> go.Figure:
    payers = out["payers"]
    matrix = out["matrix"]
    cols = [c for c in matrix.columns if (matrix[c].abs() > 1e-9).any()]
    z = matrix[cols].to_numpy()
    x = [payers.get(c, c) for c in cols]
    y = [payers.get(r, r) for r in matrix.index]
    trace = go.Heatmap(
        z=z, x=x, y=y, colorscale="Blues", zmin=0, showscale=False, xgap=2, ygap=2,
        text=[[_per_pound(v) for v in row] for row in z], texttemplate="%{text}",
        textfont={"size": 14},
        hovertemplate="£%{z:,.2f} for %{x} per £1 spent by %{y}<extra></extra>")
    return go.Figure(data=[trace], layout=_layout(
        max(200, 90 + 60 * len(y)),
        xaxis={"side": "top", "automargin": True, "title": {"text": "Effect on"}},
        yaxis={"automargin": True, "autorange": "reversed",
               "title": {"text": "Spent by"}}))


def observed_figure(df: pd.DataFrame, units_label: str, outcome_label: str,
                    rate_label: str) -> go.Figure:
    years = df["financial_year"].tolist()
    data_ = [
        go.Bar(x=years, y=df["units"].tolist(), name=units_label, marker_color=figures.SKY,
               hovertemplate="%{y:,.0f}<extra></extra>"),
        go.Scatter(x=years, y=df["outcome_value"].tolist(), name=outcome_label, yaxis="y2",
                   mode="lines+markers", line={"color": figures.VERMILLION, "width": 3,
                                               "dash": "dash"},
                   marker={"symbol": "diamond", "size": 8},
                   customdata=df["next_year"].tolist(),
                   hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"),
    ]
    return go.Figure(data=data_, layout=_layout(
        340, hovermode="x unified", showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        xaxis={"type": "category", "title": {"text": "Year of the places (the rate is for "
                                                      "the year after)"},
               "showline": True, "linecolor": figures.AXIS_LINE},
        yaxis={"title": {"text": units_label}, "rangemode": "tozero",
               "gridcolor": figures.GRID, "automargin": True},
        yaxis2={"title": {"text": rate_label}, "overlaying": "y", "side": "right",
                "showgrid": False, "automargin": True, "tickformat": ",.0f"}))


# ---- words -----------------------------------------------------------------------------

def _names(names: list[str]) -> str:
    names = list(names)
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary(out: dict, scope_words: str) -> str:
    """The finding in plain English, saying these are modelled effects with evidence grades."""
    result = out["result"]
    if result is None:
        return (f"No service in {scope_words} has modelled spill-over links, so there is "
                "nothing to show here.")
    payers, services = out["payers"], out["services"]
    spend = out["spend"]
    by_payer = result.by_payer.set_index("payer_code")
    gains = by_payer["spillover_saving_gbp"]
    gains = gains[gains.abs() > 0.5].sort_values(ascending=False)
    council = result.overall.set_index("scope")
    others = [f"{payers.get(p, p)} {money_prose(v)}" for p, v in gains.items()]
    grades = result.by_link.loc[result.by_link["service_code"].isin(spend.index),
                                "evidence_grade"].value_counts()
    grade_words = ", ".join(f"{n} {g}" for g, n in grades.items())
    purse = council.loc["public_purse"]
    total = purse["spillover_saving_gbp"]  # the median of the total, not a sum of medians
    # the spend itself is the direct part; what is left of the interval is the knock-on
    low = purse["net_saving_p2_5_gbp"] - purse["direct_saving_gbp"]
    high = purse["net_saving_p97_5_gbp"] - purse["direct_saving_gbp"]
    names = _names([services.get(s, s) for s in spend.index])
    return (
        "These are modelled effects, not measured ones. Spending "
        f"{money_prose(spend.sum())} a year on {len(spend)} services in {scope_words} "
        f"({names}) is estimated to avoid "
        f"{money_prose(total)} of costs over {result.years} years (discounted, "
        f"{', '.join(result.price_years) or 'current'} prices; median of the model's draws, "
        f"95% interval {money_prose(low)} to {money_prose(high)}): {'; '.join(others)}. "
        "Each figure rests on published evidence graded by certainty "
        f"({grade_words} links); weaker evidence is scaled down for optimism bias and "
        "deadweight before it is counted."
    )


# ---- sections --------------------------------------------------------------------------

def _area_nav(area: str) -> html.Nav:
    items = [("", "Whole council")] + list(_areas().items())
    links = []
    for code, name in items:
        href = f"/spillover?area={code}" if code else "/spillover"
        current = {"aria-current": "page"} if code == area else {}
        links.append(html.Li(html.A(name, href=href, id=f"{AREA_NAV}-{code or 'all'}",
                                    className="active" if code == area else "", **current)))
    return html.Nav(html.Ul(links, className="pill-list"), id=AREA_NAV,
                    **{"aria-label": "Investment areas"})


def _sankey_section(out: dict, area: str) -> html.Section:
    payers = out["payers"]
    gains = out["result"].by_payer.set_index("payer_code")["spillover_saving_gbp"]
    top = gains.idxmax()
    title = (f"The latest year's spend on these services is modelled to save "
             f"{payers.get(top, top)} the most: {money_prose(gains.max())} over {YEARS} years")
    text = ("Read left to right: each service's activity prevents outcomes (falls, admissions, "
            "care needs), and each outcome's cost falls on a payer. Band widths are the "
            f"modelled saving over {YEARS} years (the median of the model's draws, after "
            "optimism bias and deadweight), discounted at 3.5% a year. The table "
            "gives each link's 95% interval, evidence grade and source.")
    return chart_block(SANKEY_BLOCK, title, text, sankey_figure(out), display(out["links_table"]),
                       ("spillover-links", {"area": area}))


def _matrix_section(out: dict, area: str) -> html.Section:
    payers = out["payers"]
    matrix = out["matrix"]
    stacked = matrix.stack()
    (funder, payer), best = stacked.idxmax(), stacked.max()
    title = (f"Each £1 {payers.get(funder, funder)} spends on these services is modelled to "
             f"save {payers.get(payer, payer)} £{best:,.2f} over {YEARS} years")
    text = ("Rows are the departments that pay for the services; columns are the payers whose "
            "costs change. A cell is the modelled saving to the column's payer per £1 a year the "
            "row's department spends, over five years, both discounted; the £1 itself is not "
            "netted off. Read per £1 cut, the same figure is a cost shifted onto that payer. "
            "Several services of one department are weighted by their spend.")
    return chart_block(MATRIX_BLOCK, title, text, matrix_figure(out),
                       display(out["matrix_table"]), ("spillover-matrix", {"area": area}))


def _grades_section() -> html.Section:
    text = ("Each link's evidence is graded by certainty (GRADE). Before a modelled effect is "
            "counted it is scaled down for optimism bias (the Greater Manchester cost-benefit "
            "model's confidence grades) and for deadweight (what would have happened anyway).")
    return chart_block(GRADES_BLOCK, "Weaker evidence counts for less", text, None,
                       display(grades_table()), ("spillover-grades", {}))


def _signed_pct(share: float) -> str:
    return f"{share * 100:+.0f}%".replace("-", "\u2212")


def _observed_pair(service: str, indicator: int, words: str, borough: str, services: dict):
    df = data.query("observed_activity_outcome", service_code=service, indicator_id=indicator)
    df = df[df["outcome_value"].notna()].reset_index(drop=True)
    if len(df) < 3:
        return None
    svc_name = services.get(service, service)
    units = df["units"].astype(float)
    change = units.pct_change()
    i = int(change.idxmin()) if change.notna().any() else 0
    unit_label = str(df["activity_unit"].iloc[0])
    value_words = f"{words} ({df['unit_label'].iloc[0]})"
    if i > 0 and change.iloc[i] <= -0.10:
        before, after = df.iloc[i - 1], df.iloc[i]
        rate_change = after["outcome_value"] / before["outcome_value"] - 1
        pre = df.loc[: i - 1, "outcome_value"].mean()
        post = df.loc[i:, "outcome_value"].mean()
        title = (f"After places in {svc_name.lower()} fell in {after['financial_year']}, "
                 f"{words} {'rose' if rate_change > 0 else 'fell'} the year after")
        text = (
            f"{unit_label.capitalize()}s fell from {number(before['units'])} in "
            f"{before['financial_year']} to {number(after['units'])} in "
            f"{after['financial_year']} ({_signed_pct(change.iloc[i])}). In the year after "
            f"({after['next_year']}) the rate of {value_words} was "
            f"{number(after['outcome_value'])} against {number(before['outcome_value'])} "
            f"the year before ({_signed_pct(rate_change)}); it averaged {number(post)} in the "
            f"years after the fall in places against {number(pre)} before. This is an observed "
            f"association in {borough}'s own data, not evidence of cause: other things changed "
            "over the same years, and the model above relies on trial evidence instead."
        )
    else:
        title = f"{svc_name} places and {words} the year after"
        text = (f"{unit_label.capitalize()}s did not fall by a tenth or more in any year, so "
                "there is no before-and-after to show. Observed association only, not evidence "
                "of cause.")
    pair = f"{service}-{indicator}"
    fig = observed_figure(df, f"{unit_label.capitalize()}s",
                          f"{words[:1].upper()}{words[1:]}, the year after",
                          str(df["unit_label"].iloc[0]).capitalize())
    return chart_block(f"{OBSERVED_BLOCK}-{pair}", title, text, fig,
                       display(observed_table(pair)), ("spillover-observed", {"pair": pair}))


def _observed_section(services: dict) -> html.Section:
    info = data.query("build_info").iloc[0]
    borough = str(info["borough_name"]).replace(" (demo)", "")
    blocks = [b for b in (_observed_pair(s, i, w, borough, services)
                                     for s, i, w in OBSERVED_PAIRS)
              if b is not None]
    heading = f"{OBSERVED}-heading"
    body = blocks or [html.P("The council's data hold no series to compare here yet.")]
    return html.Section([
        html.H2(f"Observed in {borough}'s own data", id=heading, className="section-heading"),
        html.P([html.Strong("Observed association, not evidence of cause. ",
                            className="observed-label"),
                "These charts set the council's own activity records beside its own outcome "
                "figures a year later. They are not part of the model above and prove nothing "
                "on their own: other things changed too (the pandemic, an ageing population, "
                "hospital practice)."], className="observed-note"),
        *body,
    ], id=OBSERVED, className="observed", **{"aria-labelledby": heading})


def layout(area=None, **_query) -> html.Div:
    notes = []
    try:
        area = validate_area(area)["area"]
    except ValueError:
        notes.append(f"There is no investment area “{str(area)[:40]}”, so the whole council "
                     "is shown.")
        area = ""
    scope_words = _areas()[area] if area else "the whole council"
    scope_title = f"“{scope_words}”" if area else "the whole council"
    out = run(area)
    parts = [
        html.H1(f"Spill-over effects: who pays and who benefits — {scope_title}", id=TITLE),
        _area_nav(area),
    ]
    if notes:
        parts.append(dbc.Alert(notes, color="warning", id=NOTE, className="state-note"))
    parts.append(html.P(summary(out, scope_words), className="headline", id=SUMMARY))
    if out["result"] is not None:
        parts += [
            html.H2("Modelled effects", className="section-heading"),
            _sankey_section(out, area),
            _matrix_section(out, area),
            _grades_section(),
            html.P(["How the model works: ", html.A("methods", href="/methods"),
                    f". Monte Carlo with {DRAWS:,} draws (seed {SEED}) for the intervals."],
                   className="small"),
        ]
    parts.append(_observed_section(out["services"]))
    return html.Div(parts)

