"""Scenario planner (internal only): change services' spend, see who pays and who benefits.

The page exists only when ``DASHBOARD_MODE=internal``: in public mode neither its route, its
forms nor its download are registered. It is rendered on the server for each request
(``static_pages``; it shows the user's own drafts, so it is never cached). Its forms (add a
change, save a draft, compare, publish) POST to ``/scenarios`` with a CSRF token; the answer is a
redirect to the scenario's URL, with a message beside the form that was used.

URL format (the whole scenario lives in the query string, so a link shares it)
-----------------------------------------------------------------------------
``/scenarios?change=LUNCH:-100pct`` or ``/scenarios?change=LUNCH:-100pct,FALLS:50000``

* ``change`` — one or more changes, comma-separated or as repeated ``change=`` parameters.
  Each is ``SERVICE:VALUE[UNIT]``:

  - ``SERVICE`` a service code (the planner's allow-list: every service; those without
    spill-over links have a direct effect only, and the page says so);
  - ``VALUE`` a signed number, up to 4 decimals (negative = a cut);
  - ``UNIT`` ``pct`` (or ``%``, written ``%25`` in a URL) for a per cent of the service's
    spend in the latest financial year; ``k`` or ``m`` for £ thousands or millions; none
    for £ a year.

  Bounds: -100% to +500%; at most £100m either way; a cut no larger than the service's
  whole spend; each service once; at most 20 changes. ``+`` may be written or left out (a
  bare ``+`` in a query string reads as a space, which is ignored).
* ``scenario`` — instead of ``change``: a published scenario's id
  (``?scenario=close-luncheon-clubs``) or a saved draft, ``draft:<id>``
  (``?scenario=draft:12``), which the signed-in user must be allowed to see.
* ``compare`` — up to three more scenarios (ids or ``draft:<id>``, comma-separated or
  repeated) to set side by side with this one.
* ``persist`` — ``sustained`` (the default: the change recurs every year, a new cohort of
  activity each year) or ``oneoff`` (one year's change, one cohort); it applies to every
  scenario on the page.

Anything else is refused with a message naming what is wrong; nothing is guessed.

Each scenario is run through ``dashboard.views.scenario_results`` (the model with 10,000
draws and a fixed seed over five years, as plain data: the JSON endpoint shows the same);
results are cached by (warehouse version, the £ changes, sustained or one-off), so a repeat
view is instant and the same link always shows the same figures.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qs, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from flask import flash, get_flashed_messages, request

from dashboard import auth, data, downloads, fairshare, figures, security, settings
from dashboard.components import (
    PALETTE,
    chart_block,
    money,
    money_interval,
    money_signed,
    number,
    radio_group,
    select_control,
    spillover_inputs,
)
from dashboard.views import scenario_results as sr
from dashboard.views.scenario_query import (
    AMOUNT_MAX,
    MAX_CHANGES,
    MAX_PARAM_CHARS,
    PERSIST,
    PERSIST_WORDS,
    amounts,
    change_token,
    check_change,
    parse_changes,
)
from dashboard.views.scenario_query import short as _short
from dashboard.views.scenario_query import values as _values
from drafts import store as drafts_store
from drafts.store import Change, DraftError, DraftPermissionError
from indicators import spillover as sp

INTERNAL = settings.mode() == "internal"
PATH = "/scenarios"
PREFIX = "scenarios"
# component ids, each written once
TITLE = f"{PREFIX}-title"
ERRORS = f"{PREFIX}-errors"
HEADLINE = f"{PREFIX}-headline"
SHARE_LINK = f"{PREFIX}-share-link"
CHANGES_TABLE = f"{PREFIX}-changes"
PROBS = f"{PREFIX}-probabilities"
YEARS_TABLE = f"{PREFIX}-years-table"
YEARS_BLOCK = f"{PREFIX}-years"
TORNADO_BLOCK = f"{PREFIX}-tornado"
EVIDENCE_BLOCK = f"{PREFIX}-evidence"
COMPARE_BLOCK = f"{PREFIX}-compare"
SERVICE = f"{PREFIX}-service"
KIND = f"{PREFIX}-kind"
VALUE = f"{PREFIX}-value"
ADD = f"{PREFIX}-add"
ADD_MSG = f"{PREFIX}-add-message"
DRAFT_NAME = f"{PREFIX}-draft-name"
SAVE = f"{PREFIX}-save"
SAVE_MSG = f"{PREFIX}-save-message"
DRAFTS_TABLE = f"{PREFIX}-drafts"
BUILDER = f"{PREFIX}-builder-heading"
DRAFTS = f"{PREFIX}-drafts-heading"
FROM = "from"  # each form's hidden field: the query string of the scenario it acts on
PUBLISH_PICK = f"{PREFIX}-publish-draft"
PUBLISH = f"{PREFIX}-publish"
PUBLISH_MSG = f"{PREFIX}-publish-message"
COMPARE_PICK = f"{PREFIX}-compare-pick"
COMPARE = f"{PREFIX}-compare-button"
COMPARE_MSG = f"{PREFIX}-compare-message"
PAGE_MSG = f"{PREFIX}-page-message"
SLOTS = (ADD_MSG, SAVE_MSG, PUBLISH_MSG, COMPARE_MSG, PAGE_MSG)
KEPT = "form"  # flashed with a refused form: what the reader typed, to show it again

YEARS = sp.DEFAULT_YEARS
DRAWS = sp.DEFAULT_DRAWS
SEED = sp.DEFAULT_SEED
MAX_COMPARE = 3  # besides the scenario shown: four side by side
KIND_OPTIONS = [("percent", "Per cent of current spend"), ("amount", "£ a year")]
PUBLISHED_RE = re.compile(r"^[a-z0-9-]{1,64}$")
DRAFT_RE = re.compile(r"^draft:(\d{1,12})$")
probability = sr.probability_text


# ---- the scenario and its URL ----------------------------------------------------------

class Scenario(NamedTuple):
    # a NamedTuple, not a dataclass: Dash runs page modules before they are in sys.modules
    ref: str  # a published id, "draft:<id>", or "" for changes given in the URL
    name: str
    description: str
    status: str  # "published", "draft", "published draft" or "unsaved"
    changes: tuple[Change, ...]
    persistence: str = "sustained"  # or "oneoff": the ``persist`` query parameter


class Planner(NamedTuple):
    """The allow-lists, read once per request from the cached queries."""

    services: pd.DataFrame  # every service, indexed by service_code; ``modelled`` flags links
    latest_year: str
    published: dict[str, Scenario]


def planner() -> Planner:
    inputs = spillover_inputs()
    modelled = set(inputs.links["service_code"])
    services = inputs.services.set_index("service_code").assign(
        modelled=lambda f: f.index.isin(sorted(modelled)))
    latest = str(inputs.services["financial_year"].iloc[0]) if len(inputs.services) else ""
    rows = data.query("published_scenarios")
    published = {}
    for sid, group in rows.groupby("scenario_id", sort=False):
        first = group.iloc[0]
        changes = tuple(sorted(Change(r.service_code, r.change_type, float(r.change_value))
                               for r in group.itertuples()))
        published[str(sid)] = Scenario(str(sid), str(first["name"]), str(first["description"]),
                                       "published", changes)
    return Planner(services, latest, published)


def change_words(change: Change, plan: Planner) -> str:
    value = change.change_value
    if change.change_type == "percent":
        return f"{value:+g}% of its {plan.latest_year} spend".replace("-", "\u2212")
    return f"{'+' if value > 0 else ''}{money_signed(value)} a year"


def resolve(ref: Any, plan: Planner, user: auth.User) -> Scenario:
    """A published scenario or a draft the user may see, by reference; ValueError if not."""
    if not isinstance(ref, str):
        raise ValueError("A scenario is named by its id, such as close-luncheon-clubs.")
    match = DRAFT_RE.match(ref)
    if match:
        draft = drafts_store.default_store().get(user, int(match[1]))
        if draft is None:
            raise ValueError(f"There is no draft {match[1]} that you may see.")
        changes = []
        for c in draft.changes:  # stored drafts are checked again: services or spend may move
            try:
                changes.append(check_change(c, plan))
            except ValueError as err:
                raise ValueError(f"Draft “{_short(draft.name)}” no longer fits: {err}") from err
        status = "published draft" if draft.status == "published" else "draft"
        owner = f"by {draft.owner}, {draft.updated_at[:10]}"
        return Scenario(draft.ref, draft.name, f"A {status} {owner}.", status, tuple(changes))
    if PUBLISHED_RE.match(ref) and ref in plan.published:
        return plan.published[ref]
    raise ValueError(f"There is no published scenario “{_short(ref)}”. Published scenarios: "
                     f"{', '.join(plan.published) or 'none'}.")


def read_query(query: Mapping[str, Any], plan: Planner,
               user: auth.User) -> tuple[Scenario | None, tuple[Scenario, ...], list[str]]:
    """The scenario a URL asks for, the ones to compare it with, and any messages."""
    errors: list[str] = []
    scenario = None
    persistence = query.get(PERSIST) or "sustained"
    if persistence not in PERSIST_WORDS:
        return None, (), [f"“{_short(persistence)}” is not a way a change lasts: write "
                          f"{PERSIST}=sustained (every year) or {PERSIST}=oneoff (one year)."]
    raw_change, raw_ref = query.get("change"), query.get("scenario")
    if raw_change not in (None, "", []) and raw_ref not in (None, "", []):
        return None, (), ["Give either changes or a scenario, not both."]
    if raw_ref not in (None, "", []):
        try:
            scenario = resolve(raw_ref, plan, user)
        except ValueError as err:
            errors.append(str(err))
    elif raw_change not in (None, "", []):
        changes, errors = parse_changes(raw_change, plan)
        if changes:
            scenario = Scenario("", "Your scenario", "Changes given in the link; not saved.",
                                "unsaved", changes)
    others: list[Scenario] = []
    try:
        refs = _values(query.get("compare"), "compare list")
    except ValueError as err:
        refs, errors = [], [*errors, str(err)]
    refs = list(dict.fromkeys(r for r in refs if not scenario or r != scenario.ref))
    if len(refs) > MAX_COMPARE:
        errors.append(f"Compare at most {MAX_COMPARE} other scenarios at once.")
        refs = []
    for ref in refs:
        try:
            others.append(resolve(ref, plan, user)._replace(persistence=persistence))
        except ValueError as err:
            errors.append(str(err))
    if scenario is not None:
        scenario = scenario._replace(persistence=persistence)
    return scenario, tuple(others), errors


def search_for(changes: tuple[Change, ...] = (), ref: str = "",
               compare: tuple[str, ...] = (), persistence: str = "sustained") -> str:
    """The query string for a scenario (canonical order; ``:`` and ``,`` left readable)."""
    params = {}
    if ref:
        params["scenario"] = ref
    elif changes:
        params["change"] = ",".join(change_token(c) for c in sorted(changes))
    if compare:
        params["compare"] = ",".join(compare)
    if persistence != "sustained" and params:
        params[PERSIST] = persistence
    return "?" + urlencode(params, safe=":,") if params else ""


# ---- the model run ---------------------------------------------------------------------

@data.cache.memoize()
def _model_run(_version: str, key: tuple[tuple[str, float], ...],
               persistence: str = "sustained") -> dict:
    """The plain-data results (``dashboard.views.scenario_results``) for one set of £ changes,
    and the tables drawn from them, cached per warehouse version (library types only, so any
    cache backend can pickle them)."""
    inputs = spillover_inputs()
    with fairshare.simulations().slot(fairshare.requester()):  # one user's fair share
        view = sr.scenario_results(dict(key), persistence=persistence, links=inputs.links,
                                   unit_costs=inputs.unit_costs, payers=inputs.payers,
                                   services=inputs.services, years=YEARS, draws=DRAWS,
                                   seed=SEED)
    return {"view": view, "years": pd.DataFrame(sr.years_rows(view)),
            "tornado_table": pd.DataFrame(view["tornado"]),
            "evidence": evidence_table(view)}


def model_run(scenario: Scenario, plan: Planner) -> dict:
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


def _validate_download(scenario="", change="", persist="") -> dict:
    """Off-list values raise ValueError (the download answers 400)."""
    user = auth.current_user()
    if not user.is_internal:
        raise ValueError("not signed in")
    plan = planner()
    found, _, errors = read_query({"scenario": scenario or None, "change": change or None,
                                   PERSIST: persist or None}, plan, user)
    if errors or found is None:
        raise ValueError("; ".join(errors) or "no scenario")
    return {"scenario": found.ref, "change": "" if found.ref else ",".join(
        change_token(c) for c in found.changes), "persist": found.persistence}


def scenario_download(scenario: str, change: str, persist: str) -> pd.DataFrame:
    plan = planner()
    found, _, _ = read_query({"scenario": scenario or None, "change": change or None,
                              PERSIST: persist}, plan, auth.current_user())
    return model_run(found, plan)["years"]


if INTERNAL:
    downloads.dataset("scenario", ("scenario", "change", PERSIST),
                      _validate_download)(scenario_download)


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
            # no whiskers where the interval is unknown (an unmodelled service's knock-on)
            error_y={"type": "data", "symmetric": False, "color": "#1b1b1b",
                     "visible": bool(rows["net_lower95_gbp"].notna().all()),
                     "array": (rows["net_upper95_gbp"] - rows["net_saving_gbp"]).fillna(0)
                     .tolist(),
                     "arrayminus": (rows["net_saving_gbp"] - rows["net_lower95_gbp"]).fillna(0)
                     .tolist()},
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


# ---- sections --------------------------------------------------------------------------

def _cell(value: float, low: float | None = None, high: float | None = None,
          cell_id: str | None = None) -> html.Td:
    parts: list = [html.Span(money_signed(value), className="figure-sm")]
    if low is not None and (abs(high - low) > 0.5):
        parts += [html.Br(), html.Span(f"({money_interval(low, high)})",
                                       className="interval")]
    kwargs = {"id": cell_id} if cell_id else {}
    return html.Td(parts, className="num", **kwargs)


def _years_html(table: pd.DataFrame) -> html.Div:
    """The year-by-year table a reader sees first: per payer, direct, knock-on and net."""
    years = [str(y) for y in range(1, YEARS + 1)]
    total = f"{YEARS}-year total"
    head = html.Thead(html.Tr([html.Th("Payer", scope="col"), html.Th("Effect", scope="col"),
                               *[html.Th(f"Year {y}", scope="col") for y in years],
                               html.Th(f"{YEARS} years", scope="col"),
                               html.Th("Chance of a net saving", scope="col")]))
    body = []
    for code, rows in table.groupby("payer_code", sort=False):
        rows = rows.set_index("year")
        label = str(rows["payer"].iloc[0])
        order = [*years, total]
        direct = rows.loc[order, "direct_saving_gbp"]
        knock = rows.loc[order, "knock_on_saving_gbp"]
        knock_wide = (rows.loc[order, "knock_on_upper95_gbp"]
                      - rows.loc[order, "knock_on_lower95_gbp"]).abs()
        kinds = []
        if direct.abs().max() > 0.5:
            kinds.append("direct")
        if knock.abs().max() > 0.5 or knock_wide.max() > 0.5:
            kinds.append("knock")
        kinds.append("net")
        group_class = "payer-total" if code in ("council", "public_purse") else "payer"
        for j, kind in enumerate(kinds):
            cells = []
            if j == 0:
                cells.append(html.Th(label, scope="rowgroup", rowSpan=len(kinds),
                                     id=f"{PREFIX}-payer-{code}"))
            words = {"direct": "Direct (the spend change)", "knock": "Knock-on (modelled)",
                     "net": "Net"}[kind]
            cells.append(html.Th(words, scope="row"))
            for y in order:
                r = rows.loc[y]
                suffix = "total" if y == total else f"y{y}"
                if kind == "direct":
                    cells.append(_cell(r["direct_saving_gbp"]))
                elif kind == "knock":
                    cells.append(_cell(r["knock_on_saving_gbp"], r["knock_on_lower95_gbp"],
                                       r["knock_on_upper95_gbp"]))
                else:
                    cells.append(_cell(r["net_saving_gbp"], r["net_lower95_gbp"],
                                       r["net_upper95_gbp"], f"{PREFIX}-net-{code}-{suffix}"))
            if kind == "net":
                cells.append(html.Td(probability(rows.loc[total, "prob_net_saving"]),
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


def _probabilities(view: dict) -> html.Section:
    items = [("Public purse (all payers)", view["public_purse"], "public_purse"),
             ("Council (all its departments)", view["council"], "council")]
    items += [(p["payer_label"], p, p["payer_code"]) for p in view["payers"]]
    dl = []
    for label, scope, code in items:
        if scope["p_net_saving"] is None:
            words = " — not given: knock-on effects of an unmodelled service are unknown"
        else:
            words = f" — a net saving over {YEARS} years is {scope['likelihood']}"
        dl += [html.Dt(label),
               html.Dd([html.Span(scope["p_net_saving_text"], className="figure",
                                  id=f"{PREFIX}-chance-{code}"), words])]
    heading = f"{PROBS}-heading"
    return html.Section([html.H2("How likely is a net saving?", id=heading, className="h4"),
                         html.Dl(dl, className="probabilities")],
                        id=PROBS, **{"aria-labelledby": heading})


def _persistence_note(scenario: Scenario) -> html.P:
    """Which way the change is modelled, with a link to the other."""
    other = "oneoff" if scenario.persistence == "sustained" else "sustained"
    href = PATH + search_for(scenario.changes, scenario.ref, persistence=other)
    return html.P([f"Modelled as {PERSIST_WORDS[scenario.persistence]}. ",
                   html.A(f"Model it as {PERSIST_WORDS[other]}", href=href,
                          id=f"{PREFIX}-persist-link"), "."],
                  className="small", id=f"{PREFIX}-persist")


def _warnings(view: dict) -> list:
    if not view["warnings"]:
        return []
    return [dbc.Alert([html.P(w, className="mb-0") for w in view["warnings"]],
                      color="warning", id=f"{PREFIX}-warnings", className="state-note")]


def _changes_table(scenario: Scenario, plan: Planner) -> html.Div:
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


def _results(scenario: Scenario, plan: Planner, builder: html.Section) -> list:
    out = model_run(scenario, plan)
    view, table = out["view"], out["years"]
    params = ({"scenario": scenario.ref} if scenario.ref
              else {"change": ",".join(change_token(c) for c in scenario.changes)})
    if scenario.persistence != "sustained":
        params[PERSIST] = scenario.persistence
    purse = view["public_purse"]["net_5y"]["central"]
    years_title = ("Who pays and who benefits, year by year: "
                   + ("the public purse saves overall" if purse > 0
                      else "the public purse pays more overall") + f" over {YEARS} years"
                   + ("" if view["public_purse"]["complete"] else
                      " in what is modelled (some knock-on effects are unknown)"))
    years_block = chart_block(
        YEARS_BLOCK, years_title,
        "Net saving by payer and year (median of the draws; the whiskers are 95% intervals). The "
        "direct effect is the spend change itself; knock-on effects are modelled from the "
        "evidence and are uncertain.",
        years_figure(table),
        display(table[["payer", "year", "net_saving_gbp", "net_lower95_gbp", "net_upper95_gbp",
                       "prob_net_saving"]]), ("scenario", params))
    torn = out["tornado_table"]
    if len(torn):
        kind, what = torn["kind"].iloc[0], torn["what"].iloc[0]
        t_title = (f"The result depends most on the {kind}" + (f" for {what}" if what else ""))
        central = sr.money_prose(torn["central_net_saving_gbp"].iloc[0])
        t_text = (f"Each bar shows how far the public purse's net over {YEARS} years moves when "
                  "one assumption goes to the low or high end of its range, the rest held at "
                  f"their central values. With every input at its central value the result is "
                  f"{central} (the headline figures are medians of the draws).")
        tornado_block = chart_block(TORNADO_BLOCK, t_title, t_text, tornado_figure(torn),
                                    display(torn.drop(columns=["kind", "what"])))
    else:
        tornado_block = html.P("No assumption moves this result.", id=TORNADO_BLOCK)
    ev = out["evidence"]
    weak = ev[ev["evidence_grade"].isin(["low", "very low"])]
    ev_text = (f"{len(ev)} modelled links; {len(weak)} rest on low or very low certainty "
               "evidence. Optimism bias and deadweight work against the proposal (HM Treasury "
               "Green Book): a knock-on saving is scaled down, a knock-on extra cost scaled up; "
               "both figures are shown. Links tied to the same events share one draw of the "
               "effect. The spend change itself is a budget figure and is not adjusted.")
    evidence_block = chart_block(EVIDENCE_BLOCK,
                                 "Claimed knock-on effects beside the strength of their evidence",
                                 ev_text, None, display(ev))
    # the evidence table is what the reader must see next to the savings: open by default
    evidence_block.children[-1].open = True
    return [
        html.P(headline(scenario, view), className="headline", id=HEADLINE),
        *_warnings(view),
        _persistence_note(scenario),
        _changes_table(scenario, plan),
        builder,
        _probabilities(view),
        html.H2("Year by year, for each payer", className="h4 section-heading"),
        _years_html(table),
        years_block,
        tornado_block,
        evidence_block,
        html.P([f"Modelled with {DRAWS:,} Monte Carlo draws (seed {SEED}), {YEARS} years, "
                f"{', '.join(view['settings']['price_years']) or 'current'} prices, discounted "
                "at 3.5% a year from year 2 (HM Treasury Green Book); central figures are the "
                "medians of the draws. ",
                html.A("These figures as JSON", href="/api/v1/scenario-results"
                       + search_for(scenario.changes, scenario.ref,
                                    persistence=scenario.persistence)),
                ". These are modelled effects; what "
                "the council's own data show is on the ",
                html.A("spill-over page", href="/spillover#spillover-observed"),
                ", labelled as observed association, not evidence of cause. ",
                html.A("Methods", href="/methods"), "."], className="small"),
    ]


def _compare(scenario: Scenario, others: tuple[Scenario, ...], plan: Planner) -> html.Section:
    runs = [(s, model_run(s, plan)["view"]) for s in (scenario, *others)]
    payer_codes: dict[str, str] = {}
    for _, view in runs:
        for p in view["payers"]:
            payer_codes.setdefault(p["payer_code"], p["payer_label"])
    rows: dict[str, list[str]] = {
        "Changes": [", ".join(change_token(c) for c in s.changes) for s, _ in runs]}
    for scope, words in (("council", "Council"), ("public_purse", "Public purse")):
        rows[f"{words}: year 1"] = [money_signed(view[scope]["years"][0]["net"]["central"])
                                    for _, view in runs]
        rows[f"{words}: {YEARS} years (95% interval)"] = []
        rows[f"{words}: chance of a net saving"] = []
        for _, view in runs:
            net = view[scope]["net_5y"]
            interval = (money_interval(net["low"], net["high"]) if net["low"] is not None
                        else "no interval: knock-on effects partly unknown")
            rows[f"{words}: {YEARS} years (95% interval)"].append(
                f"{money_signed(net['central'])} ({interval})")
            rows[f"{words}: chance of a net saving"].append(view[scope]["p_net_saving_text"])
    for code, label in payer_codes.items():
        rows[f"{label}: {YEARS} years"] = [
            money_signed(next((p["net_5y"]["central"] for p in view["payers"]
                               if p["payer_code"] == code), 0.0)) for _, view in runs]
    head = html.Thead(html.Tr([html.Th("", scope="col")]
                              + [html.Th(html.A(s.name, href=PATH + search_for(
                                             s.changes, s.ref, persistence=s.persistence)),
                                         scope="col") for s, _ in runs]))
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


def _form(children: list, search: str, anchor: str) -> html.Form:
    """A POST form of the planner: the session's CSRF token, the scenario it acts on (the
    current query string) and ``children``; ``handle_form`` answers it."""
    return html.Form([
        dbc.Input(type="hidden", name="csrf_token", value=security.form_token()),
        dbc.Input(type="hidden", name=FROM, value=search.lstrip("?")),
        *children,
    ], method="post", action=f"{PATH}#{anchor}")


def _messages(slot: str, messages: dict) -> html.Div:
    """What the last form did, just before that form (flashed across the redirect). The
    redirect's fragment names this slot, so the browser lands, and focus starts, here."""
    said = messages.get(slot, [])
    return html.Div(said, id=slot, tabIndex="-1" if said else None)


def _builder(scenario: Scenario | None, plan: Planner, search: str,
             messages: dict) -> html.Section:
    kept = messages.get(KEPT, {})
    first = (scenario.changes[0].service_code if scenario and scenario.changes else "")
    options = [(code, f"{row.service_name} ({row.dept_name}) — {money(row.spend_gbp)} in "
                      f"{plan.latest_year}"
                      + ("" if row.modelled else " — no modelled knock-on effects"))
               for code, row in plan.services.iterrows()]
    current = []
    if scenario is not None:
        for c in scenario.changes:
            rest = tuple(x for x in scenario.changes if x != c)
            href = PATH + search_for(rest, persistence=scenario.persistence)
            current.append(html.Li([
                f"{plan.services.at[c.service_code, 'service_name']}: {change_words(c, plan)} ",
                html.A(["Remove", html.Span(f" {c.service_code}", className="visually-hidden")],
                       href=href, className="small")]))
    published = [html.Li(html.A(s.name, href=PATH + search_for(ref=s.ref)))
                 for s in plan.published.values()]
    return html.Section([
        html.H2("Change this scenario" if scenario else "Build a scenario", id=BUILDER,
                className="h4 section-heading"),
        html.Div([
            html.P("Published scenarios:", className="mb-1"),
            html.Ul(published, id=f"{PREFIX}-published"),
        ]),
        _messages(ADD_MSG, messages),
        _form([html.Div([
            select_control(SERVICE, "Service", options,
                           kept.get("service") or first or (options[0][0] if options else ""),
                           name="service"),
            radio_group(KIND, "Change by", KIND_OPTIONS, kept.get("kind") or "percent",
                        name="kind"),
            html.Div([dbc.Label("Change (negative for a cut)", html_for=VALUE,
                                className="fw-semibold mb-1"),
                      dbc.Input(id=VALUE, name="value", type="number",
                                value=kept.get("value", -100), step="any",
                                min=-AMOUNT_MAX, max=AMOUNT_MAX, required=True,
                                invalid=ADD_MSG in kept.get("refused", ()))],
                     className="control"),
            dbc.Button("Add to the scenario", id=ADD, color="primary", type="submit",
                       name="action", value="add", className="align-self-end"),
        ], className="controls")], search, ADD_MSG),
        html.Div([html.P("Changes in this scenario:", className="mb-1"),
                  html.Ul(current)] if current else [],
                 id=f"{PREFIX}-current"),
        html.P([html.A("Start again", href=PATH)], className="small"),
    ], className="builder", **{"aria-labelledby": BUILDER})


def _drafts_panel(user: auth.User, scenario: Scenario | None, plan: Planner,
                  compare_refs: tuple[str, ...], search: str, messages: dict) -> html.Section:
    store = drafts_store.default_store()
    try:
        drafts = store.visible(user)
    except Exception:  # noqa: BLE001 - a broken draft file must not take the planner down
        drafts = None
    kept = messages.get(KEPT, {})  # what the reader typed into a refused form
    can_save = user.role in drafts_store.SAVE_ROLES and scenario is not None
    can_publish = drafts_store.may_publish(user)
    rows = []
    for d in drafts or []:
        rows.append(html.Tr([
            html.Td(html.A(d.name, href=PATH + search_for(ref=d.ref))),
            html.Td(d.owner), html.Td(", ".join(d.departments)),
            html.Td("published" if d.status == "published" else "draft"),
            html.Td(d.updated_at[:16].replace("T", " "))]))
    table = (dbc.Table([html.Caption("Drafts you can see"),
                        html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                            ("Name", "Owner", "Departments", "Status",
                                             "Updated (UTC)")])),
                        html.Tbody(rows)], size="sm", className="data-table", id=DRAFTS_TABLE)
             if rows else html.P("No drafts yet that you can see." if drafts is not None else
                                 "The draft store cannot be read just now.", id=DRAFTS_TABLE))
    compare_options = [{"label": s.name, "value": s.ref} for s in plan.published.values()]
    compare_options += [{"label": f"{d.name} (draft by {d.owner})", "value": d.ref}
                        for d in drafts or []]
    compare_options = [o for o in compare_options if not scenario or o["value"] != scenario.ref]
    unpublished = [(d.ref, d.name) for d in drafts or [] if d.status == "draft"]
    save_note = ("" if can_save else
                 " (add a change first)" if user.role in drafts_store.SAVE_ROLES else
                 " (directors, for their own services, and cabinet members can save drafts)")
    return html.Section([
        html.H2("Drafts and comparisons", id=DRAFTS, className="h4 section-heading"),
        _messages(SAVE_MSG, messages),
        _form([html.Div([
            html.Div([dbc.Label(f"Save this scenario as a draft{save_note}", html_for=DRAFT_NAME,
                                className="fw-semibold mb-1"),
                      dbc.Input(id=DRAFT_NAME, name="name", type="text",
                                maxLength=drafts_store.MAX_NAME,
                                value=kept.get("name"),
                                invalid=SAVE_MSG in kept.get("refused", ()),
                                placeholder="Name of the draft", disabled=not can_save)],
                     className="control"),
            dbc.Button("Save draft", id=SAVE, color="secondary", type="submit", name="action",
                       value="save", disabled=not can_save, className="align-self-end"),
        ], className="controls")], search, SAVE_MSG),
        table,
        _messages(COMPARE_MSG, messages),
        _form([html.Div([
            html.Fieldset([
                html.Legend(f"Compare with up to {MAX_COMPARE} others",
                            className="form-label fw-semibold fs-6 mb-1"),
                dbc.Checklist(id=COMPARE_PICK, name="compare", options=compare_options,
                              value=list(compare_refs)),
            ], className="control"),
            dbc.Button("Compare", id=COMPARE, color="secondary", type="submit", name="action",
                       value="compare", disabled=scenario is None, className="align-self-end"),
        ], className="controls")], search, COMPARE_MSG),
        _messages(PUBLISH_MSG, messages),
        (_form([html.Div([
            select_control(PUBLISH_PICK, "Publish a draft to every internal user", unpublished,
                           unpublished[0][0], name="draft"),
            dbc.Button("Publish", id=PUBLISH, color="secondary", type="submit", name="action",
                       value="publish", className="align-self-end"),
        ], className="controls")], search, PUBLISH_MSG) if can_publish and unpublished else
         html.P("No drafts are waiting to be published." if can_publish else
                "Cabinet members and admins can publish drafts.", className="small")),
    ], className="drafts", **{"aria-labelledby": DRAFTS})


def _flashed() -> dict[str, Any]:
    """Messages the last form left for this page, by the slot they belong in, and (``KEPT``)
    what the reader typed into a form that was refused."""
    out: dict[str, Any] = {}
    for slot, msg in get_flashed_messages(with_categories=True):
        if slot == KEPT and isinstance(msg, dict):
            out[KEPT] = msg
            continue
        if not isinstance(msg, dict):
            msg = {"text": str(msg)}
        link = msg.get("link")
        out.setdefault(slot if slot in SLOTS else PAGE_MSG, []).append(
            _message(str(msg.get("text", "")), bool(msg.get("ok")),
                     tuple(link) if isinstance(link, list | tuple) and len(link) == 2 else None))
    return out


def layout(**query) -> html.Div:
    user = auth.current_user()
    if not user.is_internal:
        return html.Div([html.H1("Scenario planner", id=TITLE),
                         html.P("The scenario planner is for signed-in council staff.")])
    messages = _flashed()
    plan = planner()
    scenario, others, errors = read_query(query, plan, user)
    compare_refs = tuple(s.ref for s in others)
    search = (search_for(scenario.changes, scenario.ref, compare_refs, scenario.persistence)
              if scenario else "")
    title = f"Scenario planner: {scenario.name}" if scenario else "Scenario planner"
    parts: list = [html.H1(title, id=TITLE), _messages(PAGE_MSG, messages)]
    if scenario is not None and scenario.description:
        parts.append(html.P(scenario.description, className="lead"))
    if errors:
        parts.append(dbc.Alert([html.P("This link could not be used as it is:"),
                                html.Ul([html.Li(e) for e in errors])],
                               color="warning", id=ERRORS, className="state-note"))
    builder = _builder(scenario, plan, search, messages)
    if scenario is not None:
        share = PATH + search
        parts.append(html.P(["Link to this scenario: ",
                             html.A(share, href=share, id=SHARE_LINK)], className="small"))
        parts += _results(scenario, plan, builder)
        if others:
            parts.append(_compare(scenario, others, plan))
    else:
        parts.append(html.P(
            "Change one or more services' spend to see, year by year for five years, the "
            "direct saving and the knock-on costs for each payer, with how sure the model is. "
            "Start from a published scenario or add a change below.", className="headline",
            id=HEADLINE))
        parts.append(builder)
    parts.append(_drafts_panel(user, scenario, plan, compare_refs, search, messages))
    return html.Div(parts, className="scenarios")


# ---- the forms: each re-checks the user and every value on the server -------------------
# (anyone can POST anything: an off-list value changes nothing and says so)

def _message(text: str, ok: bool = False, link: tuple[str, str] | None = None) -> dbc.Alert:
    body: list = [text]
    if link:
        body += [" ", html.A(link[0], href=link[1])]
    return dbc.Alert(body, color="success" if ok else "warning", className="mt-2 mb-0")


def _say(slot: str, text: str, ok: bool = False, link: tuple[str, str] | None = None) -> None:
    flash({"text": text, "ok": ok, "link": list(link) if link else None}, slot)
    if not ok:  # a refused form comes back as the reader left it (WCAG 3.3.7)
        form = request.form
        plan = planner()
        kept: dict[str, Any] = {"refused": [slot]}
        if form.get("service") in plan.services.index:
            kept["service"] = form["service"]
        if form.get("kind") in dict(KIND_OPTIONS):
            kept["kind"] = form["kind"]
        if isinstance(form.get("value"), str) and len(form["value"]) <= 40:
            kept["value"] = form["value"]
        if isinstance(form.get("name"), str) and len(form["name"]) <= drafts_store.MAX_NAME:
            kept["name"] = form["name"]
        flash(kept, KEPT)


def _from_search(search: Any, plan: Planner, user: auth.User):
    """The scenario a form acts on, read from its hidden field as any link is read."""
    if not isinstance(search, str) or len(search) > 4 * MAX_PARAM_CHARS:
        return None, (), ["The form's scenario could not be read."]
    query = {k: (v[0] if len(v) == 1 else v)
             for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}
    return read_query(query, plan, user)


OFF_LIST = "That choice is not one this form offers, so nothing was changed."


def add_change(form, plan: Planner, scenario, compare) -> str:
    """Add (or replace) one service's change: the new scenario's URL."""
    here = f"#{ADD_MSG}"
    service, kind, value = form.get("service"), form.get("kind"), form.get("value")
    if service not in plan.services.index or kind not in dict(KIND_OPTIONS):
        _say(ADD_MSG, OFF_LIST)
        return here
    if value is None or not value.strip():
        _say(ADD_MSG, "Type the size of the change first.")
        return here
    try:
        number_value = float(value)
    except ValueError:
        number_value = math.nan
    if not math.isfinite(number_value):
        _say(ADD_MSG, f"The change “{_short(value)}” is not a number.")
        return here
    try:
        change = check_change(Change(service, kind, number_value), plan)
    except ValueError as err:
        _say(ADD_MSG, str(err))
        return here
    base = scenario.changes if scenario else ()
    changes = tuple(c for c in base if c.service_code != service) + (change,)
    if len(changes) > MAX_CHANGES:
        _say(ADD_MSG, f"A scenario can change at most {MAX_CHANGES} services.")
        return here
    _say(ADD_MSG, f"Added {change_token(change)}.", ok=True)
    persistence = scenario.persistence if scenario else "sustained"
    return search_for(tuple(sorted(changes)), "", tuple(s.ref for s in compare),
                      persistence) + here


def save_draft(form, user: auth.User, plan: Planner, scenario, errors) -> str:
    """Save the scenario as a draft owned by the signed-in user."""
    if user.role not in drafts_store.SAVE_ROLES:
        _say(SAVE_MSG, "Directors, for their own services, and cabinet members can save drafts.")
        return ""
    if scenario is None:
        _say(SAVE_MSG, " ".join(errors) or "Add a change before saving a draft.")
        return ""
    departments = {str(plan.services.at[c.service_code, "dept_code"]) for c in scenario.changes}
    try:
        draft = drafts_store.default_store().save(user, form.get("name"), scenario.changes,
                                                  departments)
    except (DraftError, DraftPermissionError) as err:
        _say(SAVE_MSG, str(err))
        return ""
    _say(SAVE_MSG, f"Saved “{draft.name}” as draft {draft.draft_id}.", ok=True,
         link=("Open the draft", PATH + search_for(ref=draft.ref)))
    return ""


def publish_draft(form, user: auth.User) -> str:
    """Cabinet and admin only: publish a draft to every internal user."""
    if not drafts_store.may_publish(user):
        _say(PUBLISH_MSG, "Cabinet members and admins can publish drafts.")
        return ""
    ref = form.get("draft")
    store = drafts_store.default_store()
    try:
        allowed = {d.ref for d in store.visible(user) if d.status == "draft"}
    except DraftError as err:  # the store is missing or read-only: say so
        _say(PUBLISH_MSG, str(err))
        return ""
    if not isinstance(ref, str) or not DRAFT_RE.match(ref) or ref not in allowed:
        _say(PUBLISH_MSG, OFF_LIST)
        return ""
    try:
        draft = store.publish(user, int(DRAFT_RE.match(ref)[1]))
    except (DraftError, DraftPermissionError) as err:
        _say(PUBLISH_MSG, str(err))
        return ""
    _say(PUBLISH_MSG, f"Published “{draft.name}” to every internal user.", ok=True,
         link=("Open it", PATH + search_for(ref=draft.ref)))
    return ""


def compare_with(form, user: auth.User, plan: Planner, scenario) -> str | None:
    """Put up to three other scenarios beside this one: the URL that shows them."""
    picked = form.getlist("compare")
    try:
        allowed = set(plan.published) | {d.ref for d in drafts_store.default_store().visible(user)}
    except DraftError as err:  # the store is missing or read-only: say so
        _say(COMPARE_MSG, str(err))
        return None
    if any(p not in allowed for p in picked):
        _say(COMPARE_MSG, OFF_LIST)
        return None
    if scenario is None:
        _say(COMPARE_MSG, "Choose or build a scenario first.")
        return None
    refs = tuple(dict.fromkeys(p for p in picked if p != scenario.ref))
    if len(refs) > MAX_COMPARE:
        _say(COMPARE_MSG, f"Choose at most {MAX_COMPARE} scenarios to compare.")
        return None
    _say(COMPARE_MSG, "Comparing." if refs else "Comparison cleared.", ok=True)
    return search_for(scenario.changes, scenario.ref, refs, scenario.persistence)


def _here(form, plan: Planner, user: auth.User):
    """The scenario a form was sent from, its canonical query string, and any messages."""
    scenario, compare, errors = _from_search(form.get(FROM, ""), plan, user)
    here = (search_for(scenario.changes, scenario.ref, tuple(s.ref for s in compare),
                       scenario.persistence)
            if scenario else "")
    return scenario, compare, errors, here


def back_to(form) -> str:
    """Where a refused form (a bad CSRF token) leads back to: its scenario. Reads only."""
    user = auth.current_user()
    if not user.is_internal:
        return PATH
    return PATH + _here(form, planner(), user)[3]


def handle_form(form) -> str:
    """A POST from one of the planner's forms (its CSRF token already checked by
    ``static_pages``): do what it asks, if this user may, and name the page to show next.
    The message is flashed into the form's own slot, and the address's fragment names that
    slot, so the reader lands on what happened."""
    user = auth.current_user()
    action = form.get("action")
    if not user.is_internal:
        return PATH
    plan = planner()
    scenario, compare, errors, here = _here(form, plan, user)
    if action == "add":
        target = add_change(form, plan, scenario, compare)
        return PATH + (target if target.startswith("?") else here + target)
    if action == "save":
        return PATH + here + save_draft(form, user, plan, scenario, errors) + f"#{SAVE_MSG}"
    if action == "publish":
        return PATH + here + publish_draft(form, user) + f"#{PUBLISH_MSG}"
    if action == "compare":
        return PATH + (compare_with(form, user, plan, scenario) or here) + f"#{COMPARE_MSG}"
    _say(PAGE_MSG, "That form action is not known, so nothing was done.")
    return PATH + here + f"#{PAGE_MSG}"


if INTERNAL:
    dash.register_page(__name__, path=PATH, order=2, name="Scenario planner",
                       title="Scenario planner — Outcomes Budget Dashboard",
                       # a page for each user (drafts, forms): rendered on every request
                       server_rendered=("internal",),
                       static_query=("change", "scenario", "compare", PERSIST),
                       static_post=handle_form, static_back=back_to)
