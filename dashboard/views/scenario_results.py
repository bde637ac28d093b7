"""Everything the scenario planner shows about a scenario's results, as plain data.

One call, :func:`scenario_results`, runs the spill-over model (``indicators.spillover``) for a
set of validated spend changes and returns a JSON-able ``dict`` (numbers, strings, lists,
``None``; no frames, no HTML). The scenario planner (any front end) and the JSON endpoint
``GET /api/v1/scenario-results`` both show exactly this, so they cannot disagree.

How to call it
--------------
::

    from dashboard.views import scenario_results as sr

    out = sr.scenario_results(
        {"LUNCH": -116_319.0},            # service code -> £ change a year (- = a cut)
        persistence="sustained",          # or "oneoff" (one year's change)
        links=..., unit_costs=..., payers=..., services=...,  # the model's frames
    )
    out["headline"]          # sentences, unknown knock-on effects said first
    out["warnings"]          # statutory, demand-led services being cut
    out["public_purse"]      # {"net_5y": {"central", "low", "high"}, "p_net_saving", ...}
    out["links"]             # the evidence rows: adjusted and unadjusted knock-on, grade, ties

The frames are those of ``dashboard.views.format.spillover_inputs()``: ``links``,
``unit_costs`` and ``payers`` as :func:`indicators.spillover.simulate` takes them (plus the
display columns ``outcome_label``, ``source``, ``label``); ``services`` one row per service
with ``service_code, service_name, dept_code`` (the payer that funds it), ``statutory`` and,
if known, ``sercop_line``. Validate the changes first (allow-list of services, bounds): this
module raises ``ValueError`` for an unknown service, a non-finite amount or an unknown
``persistence``, and never guesses.

Conventions (every figure)
--------------------------
* £, discounted at the Green Book 3.5 % from year 2, over ``years`` (5) years, in the unit
  costs' price year; **+ is a saving, − an extra cost**.
* The **central figure is the median of the Monte Carlo draws** (``central``), with the 2.5th
  and 97.5th percentiles (``low``, ``high``): a 95 % interval. Numbers are full precision;
  the ``*_text`` fields and the sentences round money to 3 significant figures (£116k,
  £1.02m) and print probabilities as whole per cents, ``"<1%"`` and ``">99%"`` at the ends
  (never 0 % or 100 % from a finite number of draws).
* Knock-on effects are adjusted *against the proposal* (Green Book): extra costs scaled up,
  savings scaled down, by the evidence grade's optimism bias and deadweight; each link also
  carries its unadjusted figure.
* A changed service with no evidence links has **unknown** knock-on effects: it is listed in
  ``unmodelled_services``, the headline says so first, and the payers whose result depends on
  it (its funder, the council, the public purse) get ``p_net_saving: None`` and no interval
  (``low``/``high`` ``None``; ``complete: False``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from indicators import spillover as sp

YEARS = sp.DEFAULT_YEARS
DRAWS = sp.DEFAULT_DRAWS
SEED = sp.DEFAULT_SEED
CENTRAL = "median"
MINUS = "\u2212"
DEMAND_LED = ("residential care", "nursing care", "home care", "looked after", "looked-after")
"""Words of a statutory service's SeRCOP line (or name) that mark it demand-led."""
TIMING_KINDS = {"effect_ratio": "effect size", "lag_years": "delay (years)",
                "drop_off": "drop-off", "unit_cost": "unit cost", "discount_rate": "discount rate",
                "stay_years": "length of stay"}


# ---- words and numbers -----------------------------------------------------------------

def money_prose(value: float | None) -> str:
    """£ to 3 significant figures for sentences: £950, £5.43k, £116k, £1.02m, −£2.5bn."""
    if value is None or not math.isfinite(value):
        return "unknown"
    rounded = float(f"{abs(value):.3g}")
    for scale, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k"), (1.0, "")):
        if rounded >= scale or scale == 1.0:
            text = f"£{float(f'{rounded / scale:.3g}'):g}{suffix}"
            break
    return f"{MINUS}{text}" if value < 0 and rounded > 0 else text


def probability_text(p: float | None) -> str:
    """A probability from a finite number of draws: "<1%", "37%", ">99%"; "not given"."""
    if p is None or not math.isfinite(p):
        return "not given"
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{p * 100:.0f}%"


def likelihood(p: float | None) -> str:
    """Words for a probability, in the IPCC calibrated-language bands."""
    if p is None or not math.isfinite(p):
        return "not known"
    if p >= 0.99:
        return "virtually certain"
    if p >= 0.9:
        return "very likely"
    if p >= 0.66:
        return "likely"
    if p > 0.33:
        return "about as likely as not"
    if p > 0.1:
        return "unlikely"
    if p > 0.01:
        return "very unlikely"
    return "exceptionally unlikely"


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _interval(central: Any, low: Any, high: Any) -> dict:
    return {"central": _num(central), "low": _num(low), "high": _num(high)}


def _interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "no interval: knock-on effects partly unknown"
    return f"{money_prose(low)} to {money_prose(high)}"


# ---- the run ---------------------------------------------------------------------------

def _check(changes: Mapping[str, float], persistence: str, services: pd.DataFrame) -> dict:
    if persistence not in sp.PERSISTENCE_CHOICES:
        raise ValueError(f"persistence must be one of {', '.join(sp.PERSISTENCE_CHOICES)} "
                         f"(got {persistence!r})")
    known = set(services["service_code"])
    out = {}
    for code, amount in changes.items():
        if code not in known:
            raise ValueError(f"change for service {code!r}: not a known service")
        value = float(amount)
        if not math.isfinite(value):
            raise ValueError(f"change for service {code!r}: not a finite £ amount")
        out[str(code)] = value
    return out


def demand_led(service: Mapping[str, Any]) -> bool:
    """A statutory service whose spend follows need (residential and home care, looked-after
    children), read from its SeRCOP line, or its name when the line is not known."""
    if not bool(service.get("statutory")):
        return False
    words = f"{service.get('sercop_line') or ''} {service.get('service_name') or ''}".lower()
    return any(w in words for w in DEMAND_LED)


def scenario_results(
    changes: Mapping[str, float],
    *,
    persistence: str = "sustained",
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    services: pd.DataFrame,
    years: int = YEARS,
    draws: int = DRAWS,
    seed: int = SEED,
) -> dict:
    """Run the model for ``changes`` (service code -> £ a year) and return every number and
    sentence the planner shows (keys described in the module docstring and in
    :func:`results_from_run`)."""
    changes = _check(changes, persistence, services)
    funders = dict(zip(services["service_code"], services["dept_code"], strict=True))
    kwargs = {"funders": funders, "years": years, "allow_unlinked": True,
              "persistence": persistence}
    result = sp.simulate(links, unit_costs, payers, changes, draws=draws, seed=seed, **kwargs)
    tornado = sp.tornado(links, unit_costs, payers, changes, include_timing=True,
                         scope="public_purse", **kwargs)
    return results_from_run(result, tornado, changes, links=links, unit_costs=unit_costs,
                            services=services)


def _scope(row: Mapping[str, Any], yearly: pd.DataFrame) -> dict:
    """One payer, the council or the public purse: 5-year figures and each year's.

    Where the scope depends on a changed service with no evidence links (``complete`` False)
    its knock-on effects and so its net are unknown: ``knock_on_5y``, ``net_5y`` (central,
    low, high) and ``net_5y_mean`` are None, never the modelled part passed off as the whole;
    the modelled part (the direct change plus the knock-on effects of the services that have
    evidence links) is in ``knock_on_5y_modelled`` and ``net_5y_modelled``, and likewise per
    year (``knock_on_modelled``, ``net_modelled``).
    """
    p = _num(row["prob_net_saving"])
    complete = bool(row["knock_on_complete"])

    def known(value: float | None) -> float | None:
        return value if complete else None

    net = _interval(row["net_saving_gbp"], row["net_saving_p2_5_gbp"],
                    row["net_saving_p97_5_gbp"])
    out = {
        "net_5y": {k: known(v) for k, v in net.items()},
        "net_5y_mean": known(_num(row["net_saving_mean_gbp"])),
        "net_5y_modelled": net["central"],
        "direct_5y": _num(row["direct_saving_gbp"]),
        "knock_on_5y": known(_num(row["spillover_saving_gbp"])),
        "knock_on_5y_modelled": _num(row["spillover_saving_gbp"]),
        "p_net_saving": p,
        "p_net_saving_text": probability_text(p),
        "likelihood": likelihood(p),
        "complete": complete,
        "years": [],
    }
    for y in yearly.sort_values("year").itertuples():
        y_net = _interval(y.net_saving_gbp, y.net_saving_p2_5_gbp, y.net_saving_p97_5_gbp)
        out["years"].append({
            "year": int(y.year),
            "direct": _num(y.direct_saving_gbp),
            "knock_on": known(_num(y.spillover_saving_gbp)),
            "knock_on_modelled": _num(y.spillover_saving_gbp),
            "net": {k: known(v) for k, v in y_net.items()},
            "net_modelled": y_net["central"],
            "net_mean": known(_num(y.net_saving_mean_gbp)),
            "p_net_saving": _num(y.prob_net_saving),
        })
    return out


def _affected(row: Mapping[str, Any]) -> bool:
    return any(abs(_num(row[c]) or 0.0) > 0.5 for c in (
        "direct_saving_gbp", "net_saving_gbp", "net_saving_p2_5_gbp", "net_saving_p97_5_gbp"))


def results_from_run(
    result: sp.SpilloverResult,
    tornado: pd.DataFrame,
    changes: Mapping[str, float],
    *,
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    services: pd.DataFrame,
) -> dict:
    """The plain-data view of a model run (:func:`scenario_results` calls it).

    Keys: ``settings`` (years, draws, seed, discount rate, price years, persistence, central
    = "median"); ``changes`` (one per service: code, name, £ a year, statutory, demand_led,
    modelled); ``unmodelled_services``; ``warnings``; ``headline`` (sentences);
    ``public_purse`` and ``council`` (see below); ``payers`` (every payer the scenario moves,
    council departments first, each with ``payer_code``, ``payer_label``, ``is_council`` and
    the scope fields); ``links`` (the evidence rows of the changed services); ``tornado``.
    A scope has ``net_5y`` {central, low, high}, ``net_5y_mean``, ``net_5y_modelled``,
    ``direct_5y``, ``knock_on_5y``, ``knock_on_5y_modelled``, ``p_net_saving`` (None when it
    cannot be estimated), ``p_net_saving_text``, ``likelihood``, ``complete`` and ``years``
    (per year: direct, knock_on, knock_on_modelled, net {central, low, high}, net_modelled,
    net_mean, p_net_saving); see :func:`_scope` for what is None when ``complete`` is False.
    """
    info = services.set_index("service_code")
    names = info["service_name"].to_dict()
    overall = result.overall.set_index("scope")
    by_year = result.overall_by_year
    scopes = {s: _scope(overall.loc[s], by_year[by_year["scope"] == s])
              for s in ("public_purse", "council")}
    bp = result.by_payer
    payer_list = []
    for row in bp[bp.apply(_affected, axis=1)].sort_values(
            "is_council", ascending=False, kind="stable").to_dict(orient="records"):
        yearly = result.by_payer_year[result.by_payer_year["payer_code"] == row["payer_code"]]
        payer_list.append({"payer_code": row["payer_code"], "payer_label": row["payer_label"],
                           "is_council": bool(row["is_council"]), **_scope(row, yearly)})
    change_rows = []
    for code, amount in sorted(changes.items()):
        svc = info.loc[code].to_dict() if code in info.index else {}
        change_rows.append({
            "service_code": code, "service_name": names.get(code, code),
            "change_gbp_a_year": amount, "statutory": bool(svc.get("statutory", False)),
            "demand_led": demand_led({**svc, "service_name": names.get(code, code)}),
            "modelled": code not in result.unmodelled_services})
    warnings = [
        f"{c['service_name']} is a statutory, demand-led service: a budget cut without a change "
        "in eligibility or need tends to reappear as overspend or unmet need, not as a saving."
        for c in change_rows if c["demand_led"] and c["change_gbp_a_year"] < 0]
    evidence = evidence_rows(result, set(changes), links, names)
    return {
        "settings": {
            "years": result.years, "draws": result.draws, "seed": result.seed,
            "discount_rate": result.discount_rate, "price_years": list(result.price_years),
            "persistence": result.persistence, "central": CENTRAL,
        },
        "changes": change_rows,
        "unmodelled_services": list(result.unmodelled_services),
        "warnings": warnings,
        "headline": headline(scopes, payer_list, change_rows, result.years),
        **scopes,
        "payers": payer_list,
        "links": evidence,
        "tornado": tornado_rows(tornado, set(changes), links, unit_costs, names),
    }


# ---- the evidence rows and the tornado --------------------------------------------------

def evidence_rows(result: sp.SpilloverResult, changed: set[str], links: pd.DataFrame,
                  names: Mapping[str, str]) -> list[dict]:
    """One row per link of a changed service: the knock-on figure adjusted against the
    proposal and unadjusted (median, discounted, over the horizon), its 95 % interval, each
    year's figure, the evidence grade and its percentages, and the links it is tied to."""
    bl = result.by_link[result.by_link["service_code"].isin(changed)]
    extra = links.set_index("link_id")
    per_year = result.by_link_year.set_index(["link_id", "year"])
    rows = []
    for r in bl.to_dict(orient="records"):
        lid = r["link_id"]
        tied = [o for o, e, s in zip(bl["link_id"], bl["tied_event"], bl["service_code"],
                                     strict=True)
                if r["tied_event"] and e == r["tied_event"] and s == r["service_code"]
                and o != lid]
        src = extra.loc[lid] if lid in extra.index else {}
        rows.append({
            "link_id": lid,
            "service_code": r["service_code"],
            "service_name": names.get(r["service_code"], r["service_code"]),
            "outcome_code": r["outcome_code"],
            "outcome_label": r["outcome_label"],
            "payer_code": r["payer_code"],
            "payer_label": r["payer_label"],
            "knock_on_5y": _num(r["spillover_saving_gbp"]),
            "knock_on_5y_unadjusted": _num(r["spillover_saving_unadjusted_gbp"]),
            "knock_on_5y_low": _num(r["spillover_saving_p2_5_gbp"]),
            "knock_on_5y_high": _num(r["spillover_saving_p97_5_gbp"]),
            "years": [_num(per_year.at[(lid, y), "spillover_saving_gbp"])
                      for y in range(1, result.years + 1)],
            "years_unadjusted": [_num(per_year.at[(lid, y), "spillover_saving_unadjusted_gbp"])
                                 for y in range(1, result.years + 1)],
            "evidence_grade": r["evidence_grade"],
            "optimism_bias_pct": round(100 * r["optimism_bias"], 6),
            "deadweight_pct": round(100 * r["deadweight"], 6),
            "saving_kept_pct": round(100 * r["share_retained"], 6),
            "extra_cost_scaled_pct": round(100 * r["cost_uplift"], 6),
            "tied_event": r["tied_event"] or None,
            "tied_with": tied,
            "stay_years": _num(r["stay_years"]),
            "lag_years": _num(src.get("lag_years")) if len(src) else None,
            "drop_off": _num(src.get("drop_off")) if len(src) else None,
            "source": str(src.get("source", "")) if len(src) else "",
        })
    return rows


def tornado_rows(tornado: pd.DataFrame, changed: set[str], links: pd.DataFrame,
                 unit_costs: pd.DataFrame, names: Mapping[str, str], top: int = 10) -> list:
    """The ``top`` inputs that move the public purse's result most, with readable labels
    (point values, adjusted against the proposal; service names only when several change)."""
    by_link = links.set_index("link_id")
    items = dict(zip(unit_costs["cost_item"], unit_costs.get("label", unit_costs["cost_item"]),
                     strict=True))
    rows = []
    for r in tornado.head(top).to_dict(orient="records"):
        kind = TIMING_KINDS.get(r["input_type"], str(r["input_type"]))
        if r["input_type"] == "unit_cost":
            what = str(items.get(r["key"], r["key"])).lower()
        elif r["input_type"] == "discount_rate":
            what = ""
        else:
            first = by_link.loc[str(r["key"]).split(", ")[0]]
            what = str(first.get("outcome_label", first["outcome_code"])).lower()
            if len(changed) > 1:
                what += f" ({names.get(first['service_code'], first['service_code'])})"
        rows.append({
            "input": f"{kind.capitalize()}: {what}" if what else kind.capitalize(),
            "kind": kind, "what": what,
            "low_value": _num(r["value_low"]), "central_value": _num(r["value_central"]),
            "high_value": _num(r["value_high"]),
            "net_saving_at_low_gbp": _num(r["net_saving_at_low_gbp"]),
            "net_saving_at_high_gbp": _num(r["net_saving_at_high_gbp"]),
            "central_net_saving_gbp": _num(r["central_net_saving_gbp"]),
            "swing_gbp": _num(r["swing_gbp"]),
        })
    return rows


# ---- sentences -------------------------------------------------------------------------

def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def headline(scopes: Mapping[str, dict], payers: list[dict], changes: list[dict],
             years: int) -> list[str]:
    """The finding in plain sentences, unknown knock-on effects first; money to 3
    significant figures, central figures the medians of the draws."""
    out = []
    unknown = [c["service_name"] for c in changes if not c["modelled"]]
    if unknown:
        payers_unknown = ["the public purse"] + (
            ["the council"] if not scopes["council"]["complete"] else [])
        out.append(f"Knock-on effects unknown: {_and(unknown)} "
                   f"{'has' if len(unknown) == 1 else 'have'} no evidence links in the model, "
                   "so the effects on other services and payers are not known (they are not "
                   f"zero); no chance of a net saving is given for {_and(payers_unknown)}.")
    council = scopes["council"]
    y1 = council["years"][0]["direct"] if council["years"] else 0.0
    parts = []
    if abs(y1 or 0.0) > 0.5:
        # the spend change itself (a budget figure), not a net saving: that may be unknown
        parts.append(f"In year 1 the council spends {money_prose(abs(y1))} "
                     f"{'less' if y1 > 0 else 'more'} on the services changed")
    others = sorted((p for p in payers if not p["is_council"]),
                    key=lambda p: p["net_5y"]["central"] or 0.0)[:2]
    for p in others:
        net = p["net_5y"]
        if abs(net["central"] or 0.0) < 0.5:
            continue
        if net["central"] < 0:
            interval = (f"95% interval {money_prose(-net['high'])} to {money_prose(-net['low'])}"
                        if net["low"] is not None else "no interval")
            parts.append(f"{p['payer_label']} pays {money_prose(-net['central'])} more over "
                         f"{years} years ({interval})")
        else:
            parts.append(f"{p['payer_label']} saves {money_prose(net['central'])} over {years} "
                         f"years (95% interval {_interval_text(net['low'], net['high'])})")
    y3 = council["years"][min(3, years) - 1] if council["years"] else None
    if y3 and (y3["direct"] or 0) > 0.5 and (y3["knock_on"] or 0) < -0.5:
        parts.append(f"by year {min(3, years)} the council's own knock-on costs are "
                     f"{money_prose(-y3['knock_on'])} a year, "
                     f"{-y3['knock_on'] / y3['direct']:.0%} of its saving")
    elif y3 and (y3["direct"] or 0) < -0.5 and (y3["knock_on"] or 0) > 0.5:
        parts.append(f"by year {min(3, years)} the council's own knock-on savings are "
                     f"{money_prose(y3['knock_on'])} a year, "
                     f"{y3['knock_on'] / -y3['direct']:.0%} of its extra spend")
    if parts:
        first = "; ".join(parts)
        out.append(first[:1].upper() + first[1:] + ".")
    purse = scopes["public_purse"]
    net = purse["net_5y"]
    if purse["complete"]:
        out.append(
            f"Over {years} years (discounted; medians of the model's draws) the net for the "
            f"public purse is {money_prose(net['central'])} (95% interval "
            f"{_interval_text(net['low'], net['high'])}); a net saving for the public purse is "
            f"{purse['likelihood']} (probability {purse['p_net_saving_text']}), and for the "
            f"council {council['likelihood']} ({council['p_net_saving_text']}).")
    else:
        out.append(
            f"Over {years} years (discounted) the net for the public purse is not known; its "
            f"modelled part is {money_prose(purse['net_5y_modelled'])}: the direct spend change "
            "and the knock-on effects of the services that have evidence links only.")
    return out


def years_rows(results: Mapping[str, Any]) -> list[dict]:
    """The year-by-year table (and CSV) as tidy rows: each payer the scenario moves, then the
    council and the public purse, each year and the horizon total; full precision. Knock-on
    and net are blank (None) where unknown; the ``*_modelled_*`` columns give the modelled
    part."""
    years = results["settings"]["years"]
    total = f"{years}-year total"
    scopes = [(p["payer_code"], p["payer_label"], p["is_council"], p) for p in results["payers"]]
    scopes += [("council", "Council (all council payers)", True, results["council"]),
               ("public_purse", "Public purse (all payers)", None, results["public_purse"])]
    rows = []
    for code, label, is_council, s in scopes:
        entries = [(str(y["year"]), y["direct"], y["knock_on"], y["knock_on_modelled"],
                    y["net"], y["net_modelled"], y["net_mean"], y["p_net_saving"])
                   for y in s["years"]]
        entries.append((total, s["direct_5y"], s["knock_on_5y"], s["knock_on_5y_modelled"],
                        s["net_5y"], s["net_5y_modelled"], s["net_5y_mean"], s["p_net_saving"]))
        for year, direct, knock, knock_modelled, net, net_modelled, mean, p in entries:
            low = None if net["low"] is None else net["low"] - direct
            high = None if net["high"] is None else net["high"] - direct
            rows.append({
                "payer_code": code, "payer": label, "is_council": is_council, "year": year,
                "direct_saving_gbp": direct, "knock_on_saving_gbp": knock,
                "knock_on_lower95_gbp": low, "knock_on_upper95_gbp": high,
                "net_saving_gbp": net["central"], "net_lower95_gbp": net["low"],
                "net_upper95_gbp": net["high"], "net_mean_gbp": mean, "prob_net_saving": p,
                # the modelled part alone: equal to the figures above where nothing is unknown
                "knock_on_modelled_saving_gbp": knock_modelled,
                "net_modelled_saving_gbp": net_modelled,
            })
    return rows
