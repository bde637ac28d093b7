"""One scenario's model run and what is drawn from it: tables, the headline, the figures.

Pure view functions (no HTML, no Dash, no Flask): they take a checked scenario and return
frames, sentences and ``plotly.graph_objects`` figures. The model run is cached by the
warehouse version and the £ changes, so a repeat view is instant and the same link always
shows the same figures (10,000 draws, fixed seed, five years).
"""

from __future__ import annotations

import inspect

import pandas as pd
import plotly.graph_objects as go

from dashboard import data, figures
from dashboard.views.format import (
    PALETTE,
    likelihood,
    money,
    money_interval,
    money_signed,
    number,
    plain,
    probability,
    spillover_inputs,
)
from dashboard.views.scenarios import DRAWS, SEED, YEARS, Planner, Scenario, amounts, change_token
from indicators import spillover as sp

# issue 14 adds sustained or one-off changes to the model: passed through once it takes them
TAKES_DURATION = "duration" in inspect.signature(sp.simulate).parameters


# ---- the model run ---------------------------------------------------------------------

@data.cache.memoize()
def _model_run(_version: str, key: tuple[tuple[str, float], ...], duration: str) -> dict:
    """Simulation, tornado, and the tables and figures drawn from them for one set of £
    changes, cached per warehouse version (library types only, so any cache backend can
    pickle them)."""
    inputs = spillover_inputs()
    changes = dict(key)
    # services without evidence links count with their direct effect only
    kwargs = {"funders": inputs.funders, "years": YEARS, "allow_unlinked": True}
    if TAKES_DURATION:
        kwargs["duration"] = duration
    result = sp.simulate(inputs.links, inputs.unit_costs, inputs.payers, changes,
                         draws=DRAWS, seed=SEED, **kwargs)
    tornado = sp.tornado(inputs.links, inputs.unit_costs, inputs.payers, changes,
                         include_timing=True, scope="public_purse", **kwargs)
    years = years_table(result)
    torn = _labelled_tornado(tornado, set(changes))
    # the figures too (as plain dicts): a redraw of a scenario seen before builds none
    return {"result": result, "tornado": tornado, "years": years, "tornado_table": torn,
            "evidence": evidence_table(result, set(changes)),
            "years_figure": plain(years_figure(years)),
            "tornado_figure": plain(tornado_figure(torn)) if len(torn) else None}


def model_run(scenario: Scenario, plan: Planner, duration: str = "sustained") -> dict:
    """The cached run of ``scenario`` (``duration`` reaches the model once it takes it)."""
    return _model_run(data.version(), amounts(scenario.changes, plan),
                      duration if TAKES_DURATION else "sustained")


# ---- tables: what the page shows and the CSV serves --------------------------------------

def affected_payers(result: sp.SpilloverResult) -> pd.DataFrame:
    """Payers with any direct or knock-on effect, council departments first."""
    bp = result.by_payer
    moved = (bp["direct_saving_gbp"].abs() > 0.5) | (bp["net_saving_p2_5_gbp"].abs() > 0.5) | (
        bp["net_saving_p97_5_gbp"].abs() > 0.5)
    return bp[moved].sort_values("is_council", ascending=False, kind="stable")


def years_table(result: sp.SpilloverResult) -> pd.DataFrame:
    """Tidy: one row per (payer or total) x year (and the 5-year total), knock-on intervals
    as the net interval less the fixed direct effect. Rows payer by payer (years, then the
    total), then the council, then the public purse, as ``SpilloverResult.to_frame`` orders
    them; built from its four frames at once (a redraw of the planner waits for this)."""
    keep = result.by_payer["payer_code"].isin(set(affected_payers(result)["payer_code"]))
    payers = result.by_payer.loc[keep, "payer_code"].tolist()
    rank = {code: i for i, code in enumerate([*payers, "council", "public_purse"])}
    yearly = result.by_payer_year[result.by_payer_year["payer_code"].isin(payers)]
    scopes = {"payer_code": lambda f: f["scope"]}
    frame = pd.concat([
        yearly, result.by_payer[keep].assign(year=pd.NA),
        result.overall_by_year.assign(**scopes), result.overall.assign(**scopes, year=pd.NA),
    ], ignore_index=True)
    frame["year"] = frame["year"].astype("Int64")
    frame = frame.assign(_rank=frame["payer_code"].map(rank),
                         _total=frame["year"].isna()).sort_values(
        ["_rank", "_total", "year"], kind="stable", ignore_index=True)
    frame["is_council"] = frame["is_council"].astype("boolean")
    return pd.DataFrame({
        "payer_code": frame["payer_code"],
        "payer": frame["payer_label"],
        "is_council": frame["is_council"],
        "year": frame["year"].astype("string").fillna(f"{YEARS}-year total"),
        "direct_saving_gbp": frame["direct_saving_gbp"].round(0),
        "knock_on_saving_gbp": frame["spillover_saving_gbp"].round(0),
        "knock_on_lower95_gbp": (frame["net_saving_p2_5_gbp"]
                                 - frame["direct_saving_gbp"]).round(0),
        "knock_on_upper95_gbp": (frame["net_saving_p97_5_gbp"]
                                 - frame["direct_saving_gbp"]).round(0),
        "net_saving_gbp": frame["net_saving_gbp"].round(0),
        "net_lower95_gbp": frame["net_saving_p2_5_gbp"].round(0),
        "net_upper95_gbp": frame["net_saving_p97_5_gbp"].round(0),
        "net_mean_gbp": frame["net_saving_mean_gbp"].round(0),
        "prob_net_saving": frame["prob_net_saving"].round(4),
    }).reset_index(drop=True)


def _labelled_tornado(tornado: pd.DataFrame, changed: set[str], top: int = 10) -> pd.DataFrame:
    """The top inputs with readable labels (service names only when several change)."""
    inputs = spillover_inputs()
    links = inputs.links.set_index("link_id")
    services = dict(zip(inputs.services["service_code"], inputs.services["service_name"],
                        strict=True))
    items = dict(zip(inputs.unit_costs["cost_item"], inputs.unit_costs["label"], strict=True))
    kinds = {"effect_ratio": "effect size", "lag_years": "delay (years)",
             "drop_off": "drop-off", "unit_cost": "unit cost",
             "discount_rate": "discount rate"}

    def label(row) -> tuple[str, str]:
        kind = kinds.get(row.input_type, str(row.input_type))
        if row.input_type == "unit_cost":
            return kind, str(items.get(row.key, row.key)).lower()
        if row.input_type == "discount_rate":
            return kind, ""
        first = links.loc[str(row.key).split(", ")[0]]
        what = str(first["outcome_label"]).lower()
        if len(changed) > 1:
            what += f" ({services.get(first['service_code'], first['service_code'])})"
        return kind, what

    t = tornado.head(top)
    parts = [label(r) for r in t.itertuples()]
    return pd.DataFrame({
        "input": [f"{k.capitalize()}: {w}" if w else k.capitalize() for k, w in parts],
        "kind": [k for k, _ in parts],
        "what": [w for _, w in parts],
        "low_value": t["value_low"].round(3),
        "central_value": t["value_central"].round(3),
        "high_value": t["value_high"].round(3),
        "net_saving_at_low_gbp": t["net_saving_at_low_gbp"].round(0),
        "net_saving_at_high_gbp": t["net_saving_at_high_gbp"].round(0),
        "central_net_saving_gbp": t["central_net_saving_gbp"].round(0),
        "swing_gbp": t["swing_gbp"].round(0),
    }).reset_index(drop=True)


def evidence_table(result: sp.SpilloverResult, changed: set[str]) -> pd.DataFrame:
    """Each link of the changed services: the claimed knock-on beside its evidence grade,
    optimism bias and deadweight."""
    inputs = spillover_inputs()
    links = inputs.links.set_index("link_id")
    grades = sp.grade_adjustments_frame().set_index("evidence_grade")
    services = dict(zip(inputs.services["service_code"], inputs.services["service_name"],
                        strict=True))
    bl = result.by_link[result.by_link["service_code"].isin(changed)]
    g = grades.loc[bl["evidence_grade"]]
    return pd.DataFrame({
        "service": [services.get(s, s) for s in bl["service_code"]],
        "outcome": bl["outcome_label"].to_numpy(),
        "payer": bl["payer_label"].to_numpy(),
        "claimed knock-on saving over 5 years (95% interval)": [
            f"{money_signed(c)} ({money_interval(lo, hi)})" for c, lo, hi in zip(
                bl["spillover_saving_gbp"], bl["spillover_saving_p2_5_gbp"],
                bl["spillover_saving_p97_5_gbp"], strict=True)],
        "evidence_grade": bl["evidence_grade"].to_numpy(),
        "optimism_bias_pct": (g["optimism_bias"] * 100).round(0).to_numpy(),
        "deadweight_pct": (g["deadweight"] * 100).round(0).to_numpy(),
        "share_of_effect_kept_pct": (bl["share_retained"] * 100).round(0).to_numpy(),
        "lag_years": links.loc[bl["link_id"], "lag_years"].to_numpy(),
        "source": links.loc[bl["link_id"], "source"].to_numpy(),
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

def headline(scenario: Scenario, result: sp.SpilloverResult) -> str:
    """The finding and how sure it is, in plain English."""
    council_y = result.overall_by_year[result.overall_by_year["scope"] == "council"].set_index(
        "year")
    overall = result.overall.set_index("scope")
    y1 = council_y.loc[1]
    parts = []
    direct1 = y1["direct_saving_gbp"]
    if abs(direct1) > 0.5:
        verb = "saves" if direct1 > 0 else "spends"
        parts.append(f"In year 1 the council {verb} {money(abs(direct1))}"
                     + (" more" if direct1 < 0 else ""))
    others = affected_payers(result)
    others = others[~others["is_council"].astype(bool)]
    for row in others.sort_values("net_saving_gbp").head(2).itertuples():
        if abs(row.net_saving_gbp) < 0.5:
            continue
        if row.net_saving_gbp < 0:
            low, high = -row.net_saving_p97_5_gbp, -row.net_saving_p2_5_gbp
            parts.append(f"{row.payer_label} pays {money(-row.net_saving_gbp)} more over "
                         f"{YEARS} years (95% interval {money_signed(low)} to "
                         f"{money_signed(high)})")
        else:
            interval = money_interval(row.net_saving_p2_5_gbp, row.net_saving_p97_5_gbp)
            parts.append(f"{row.payer_label} saves {money(row.net_saving_gbp)} over {YEARS} "
                         f"years (95% interval {interval})")
    y3 = council_y.loc[min(3, YEARS)]
    if y3["direct_saving_gbp"] > 0.5 and y3["spillover_saving_gbp"] < -0.5:
        share = -y3["spillover_saving_gbp"] / y3["direct_saving_gbp"]
        parts.append(f"by year {min(3, YEARS)} the council's own knock-on costs are "
                     f"{money(-y3['spillover_saving_gbp'])} a year, {share:.0%} of its saving")
    elif y3["direct_saving_gbp"] < -0.5 and y3["spillover_saving_gbp"] > 0.5:
        share = y3["spillover_saving_gbp"] / -y3["direct_saving_gbp"]
        parts.append(f"by year {min(3, YEARS)} the council's own knock-on savings are "
                     f"{money(y3['spillover_saving_gbp'])} a year, {share:.0%} of its extra "
                     "spend")
    first = "; ".join(parts)
    first = first[:1].upper() + first[1:] + "." if first else ""
    purse, council = overall.loc["public_purse"], overall.loc["council"]
    p_purse, p_council = purse["prob_net_saving"], council["prob_net_saving"]
    second = (
        f"Over {YEARS} years (discounted) the net for the public purse is "
        f"{money_signed(purse['net_saving_gbp'])} (95% interval "
        f"{money_interval(purse['net_saving_p2_5_gbp'], purse['net_saving_p97_5_gbp'])}); "
        f"a net saving for the public purse is {likelihood(p_purse)} "
        f"(probability {probability(p_purse)}), and for the council {likelihood(p_council)} "
        f"({probability(p_council)})."
    )
    return f"{scenario.name}: {first} {second}".replace(":  ", ": ")


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
        traces.append(go.Bar(
            x=[f"Year {y}" for y in rows["year"]], y=rows["net_saving_gbp"].tolist(),
            name=str(rows["payer"].iloc[0]),
            marker={"color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": figures.PATTERNS[i % len(figures.PATTERNS)]}},
            error_y={"type": "data", "symmetric": False, "color": "#1b1b1b",
                     "array": (rows["net_upper95_gbp"] - rows["net_saving_gbp"]).tolist(),
                     "arrayminus": (rows["net_saving_gbp"] - rows["net_lower95_gbp"]).tolist()},
            hovertemplate="%{x}: £%{y:,.0f}<extra>%{fullData.name}</extra>"))
    return go.Figure(data=traces, layout=_fig_layout(
        380, barmode="group", hovermode="closest",
        xaxis={"type": "category", "showline": True, "linecolor": figures.AXIS_LINE},
        yaxis={"tickprefix": "£", "tickformat": ",.3~s", "gridcolor": figures.GRID,
               "zeroline": True, "zerolinecolor": "#1b1b1b",
               "title": {"text": "Net saving (− = extra cost)"}}))


def tornado_figure(table: pd.DataFrame) -> go.Figure:
    """One-way sensitivity: each bar runs from the net saving with the input at its low value
    to the one at its high value; the line is the central result."""
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



def compare_rows(runs: list[tuple[Scenario, sp.SpilloverResult]]) -> dict[str, list[str]]:
    """Scenarios side by side: for each row label, one cell of text per scenario (the
    council's and the public purse's net in year 1 and over the years, with the chance of a
    net saving, then each payer any of them moves)."""
    payer_codes: dict[str, str] = {}
    for _, res in runs:
        for r in affected_payers(res).itertuples():
            payer_codes.setdefault(r.payer_code, r.payer_label)
    rows: dict[str, list[str]] = {
        "Changes": [", ".join(change_token(c) for c in s.changes) for s, _ in runs]}
    for scope, words in (("council", "Council"), ("public_purse", "Public purse")):
        rows[f"{words}: year 1"] = [money_signed(
            res.overall_by_year.set_index(["scope", "year"]).at[(scope, 1), "net_saving_gbp"])
            for _, res in runs]
        rows[f"{words}: {YEARS} years (95% interval)"] = []
        rows[f"{words}: chance of a net saving"] = []
        for _, res in runs:
            o = res.overall.set_index("scope").loc[scope]
            rows[f"{words}: {YEARS} years (95% interval)"].append(
                f"{money_signed(o['net_saving_gbp'])} "
                f"({money_interval(o['net_saving_p2_5_gbp'], o['net_saving_p97_5_gbp'])})")
            rows[f"{words}: chance of a net saving"].append(probability(o["prob_net_saving"]))
    for code, label in payer_codes.items():
        by_payer = [res.by_payer.set_index("payer_code") for _, res in runs]
        rows[f"{label}: {YEARS} years"] = [
            money_signed(b.at[code, "net_saving_gbp"]) if code in b.index else "–"
            for b in by_payer]
    return rows


def probability_rows(result: sp.SpilloverResult) -> list[tuple[str, float, str, str]]:
    """(label, probability of a net saving, payer or scope code, likelihood words) for the
    public purse, the council and each payer the scenario moves."""
    overall = result.overall.set_index("scope")
    items = [("Public purse (all payers)", overall.at["public_purse", "prob_net_saving"],
              "public_purse"),
             ("Council (all its departments)", overall.at["council", "prob_net_saving"],
              "council")]
    items += [(r.payer_label, r.prob_net_saving, r.payer_code)
              for r in affected_payers(result).itertuples()]
    return [(label, p, code, likelihood(p)) for label, p, code in items]


def years_chart_title(result: sp.SpilloverResult) -> str:
    purse = result.overall.set_index("scope").loc["public_purse"]
    return ("Who pays and who benefits, year by year: "
            + ("the public purse saves overall" if purse["net_saving_gbp"] > 0
               else "the public purse pays more overall") + f" over {YEARS} years")


def tornado_words(torn: pd.DataFrame) -> tuple[str, str]:
    """The tornado chart's title (what the result depends on most) and summary."""
    kind, what = torn["kind"].iloc[0], torn["what"].iloc[0]
    title = f"The result depends most on the {kind}" + (f" for {what}" if what else "")
    central = money_signed(torn["central_net_saving_gbp"].iloc[0])
    text = (f"Each bar shows how far the public purse's net over {YEARS} years moves when "
            "one assumption goes to the low or high end of its range, the rest held at "
            f"their central values. The central result is {central}.")
    return title, text


def evidence_words(ev: pd.DataFrame) -> str:
    weak = ev[ev["evidence_grade"].isin(["low", "very low"])]
    return (f"{len(ev)} modelled links; {len(weak)} rest on low or very low certainty "
            "evidence and are scaled down for optimism bias and deadweight before they are "
            "counted. The spend change itself is a budget figure and is not adjusted.")
