"""The Monte Carlo engine: :func:`simulate`.

For link *l* of service *s*, with Δactivity_l = Δspend_s / activity_unit_cost_l (a year, per
cohort) and draws d::

    a_ld       = -Δactivity_l * events_per_unit_l * (1 - RR_ld) * unit_cost_ld
    adjusted   = a_ld * (1 - ob_l)(1 - dw_l)   if a_ld > 0 (a knock-on saving)
               = a_ld * (1 + ob_l)(1 + dw_l)   otherwise (a knock-on extra cost)
    saving_ltd = adjusted_ld * weight_lt

where ``weight_lt`` (:func:`indicators.spillover.timing.cost_weights`) carries the cohorts,
lag, drop-off, length of stay and discounting. The direct effect is ``-Δspend_s`` to the
funding payer in every year of a sustained change (year 1 only for a one-off change),
discounted alike and never adjusted.

Uncertainty: ``ln RR ~ Normal(ln effect_ratio, sd)`` with ``sd = (ln high - ln low) / 3.92``
(Briggs, Claxton & Sculpher 2006, ch. 4), one standard-normal draw per draw group (links of one
service tied to the same event share it: :mod:`indicators.spillover.inputs`); unit costs
triangular (low, mode, high) by the inverse CDF, or Beta-PERT (lambda = 4), one draw per cost
item. Spend changes, events per unit, lags, drop-off and stays are held at their stated values.
A seeded ``numpy.random.Generator``; every draw group and cost item is sampled whatever the
changes (common random numbers across scenarios).

Reported per output row: the **median** of the draws (the central figure everywhere), the
mean, the 2.5th and 97.5th percentiles and ``P(net saving > 0)`` (WSIPP's "chance benefits
exceed costs").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from indicators.spillover.changes import apply_changes, change_rows
from indicators.spillover.grades import GRADE_ADJUSTMENTS, GradeAdjustment, against_the_proposal
from indicators.spillover.inputs import Model, prepare
from indicators.spillover.result import SpilloverResult
from indicators.spillover.timing import (
    check_persistence,
    check_settings,
    cohort_starts,
    cost_weights,
    discount_factors,
    events_profile,
)

GREEN_BOOK_DISCOUNT_RATE = 0.035
"""HM Treasury Green Book real social time preference rate (years 0-30)."""
GREEN_BOOK_HEALTH_DISCOUNT_RATE = 0.015
"""Green Book rate for health effects (pure time preference + catastrophic risk)."""
DEFAULT_YEARS = 5
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20140402
"""Fixed default seed (the date the GM CBA guidance was published), for reproducibility."""

_QS = (0.025, 0.5, 0.975)


def aggregate(
    model: Model, weights: np.ndarray, amounts: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Spread per-link amounts over years and sum them into every output row.

    ``amounts`` is (A, D): ``k (1 - RR) unit_cost`` for the links ``rows`` (A,), before
    persistence and discounting; ``weights`` (L, Y) is persistence x discount factor.
    Returns (K, D) with rows: payer-year (P*Y, payer-major) | payer total (P) |
    council-year (Y) | council total (1) | purse-year (Y) | purse total (1) | link total
    (L). A loop over links (not draws) with plain array arithmetic: no BLAS call, so no
    thread over-subscription when several app workers share the cores.
    """
    n_links, years = weights.shape
    n_payers = len(model.payer_codes)
    n_py = n_payers * years
    out = np.zeros((n_py + n_payers + 2 * (years + 1) + n_links, amounts.shape[1]))
    payer_year = out[:n_py].reshape(n_payers, years, -1)  # a view
    spread = np.empty((years, amounts.shape[1]))
    for j, link_index in enumerate(rows):
        np.multiply(weights[link_index][:, None], amounts[j], out=spread)
        payer_year[model.link_payer[link_index]] += spread
    np.sum(payer_year, axis=1, out=out[n_py : n_py + n_payers])
    i = n_py + n_payers
    np.sum(payer_year[model.is_council], axis=0, out=out[i : i + years])
    np.sum(out[i : i + years], axis=0, out=out[i + years])
    i += years + 1
    np.sum(payer_year, axis=0, out=out[i : i + years])
    np.sum(out[i : i + years], axis=0, out=out[i + years])
    i += years + 1
    out[i + rows] = amounts * weights[rows].sum(axis=1)[:, None]
    return out


def varying_rows(model: Model, years: int, rows: np.ndarray) -> np.ndarray:
    """(K,) mask of the _aggregate output rows that receive any of the links ``rows``."""
    n_links, n_payers = len(model.link_ids), len(model.payer_codes)
    hit = np.zeros(n_payers, dtype=bool)
    hit[model.link_payer[rows]] = True
    council = bool((hit & model.is_council).any())
    purse = bool(hit.any())
    link_rows = np.zeros(n_links, dtype=bool)
    link_rows[rows] = True
    return np.concatenate(
        [
            np.repeat(hit, years),
            hit,
            np.full(years + 1, council),
            np.full(years + 1, purse),
            link_rows,
        ]
    )


def quantiles_rows(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Row-wise quantiles of a C-contiguous (K, D) array, numpy's default 'linear' method.

    Equivalent to ``np.quantile(x, qs, axis=1)`` but uses one single-kth partition per
    quantile (several times faster than a multi-kth partition for D ~ 10,000).
    """
    k_rows, n = x.shape
    out = np.empty((len(qs), k_rows))
    if n == 1:
        out[:] = x[:, 0]
        return out
    for j, q in enumerate(qs):
        pos = q * (n - 1)
        lo = min(int(math.floor(pos)), n - 1)
        frac = pos - lo
        if lo < n // 2:
            # The lo+1 smallest values sit left of kth = lo + 1; sorted[lo] is their max.
            part = np.partition(x, lo + 1, axis=1)
            lower = part[:, : lo + 1].max(axis=1)
            upper = part[:, lo + 1]
        else:
            part = np.partition(x, lo, axis=1)
            lower = part[:, lo]
            upper = part[:, lo + 1 :].min(axis=1) if lo + 1 < n else lower
        out[j] = lower + (upper - lower) * frac
    return out




def sample_unit_costs(
    rng: np.random.Generator, model: Model, draws: int, distribution: str
) -> np.ndarray:
    """(C, draws) unit cost draws per cost item (inverse CDF for the triangular)."""
    low, mode, high = model.uc_low[:, None], model.uc_mode[:, None], model.uc_high[:, None]
    width = high - low
    if distribution == "triangular":
        u = rng.random((len(model.uc_mode), draws))
        safe = np.where(width > 0, width, 1.0)
        cut = np.where(width > 0, (mode - low) / safe, 0.0)
        left = u < cut
        # F^-1(u) = low + sqrt(u w (mode - low)) left of the mode,
        #           high - sqrt((1 - u) w (high - mode)) right of it.
        root = np.sqrt(
            np.where(left, u * (safe * (mode - low)), (1.0 - u) * (safe * (high - mode)))
        )
        return np.where(left, low + root, high - root)
    if distribution == "pert":
        safe = np.where(width > 0, width, 1.0)
        alpha = 1.0 + 4.0 * (mode - low) / safe
        beta = 1.0 + 4.0 * (high - mode) / safe
        return low + width * rng.beta(alpha, beta, size=(len(model.uc_mode), draws))
    raise ValueError(
        f"unit_cost_distribution must be 'triangular' or 'pert' (got {distribution!r})"
    )



def _incomplete_rows(model: Model, years: int, unmodelled_payers: np.ndarray) -> np.ndarray:
    """(K,) mask of the aggregate rows whose knock-on effects are partly unknown."""
    n_links = len(model.link_ids)
    council = bool((unmodelled_payers & model.is_council).any())
    purse = bool(unmodelled_payers.any())
    return np.concatenate([
        np.repeat(unmodelled_payers, years),
        unmodelled_payers,
        np.full(years + 1, council),
        np.full(years + 1, purse),
        np.zeros(n_links, dtype=bool),
    ])


def link_draws(
    model: Model, k: np.ndarray, rows: np.ndarray, z: np.ndarray, uc_draws: np.ndarray
) -> np.ndarray:
    """(A, D) unadjusted knock-on saving of one cohort-year of links ``rows``, undiscounted:
    ``k (1 - exp(ln RR + sd z)) unit_cost``, computed in place."""
    out = z[model.group[rows]]
    out *= model.log_sd[rows][:, None]
    out += np.log(model.rr[rows])[:, None]
    np.exp(out, out=out)
    np.subtract(1.0, out, out=out)
    out *= k[rows][:, None]
    out *= uc_draws[model.item[rows]]
    return out


def simulate(
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    changes: pd.DataFrame | Mapping[str, float] | None,
    *,
    funders: Mapping[str, str] | pd.DataFrame | None = None,
    years: int = DEFAULT_YEARS,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = DEFAULT_SEED,
    discount_rate: float = GREEN_BOOK_DISCOUNT_RATE,
    discount_first_year: bool = False,
    unit_cost_distribution: Literal["triangular", "pert"] = "triangular",
    grade_adjustments: Mapping[str, GradeAdjustment] = GRADE_ADJUSTMENTS,
    allow_unlinked: bool = False,
    persistence: Literal["sustained", "oneoff"] = "sustained",
    stays: pd.DataFrame | None = None,
) -> SpilloverResult:
    """Run the spill-over model for a set of spend changes (method in the module docstring).

    Returns a :class:`SpilloverResult` with discounted ``net_saving_gbp`` (positive = saving;
    the median of the draws) by payer and year, per payer, for the council and the public
    purse, and per link, each with its mean, 95 % interval and probability of a net saving.
    ``changes`` and ``funders`` are described in :func:`normalise_changes`.
    ``persistence``: ``"sustained"`` (default; the change recurs every year, a new cohort each
    year) or ``"oneoff"`` (one year's change, one cohort). ``stays``: a lengths-of-stay table
    (:func:`lengths_of_stay`; default the packaged one). ``allow_unlinked=True`` accepts
    changes to services with no spill-over link: their knock-on effects are unknown, listed in
    ``unmodelled_services``, and the payers that depend on them get no probability.
    Raises ValueError naming the record and field for impossible inputs.
    """
    check_settings(years, discount_rate)
    check_persistence(persistence)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a whole number >= 1 (got {draws!r})")
    if unit_cost_distribution not in ("triangular", "pert"):
        raise ValueError(
            "unit_cost_distribution must be 'triangular' or 'pert' "
            f"(got {unit_cost_distribution!r})"
        )
    model = prepare(links, unit_costs, payers, grade_adjustments, stays)
    applied = apply_changes(model, change_rows(changes, funders), allow_unlinked)
    years, draws = int(years), int(draws)
    n_links, n_payers = len(model.link_ids), len(model.payer_codes)

    disc = discount_factors(years, discount_rate, discount_first_year)
    weights = cost_weights(model.lag, model.drop, model.stay, years, persistence,
                           discount_rate, discount_first_year)  # (L, Y)
    k = applied.delta_activity * model.events_per_unit  # (L,)

    # Constant (direct) part of every output row; row layout in aggregate().
    n_py = n_payers * years
    direct_years = applied.direct[:, None] * (cohort_starts(years, persistence) * disc)[None, :]
    direct_py = direct_years.reshape(n_py)
    direct_total = direct_years.sum(axis=1)
    council_direct_year = direct_years[model.is_council].sum(axis=0)
    purse_direct_year = direct_years.sum(axis=0)
    offset = np.concatenate([
        direct_py, direct_total, council_direct_year, [council_direct_year.sum()],
        purse_direct_year, [purse_direct_year.sum()], np.zeros(n_links),
    ])

    # Point values: every input at its point value, adjusted against the proposal.
    all_links = np.arange(n_links)
    point_link = against_the_proposal(k * (1.0 - model.rr) * model.uc_mode[model.item],
                                      model.retained, model.uplift)
    point = aggregate(model, weights, point_link[:, None], all_links)[:, 0] + offset

    rng = np.random.default_rng(seed)
    z = rng.standard_normal((model.n_groups, draws))  # (G, D)
    uc_draws = sample_unit_costs(rng, model, draws, unit_cost_distribution)  # (C, D)
    act = np.flatnonzero(k != 0)
    raw = link_draws(model, k, act, z, uc_draws)  # (A, D) unadjusted
    adjusted = against_the_proposal(raw, model.retained[act], model.uplift[act])
    values = aggregate(model, weights, adjusted, act)  # (K, D)
    values += offset[:, None]

    varying = varying_rows(model, years, act)
    median = values[:, 0].copy()
    mean, p_low, p_high = median.copy(), median.copy(), median.copy()
    prob = (median > 0).astype(float)
    if varying.any():
        moving = values if varying.all() else values[varying]
        mean[varying] = moving.mean(axis=1)
        p_low[varying], median[varying], p_high[varying] = quantiles_rows(moving, _QS)
        prob[varying] = np.count_nonzero(moving > 0, axis=1) / draws
    incomplete = _incomplete_rows(model, years, applied.unmodelled_payers)
    p_low[incomplete] = p_high[incomplete] = prob[incomplete] = np.nan
    spill = median - offset

    # Per link: unadjusted medians, and the medians spread over years (weights are >= 0,
    # so the median of a draw times a weight is the median times the weight).
    link_median = np.zeros(n_links)
    link_median_unadj = np.zeros(n_links)
    if len(act):
        link_median[act] = quantiles_rows(np.ascontiguousarray(adjusted), (0.5,))[0]
        link_median_unadj[act] = quantiles_rows(raw, (0.5,))[0]
    events_sum = events_profile(model.lag, model.drop, years, persistence).sum(axis=1)
    return _frames(model, applied, years, draws, seed, discount_rate, discount_first_year,
                   unit_cost_distribution, persistence, offset, point, median, mean, p_low,
                   p_high, prob, spill, incomplete, weights, link_median, link_median_unadj,
                   events_sum, values)


def _frames(model, applied, years, draws, seed, discount_rate, discount_first_year,
            unit_cost_distribution, persistence, offset, point, median, mean, p_low, p_high,
            prob, spill, incomplete, weights, link_median, link_median_unadj, events_sum,
            values) -> SpilloverResult:
    """Unpack the (K,) row statistics into the result's frames."""
    n_links, n_payers = len(model.link_ids), len(model.payer_codes)
    n_py = n_payers * years
    s_py = slice(0, n_py)
    s_pt = slice(n_py, n_py + n_payers)
    i_cy = n_py + n_payers
    i_ct = i_cy + years
    i_uy = i_ct + 1
    i_ut = i_uy + years
    s_link = slice(i_ut + 1, i_ut + 1 + n_links)

    def stats(sl) -> dict[str, np.ndarray]:
        return {
            "direct_saving_gbp": offset[sl],
            "spillover_saving_gbp": spill[sl],
            "knock_on_complete": ~incomplete[sl],
            "net_saving_gbp": median[sl],
            "net_saving_point_gbp": point[sl],
            "net_saving_mean_gbp": mean[sl],
            "net_saving_p2_5_gbp": p_low[sl],
            "net_saving_p97_5_gbp": p_high[sl],
            "prob_net_saving": prob[sl],
        }

    payer_cols = {
        "payer_code": model.payer_codes,
        "payer_label": model.payer_labels,
        "organisation_code": model.organisation_codes,
        "is_council": model.is_council,
    }
    by_payer_year = pd.DataFrame({
        **{name: np.repeat(col, years) for name, col in payer_cols.items()},
        "year": np.tile(np.arange(1, years + 1), n_payers),
        **stats(s_py),
    })
    by_payer = pd.DataFrame({**payer_cols, **stats(s_pt)})
    labels = ["Council (all council payers)", "Public purse (all payers)"]
    overall = pd.DataFrame({
        "scope": ["council", "public_purse"],
        "payer_label": labels,
        "is_council": pd.array([True, pd.NA], dtype="boolean"),
        **stats([i_ct, i_ut]),
    })
    overall_by_year = pd.DataFrame({
        "scope": np.repeat(["council", "public_purse"], years),
        "payer_label": np.repeat(labels, years),
        "is_council": pd.array([True] * years + [pd.NA] * years, dtype="boolean"),
        "year": np.tile(np.arange(1, years + 1), 2),
        **stats([*range(i_cy, i_cy + years), *range(i_uy, i_uy + years)]),
    })
    payer_labels = model.payer_labels[model.link_payer] if n_links else np.array([], object)
    wsum = weights.sum(axis=1)
    by_link = pd.DataFrame({
        "link_id": model.link_ids,
        "service_code": model.services,
        "outcome_code": model.outcomes,
        "outcome_label": model.outcome_labels,
        "cost_item": model.cost_items,
        "payer_code": model.payer_codes[model.link_payer],
        "payer_label": payer_labels,
        "evidence_grade": model.grades,
        "optimism_bias": model.optimism_bias,
        "deadweight": model.deadweight,
        "share_retained": model.retained,
        "cost_uplift": model.uplift,
        "tied_event": model.tied,
        "stay_years": model.stay,
        "delta_activity_units": applied.delta_activity,
        "delta_events": -applied.delta_activity * model.events_per_unit * (1.0 - model.rr)
        * events_sum,
        "spillover_saving_gbp": link_median * wsum,
        "spillover_saving_unadjusted_gbp": link_median_unadj * wsum,
        "spillover_saving_point_gbp": point[s_link],
        "spillover_saving_mean_gbp": mean[s_link],
        "spillover_saving_p2_5_gbp": p_low[s_link],
        "spillover_saving_p97_5_gbp": p_high[s_link],
    })
    by_link_year = pd.DataFrame({
        "link_id": np.repeat(model.link_ids, years),
        "year": np.tile(np.arange(1, years + 1), n_links),
        "spillover_saving_gbp": (link_median[:, None] * weights).reshape(-1),
        "spillover_saving_unadjusted_gbp": (link_median_unadj[:, None] * weights).reshape(-1),
    })
    return SpilloverResult(
        by_payer_year=by_payer_year,
        by_payer=by_payer,
        overall=overall,
        overall_by_year=overall_by_year,
        by_link=by_link,
        payer_draws=np.ascontiguousarray(values[s_pt].T),
        years=years,
        draws=draws,
        seed=seed,
        discount_rate=float(discount_rate),
        discount_first_year=bool(discount_first_year),
        unit_cost_distribution=unit_cost_distribution,
        price_years=model.price_years,
        by_link_year=by_link_year,
        unmodelled_services=applied.unmodelled,
        persistence=persistence,
    )
