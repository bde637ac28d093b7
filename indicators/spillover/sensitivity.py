"""One-way sensitivity (tornado) and the payer matrix (£ per £1), at point values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from indicators.spillover.changes import apply_changes, change_rows, funders_mapping
from indicators.spillover.engine import DEFAULT_YEARS, GREEN_BOOK_DISCOUNT_RATE
from indicators.spillover.grades import GRADE_ADJUSTMENTS, GradeAdjustment, against_the_proposal
from indicators.spillover.inputs import Model, prepare
from indicators.spillover.timing import (
    check_persistence,
    check_settings,
    cohort_starts,
    cost_weights,
    discount_factors,
)


def point_by_payer(
    model: Model, k: np.ndarray, rr: np.ndarray, uc_item: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """(P,) knock-on saving per payer over the horizon at point values, adjusted against the
    proposal and discounted (``weights`` from :func:`cost_weights`)."""
    per_link = against_the_proposal(k * (1.0 - rr) * uc_item[model.item], model.retained,
                                    model.uplift) * weights.sum(axis=1)
    return np.bincount(model.link_payer, weights=per_link, minlength=len(model.payer_codes))


def _scope_total(model: Model, per_payer: np.ndarray, scope: str) -> float:
    if scope == "public_purse":
        return float(per_payer.sum())
    if scope == "council":
        return float(per_payer[model.is_council].sum())
    matches = np.flatnonzero(model.payer_codes == scope)
    if len(matches) == 0:
        raise ValueError(f"scope must be 'public_purse', 'council' or a payer_code (got {scope!r})")
    return float(per_payer[matches[0]])


def tornado(
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    changes: pd.DataFrame | Mapping[str, float] | None,
    *,
    funders: Mapping[str, str] | pd.DataFrame | None = None,
    years: int = DEFAULT_YEARS,
    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE,
    discount_rate_range: tuple[float, float] = (0.015, 0.055),
    discount_first_year: bool = False,
    include_timing: bool = False,
    scope: str = "public_purse",
    drop_zero: bool = True,
    grade_adjustments: Mapping[str, GradeAdjustment] = GRADE_ADJUSTMENTS,
    allow_unlinked: bool = False,
    persistence: Literal["sustained", "oneoff"] = "sustained",
    stays: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One-way sensitivity of the discounted net saving over the horizon.

    Each uncertain input goes to its low and then its high value with every other input
    at its central value, and the total ``net_saving_gbp`` for ``scope``
    (``"public_purse"``, ``"council"`` or a payer_code) is recomputed. Inputs:

    * ``effect_ratio`` - one row per evidence group (links of the same service and
      outcome move together, each to its own ``effect_ratio_low``/``_high``);
    * ``unit_cost`` - one row per cost item (``unit_cost_low_gbp``/``_high_gbp``);
    * ``discount_rate`` - ``discount_rate_range`` (default 1.5 %, the Green Book health
      rate, to 5.5 %, i.e. 3.5 % +/- 2 points: a project choice);
    * with ``include_timing``: ``lag_years`` one year shorter (not below 0) and longer,
      and ``drop_off`` halved and multiplied by 1.5 (capped at 1), per link;
    * ``stay_years`` - per link with a length of stay, its low and high values.

    Every total is at point values, adjusted against the proposal (savings down, extra
    costs up) and with the cohorts of ``persistence``.

    Returns a DataFrame sorted by ``swing_gbp`` (largest first) with columns ``input``
    (readable label), ``input_type``, ``key`` (link ids or cost item), ``value_low``,
    ``value_central``, ``value_high``, ``net_saving_at_low_gbp``,
    ``net_saving_at_high_gbp``, ``central_net_saving_gbp``, ``swing_gbp``
    (``|at_high - at_low|``). Rows with zero swing are dropped if ``drop_zero``.
    """
    check_settings(years, discount_rate)
    check_persistence(persistence)
    for r in discount_rate_range:
        check_settings(years, r)
    model = prepare(links, unit_costs, payers, grade_adjustments, stays)
    applied = apply_changes(model, change_rows(changes, funders), allow_unlinked)
    years = int(years)
    k = applied.delta_activity * model.events_per_unit
    starts = cohort_starts(years, persistence)
    central_weights: dict[float, np.ndarray] = {}  # rate -> weights at the central timing

    def weights(r: float, lag, drop, stay) -> np.ndarray:
        """Cost weights; at the central lag, drop-off and stay (every effect-ratio and
        unit-cost swing) worked out once per discount rate, not once per total."""
        if lag is None and drop is None and stay is None:
            if r not in central_weights:
                central_weights[r] = cost_weights(model.lag, model.drop, model.stay, years,
                                                  persistence, r, discount_first_year)
            return central_weights[r]
        return cost_weights(model.lag if lag is None else lag, model.drop if drop is None else drop,
                            model.stay if stay is None else stay, years, persistence, r,
                            discount_first_year)

    def total(
        rr: np.ndarray | None = None,
        uc: np.ndarray | None = None,
        rate: float | None = None,
        lag: np.ndarray | None = None,
        drop: np.ndarray | None = None,
        stay: np.ndarray | None = None,
    ) -> float:
        r = discount_rate if rate is None else rate
        spill = point_by_payer(
            model, k, model.rr if rr is None else rr, model.uc_mode if uc is None else uc,
            weights(r, lag, drop, stay))
        disc_sum = (starts * discount_factors(years, r, discount_first_year)).sum()
        return _scope_total(model, spill + applied.direct * disc_sum, scope)

    central = total()
    rows: list[dict[str, Any]] = []

    def add(label, input_type, key, v_low, v_mid, v_high, at_low, at_high):
        rows.append(
            {
                "input": label,
                "input_type": input_type,
                "key": key,
                "value_low": v_low,
                "value_central": v_mid,
                "value_high": v_high,
                "net_saving_at_low_gbp": at_low,
                "net_saving_at_high_gbp": at_high,
                "central_net_saving_gbp": central,
                "swing_gbp": abs(at_high - at_low),
            }
        )

    for g in range(model.n_groups):
        members = np.flatnonzero(model.group == g)
        first = members[0]
        rr_low, rr_high = model.rr.copy(), model.rr.copy()
        rr_low[members] = model.rr_low[members]
        rr_high[members] = model.rr_high[members]
        add(
            f"Effect ratio: {model.services[first]} -> {model.outcome_labels[first]}",
            "effect_ratio",
            ", ".join(model.link_ids[members]),
            float(model.rr_low[first]),
            float(model.rr[first]),
            float(model.rr_high[first]),
            total(rr=rr_low),
            total(rr=rr_high),
        )
    for c, item in enumerate(model.items):
        uc_low, uc_high = model.uc_mode.copy(), model.uc_mode.copy()
        uc_low[c], uc_high[c] = model.uc_low[c], model.uc_high[c]
        add(
            f"Unit cost: {item}",
            "unit_cost",
            item,
            float(model.uc_low[c]),
            float(model.uc_mode[c]),
            float(model.uc_high[c]),
            total(uc=uc_low),
            total(uc=uc_high),
        )
    r_low, r_high = discount_rate_range
    add(
        "Discount rate",
        "discount_rate",
        "discount_rate",
        float(r_low),
        float(discount_rate),
        float(r_high),
        total(rate=r_low),
        total(rate=r_high),
    )
    if include_timing:
        for i, link_id in enumerate(model.link_ids):
            lag_low, lag_high = model.lag.copy(), model.lag.copy()
            lag_low[i] = max(model.lag[i] - 1.0, 0.0)
            lag_high[i] = model.lag[i] + 1.0
            add(
                f"Lag: {link_id}",
                "lag_years",
                link_id,
                float(lag_low[i]),
                float(model.lag[i]),
                float(lag_high[i]),
                total(lag=lag_low),
                total(lag=lag_high),
            )
            drop_low, drop_high = model.drop.copy(), model.drop.copy()
            drop_low[i] = model.drop[i] * 0.5
            drop_high[i] = min(model.drop[i] * 1.5, 1.0)
            add(
                f"Drop-off: {link_id}",
                "drop_off",
                link_id,
                float(drop_low[i]),
                float(model.drop[i]),
                float(drop_high[i]),
                total(drop=drop_low),
                total(drop=drop_high),
            )
    for i in np.flatnonzero(model.stay_high > model.stay_low):
        stay_low, stay_high = model.stay.copy(), model.stay.copy()
        stay_low[i], stay_high[i] = model.stay_low[i], model.stay_high[i]
        add(
            f"Length of stay: {model.link_ids[i]}",
            "stay_years",
            model.link_ids[i],
            float(model.stay_low[i]),
            float(model.stay[i]),
            float(model.stay_high[i]),
            total(stay=stay_low),
            total(stay=stay_high),
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "input",
            "input_type",
            "key",
            "value_low",
            "value_central",
            "value_high",
            "net_saving_at_low_gbp",
            "net_saving_at_high_gbp",
            "central_net_saving_gbp",
            "swing_gbp",
        ],
    )
    if drop_zero:
        scale = max(abs(central), 1.0)
        out = out.loc[out["swing_gbp"] > 1e-12 * scale]
    return out.sort_values(
        ["swing_gbp", "input"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Payer matrix
# --------------------------------------------------------------------------------------


def payer_matrix(
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    funders: Mapping[str, str] | pd.DataFrame,
    *,
    years: int = DEFAULT_YEARS,
    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE,
    discount_first_year: bool = False,
    weights: Mapping[str, float] | None = None,
    by: Literal["payer", "service"] = "payer",
    grade_adjustments: Mapping[str, GradeAdjustment] = GRADE_ADJUSTMENTS,
) -> pd.DataFrame:
    """£ of spill-over saving for payer B per extra £1 spent by payer A (central values).

    For each service, a sustained extra £1 a year of spend is run through the links at
    point values (a new cohort each year; savings adjusted down against the proposal);
    the discounted spill-over saving to each payer over ``years`` is divided by the
    discounted spend (so both sides are present values). Rows are the
    funding payers (index ``payer_code`` of the funder); columns every payer in
    ``payers``; cell = ``net_saving_gbp`` for the column payer per £1 the row payer
    spends. Positive = the column payer saves (a preventive service); the direct £1 is
    *not* included, so the row payer's own net position per £1 is ``cell - 1``. Read
    per £1 *cut*, the signs flip: a positive cell is a cost shifted onto that payer.

    ``funders`` maps each service to the payer that funds it (mapping or DataFrame
    ``service_code, payer_code``); only those services are used. A payer funding several
    services gets the weighted mean of their rows, weights from ``weights``
    (service_code -> weight, e.g. budgets) or equal weights. ``by="service"`` returns
    one row per service instead (index ``service_code``, with a ``funder_payer_code``
    column first).
    """
    check_settings(years, discount_rate)
    model = prepare(links, unit_costs, payers, grade_adjustments)
    funder_map = funders_mapping(funders)
    known = set(model.services.tolist())
    payer_set = set(model.payer_codes.tolist())
    for svc, payer in funder_map.items():
        if svc not in known:
            raise ValueError(
                f"funder of service {svc!r}: field 'service_code' has no spill-over links "
                "(unknown service)"
            )
        if payer not in payer_set:
            raise ValueError(
                f"funder of service {svc!r}: field 'payer_code' {payer!r} is not in payers"
            )
    years = int(years)
    spend_pv = discount_factors(years, discount_rate, discount_first_year).sum()
    link_weights = cost_weights(model.lag, model.drop, model.stay, years, "sustained",
                                discount_rate, discount_first_year)
    services = list(funder_map)
    rows = np.zeros((len(services), len(model.payer_codes)))
    for j, svc in enumerate(services):
        delta_activity = np.where(model.services == svc, 1.0 / model.activity_unit_cost, 0.0)
        k = delta_activity * model.events_per_unit
        rows[j] = point_by_payer(model, k, model.rr, model.uc_mode, link_weights) / spend_pv
    columns = pd.Index(model.payer_codes, name="effect_on_payer")
    if by == "service":
        out = pd.DataFrame(rows, columns=columns, index=pd.Index(services, name="service_code"))
        out.insert(0, "funder_payer_code", [funder_map[s] for s in services])
        return out
    if by != "payer":
        raise ValueError(f"by must be 'payer' or 'service' (got {by!r})")
    w = np.array([1.0 if weights is None else float(weights.get(s, 0.0)) for s in services])
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("weights must be finite and >= 0")
    funders_arr = np.array([funder_map[s] for s in services], dtype=object)
    result = {}
    for payer in dict.fromkeys(funders_arr):  # first-seen order
        mask = funders_arr == payer
        total_w = w[mask].sum()
        if total_w <= 0:
            raise ValueError(f"weights for the services funded by payer {payer!r} sum to zero")
        result[payer] = (rows[mask] * w[mask, None]).sum(axis=0) / total_w
    return pd.DataFrame.from_dict(result, orient="index", columns=columns).rename_axis(
        "funding_payer_code"
    )
