"""One scenario's model run and what is drawn from it: tables, the headline, the figures.

Pure view functions (no HTML, no Dash, no Flask) over ``dashboard.views.scenario_results``,
which runs the model and gives every number and sentence as plain data (the JSON endpoint
shows the same). The run is cached by the warehouse version, the £ changes and sustained or
one-off, so a repeat view is instant and the same link always shows the same figures
(10,000 draws, fixed seed, five years; central figures are medians of the draws).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import data, fairshare, figures
from dashboard.views import scenario_results as sr
from dashboard.views.format import (
    PALETTE,
    money_interval,
    money_signed,
    number,
    plain,
    spillover_inputs,
)
from dashboard.views.scenarios import DRAWS, SEED, YEARS, Planner, Scenario, amounts, change_token

probability = sr.probability_text


@data.cache.memoize()
def _model_run(_version: str, key: tuple[tuple[str, float], ...], persistence: str) -> dict:
    """The plain-data results for one set of £ changes, and the tables and figures drawn from
    them, cached per warehouse version (library types only, so any cache backend can pickle
    them)."""
    inputs = spillover_inputs()
    # a cache miss only: one user's fair share of simulations (fairshare.SimulationBusy, 429)
    with fairshare.simulations().slot(fairshare.requester()):
        view = sr.scenario_results(dict(key), persistence=persistence, links=inputs.links,
                                   unit_costs=inputs.unit_costs, payers=inputs.payers,
                                   services=inputs.services, years=YEARS, draws=DRAWS,
                                   seed=SEED)
    years = pd.DataFrame(sr.years_rows(view))
    torn = pd.DataFrame(view["tornado"])
    # the figures too (as plain dicts): a redraw of a scenario seen before builds none
    return {"view": view, "years": years, "tornado_table": torn,
            "evidence": evidence_table(view),
            "years_figure": plain(years_figure(years)),
            "tornado_figure": plain(tornado_figure(torn)) if len(torn) else None}


def model_run(scenario: Scenario, plan: Planner) -> dict:
    """The cached run of ``scenario`` (sustained or one-off as it says)."""
    return _model_run(data.version(), amounts(scenario.changes, plan), scenario.persistence)


# ---- tables: what the page shows and the CSV serves --------------------------------------

def evidence_table(view: dict) -> pd.DataFrame:
    """Each link of the changed services: the knock-on figure adjusted against the proposal
    and unadjusted, beside its evidence grade, optimism bias, deadweight and ties."""
    rows = view["links"]
    return pd.DataFrame({
        "service": [r["service_name"] for r in rows],
        "outcome": [r["outcome_label"] for r in rows],
        "payer": [r["payer_label"] for r in rows],
        f"knock-on over {YEARS} years, adjusted (95% interval)": [
            f"{money_signed(r['knock_on_5y'])} "
            f"({money_interval(r['knock_on_5y_low'], r['knock_on_5y_high'])})" for r in rows],
        f"knock-on over {YEARS} years, unadjusted": [
            money_signed(r["knock_on_5y_unadjusted"]) for r in rows],
        "evidence_grade": [r["evidence_grade"] for r in rows],
        "optimism_bias_pct": [r["optimism_bias_pct"] for r in rows],
        "deadweight_pct": [r["deadweight_pct"] for r in rows],
        "saving_kept_pct": [r["saving_kept_pct"] for r in rows],
        "extra_cost_scaled_pct": [r["extra_cost_scaled_pct"] for r in rows],
        "tied with (one shared draw)": [", ".join(r["tied_with"]) or "–" for r in rows],
        "lag_years": [r["lag_years"] for r in rows],
        "source": [r["source"] for r in rows],
    })


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: signed £ to the pound, probabilities in per cent."""
    out = frame.copy()
    for col in out.columns:
        if col.startswith("prob_"):
            out[col] = [probability(v) for v in out[col]]
        elif not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("string").fillna("–").astype(str)
        elif col.endswith("_gbp"):
            out[col] = [money_signed(v) for v in out[col]]
        elif col.endswith("_pct"):
            out[col] = [number(v, 0) for v in out[col]]
        elif col.endswith("_value"):
            out[col] = [f"{v:,.3g}" for v in out[col]]
        else:
            out[col] = [number(v, 0) for v in out[col]]
    out.columns = [c.replace("_gbp", " (£)").replace("_pct", " (%)").replace("_", " ")
                   for c in out.columns]
    return out


# ---- words -----------------------------------------------------------------------------

def headline(scenario: Scenario, view: dict) -> str:
    """The finding and how sure it is, in plain English (unknown effects said first)."""
    return f"{scenario.name}: " + " ".join(view["headline"])


def years_chart_title(view: dict) -> str:
    purse = view["public_purse"]["net_5y_modelled"]
    return ("Who pays and who benefits, year by year: "
            + ("the public purse saves overall" if purse > 0
               else "the public purse pays more overall") + f" over {YEARS} years"
            + ("" if view["public_purse"]["complete"] else
               " in what is modelled (some knock-on effects are unknown)"))


def tornado_words(torn: pd.DataFrame) -> tuple[str, str]:
    """The tornado chart's title (what the result depends on most) and summary."""
    kind, what = torn["kind"].iloc[0], torn["what"].iloc[0]
    title = f"The result depends most on the {kind}" + (f" for {what}" if what else "")
    central = sr.money_prose(torn["central_net_saving_gbp"].iloc[0])
    text = (f"Each bar shows how far the public purse's net over {YEARS} years moves when "
            "one assumption goes to the low or high end of its range, the rest held at "
            f"their central values. With every input at its central value the result is "
            f"{central} (the headline figures are medians of the draws).")
    return title, text


def evidence_words(ev: pd.DataFrame) -> str:
    weak = ev[ev["evidence_grade"].isin(["low", "very low"])]
    return (f"{len(ev)} modelled links; {len(weak)} rest on low or very low certainty "
            "evidence. Optimism bias and deadweight work against the proposal (HM Treasury "
            "Green Book): a knock-on saving is scaled down, a knock-on extra cost scaled up; "
            "both figures are shown. Links tied to the same events share one draw of the "
            "effect. The spend change itself is a budget figure and is not adjusted.")


def probability_rows(view: dict) -> list[tuple[str, str, str, str]]:
    """(label, chance as text, scope or payer code, words) for the public purse, the council
    and each payer the scenario moves; the words say when the chance is not given."""
    items = [("Public purse (all payers)", view["public_purse"], "public_purse"),
             ("Council (all its departments)", view["council"], "council")]
    items += [(p["payer_label"], p, p["payer_code"]) for p in view["payers"]]
    out = []
    for label, scope, code in items:
        if scope["p_net_saving"] is None:
            words = "not given: knock-on effects of an unmodelled service are unknown"
        else:
            words = f"a net saving over {YEARS} years is {scope['likelihood']}"
        out.append((label, scope["p_net_saving_text"], code, words))
    return out


def _known(value: float | None, modelled: float | None) -> str:
    """Money, or "not known" with the modelled part where knock-on effects are unknown."""
    if value is None and modelled is not None:
        return f"not known (modelled part {money_signed(modelled)})"
    return money_signed(value)


def compare_rows(runs: list[tuple[Scenario, dict]]) -> dict[str, list[str]]:
    """Scenarios side by side (``runs``: each scenario with its results view): for each row
    label, one cell of text per scenario."""
    payer_codes: dict[str, str] = {}
    for _, view in runs:
        for p in view["payers"]:
            payer_codes.setdefault(p["payer_code"], p["payer_label"])
    rows: dict[str, list[str]] = {
        "Changes": [", ".join(change_token(c) for c in s.changes) for s, _ in runs]}
    for scope, words in (("council", "Council"), ("public_purse", "Public purse")):
        rows[f"{words}: year 1"] = [_known(view[scope]["years"][0]["net"]["central"],
                                           view[scope]["years"][0]["net_modelled"])
                                    for _, view in runs]
        rows[f"{words}: {YEARS} years (95% interval)"] = []
        rows[f"{words}: chance of a net saving"] = []
        for _, view in runs:
            net = view[scope]["net_5y"]
            interval = (money_interval(net["low"], net["high"]) if net["low"] is not None
                        else "no interval: knock-on effects partly unknown")
            rows[f"{words}: {YEARS} years (95% interval)"].append(
                f"{_known(net['central'], view[scope]['net_5y_modelled'])} ({interval})")
            rows[f"{words}: chance of a net saving"].append(view[scope]["p_net_saving_text"])
    for code, label in payer_codes.items():
        rows[f"{label}: {YEARS} years"] = [
            next((_known(p["net_5y"]["central"], p["net_5y_modelled"]) for p in view["payers"]
                  if p["payer_code"] == code), money_signed(0.0)) for _, view in runs]
    return rows


# ---- figures ---------------------------------------------------------------------------

def _fig_layout(height: int, **extra) -> dict:
    return {"height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "font": figures.FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "separators": ".,", "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02,
                                           "x": 0}, **extra}


def years_figure(table: pd.DataFrame) -> go.Figure:
    """Net saving by payer and year, with 95% intervals as error bars; hatching as well as
    colour tells the payers apart."""
    yearly = table[~table["year"].str.contains("total")]
    traces = []
    for i, (code, rows) in enumerate(yearly.groupby("payer_code", sort=False)):
        if code == "council":
            continue  # the council's departments are drawn, and the public purse total
        low = pd.to_numeric(rows["net_lower95_gbp"])
        high = pd.to_numeric(rows["net_upper95_gbp"])
        traces.append(go.Bar(
            # the modelled part (the net itself where nothing is unknown; the title says so)
            x=[f"Year {y}" for y in rows["year"]], y=rows["net_modelled_saving_gbp"].tolist(),
            name=str(rows["payer"].iloc[0]),
            marker={"color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": figures.PATTERNS[i % len(figures.PATTERNS)]}},
            # no whiskers where the interval is unknown (an unmodelled service's knock-on)
            error_y={"type": "data", "symmetric": False, "color": "#1b1b1b",
                     "visible": bool(low.notna().all()),
                     "array": (high - rows["net_modelled_saving_gbp"]).fillna(0).tolist(),
                     "arrayminus": (rows["net_modelled_saving_gbp"] - low).fillna(0).tolist()},
            hovertemplate="%{x}: £%{y:,.0f}<extra>%{fullData.name}</extra>"))
    return go.Figure(data=traces, layout=_fig_layout(
        380, barmode="group", hovermode="closest",
        xaxis={"type": "category", "showline": True, "linecolor": figures.AXIS_LINE},
        yaxis={"tickprefix": "£", "tickformat": ",.3~s", "gridcolor": figures.GRID,
               "zeroline": True, "zerolinecolor": "#1b1b1b",
               "title": {"text": "Net saving (− = extra cost)"}}))


def tornado_figure(table: pd.DataFrame) -> go.Figure:
    """One-way sensitivity: each bar runs from the net saving with the input at its low value
    to the one at its high value; the line is the result with every input central."""
    t = table.iloc[::-1]  # largest swing at the top
    central = float(table["central_net_saving_gbp"].iloc[0]) if len(table) else 0.0
    labels = t["input"].tolist()
    low = t["net_saving_at_low_gbp"] - central
    high = t["net_saving_at_high_gbp"] - central
    traces = [
        go.Bar(y=labels, x=low.tolist(), base=central, orientation="h",
               name="Input at its low value", marker={"color": PALETTE[0]},
               hovertemplate="£%{x:,.0f} from the central result<extra>low</extra>"),
        go.Bar(y=labels, x=high.tolist(), base=central, orientation="h",
               name="Input at its high value",
               marker={"color": PALETTE[1], "pattern": {"shape": "/"}},
               hovertemplate="£%{x:,.0f} from the central result<extra>high</extra>"),
    ]
    return go.Figure(data=traces, layout=_fig_layout(
        max(240, 80 + 34 * len(labels)), barmode="overlay", hovermode="closest",
        shapes=[{"type": "line", "x0": central, "x1": central, "y0": 0, "y1": 1,
                 "yref": "paper", "line": {"color": "#1b1b1b", "width": 2}}],
        xaxis={"tickprefix": "£", "tickformat": ",.3~s", "gridcolor": figures.GRID,
               "title": {"text": f"Net saving for the public purse over {YEARS} years"}},
        yaxis={"automargin": True}))
