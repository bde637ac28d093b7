"""Spill-over model: who pays and who benefits when a service's spend changes.

The case this exists for: a council cuts luncheon clubs for older people (non-statutory,
cheap, with a fitness class after lunch). Adult social care saves money this year; then
more people fall, A&E attendances and emergency admissions rise (costs to the NHS) and
later more people need home care (costs to the council again). This module turns a
change in spend into a discounted, uncertainty-aware account of the money that moves
between payers, in the spirit of the Greater Manchester cost-benefit analysis model
(HM Treasury 2014) and the Washington State Institute for Public Policy (WSIPP)
benefit-cost model.

Pure computation: numpy and pandas only. No Dash, no DuckDB: the warehouse hands in
DataFrames and the UI receives DataFrames.

Inputs (column names are the data contract)
-------------------------------------------
``links``
    One row per spill-over link, a chain *service activity -> outcome -> cost item paid
    by a payer*: ``link_id, service_code, activity_unit, activity_unit_cost_gbp,
    outcome_code, outcome_label, events_per_unit, effect_ratio, effect_ratio_low,
    effect_ratio_high, cost_item, payer_code, lag_years, drop_off, evidence_grade,
    source``. ``activity_unit``, ``outcome_label`` and ``source`` are descriptive and
    optional here.
``unit_costs``
    One row per cost item: ``cost_item, payer_code, unit_cost_gbp, unit_cost_low_gbp,
    unit_cost_high_gbp, price_year, source``. A link's ``payer_code`` must equal the
    payer of its cost item.
``payers``
    One row per payer: ``payer_code, payer_label, organisation_code, is_council``.
``changes``
    Either a DataFrame with columns ``service_code, payer_code, spend_change_gbp`` (one
    row per funding payer of a service; a co-funded service has several rows), or a
    mapping ``{service_code: spend_change_gbp}`` together with ``funders``, a mapping
    ``{service_code: payer_code}`` (or a DataFrame ``service_code, payer_code``). A
    negative change is a cut. ``None`` or empty means no change, and every result is
    zero. See :func:`normalise_changes`.

Model
-----
For link *l* of service *s*, over years t = 1..T (year 1 is the budget year of the
change, and the change is assumed to be sustained over the whole horizon)::

    Δactivity_l    = Δspend_s / activity_unit_cost_l
    persistence_lt = 0                                    if t <= lag_l
                   = (1 - drop_off_l) ** (t - 1 - lag_l)  otherwise
    Δevents_lt     = -Δactivity_l * events_per_unit_l * (1 - effect_ratio_l)
                     * persistence_lt * (1 - deadweight(grade_l))
    Δcost_lt       = Δevents_lt * unit_cost_l * (1 - optimism_bias(grade_l))

``Δcost_lt`` falls on the link's payer. The direct effect is ``-Δspend_s`` every year to
the payer(s) funding the service. A cut (Δspend < 0) lowers activity, so more events
happen (for an effect ratio < 1) and other payers bear more cost.

The model is linear in the spend change: it assumes the activity lost or gained is
priced at the average unit cost and that the effect per activity unit does not depend
on scale. It works in real terms at the price base of the unit costs (no inflation is
applied; keep unit costs in one price year - the years used are reported in
``SpilloverResult.price_years``).

Sign convention
---------------
Every money output is ``net_saving_gbp``: **positive = a saving for that payer (money
the payer no longer spends), negative = an extra cost.** For a cut, the funding payer
shows a positive direct saving and the NHS, say, shows a negative spill-over saving.

Evidence grade: deadweight and optimism bias
--------------------------------------------
:data:`GRADE_ADJUSTMENTS` maps each GRADE certainty level (Guyatt et al. 2008) to a
confidence grade of the GM CBA model and to two corrections, both applied to every
spill-over amount claimed from the evidence, whatever its sign (an avoidable cost
claimed for a cut is shrunk just as a saving claimed for an investment is):

============  ============  ==============  ==========  ===================
GRADE         GM grade      optimism bias   deadweight  share of effect kept
============  ============  ==============  ==========  ===================
high          1             0 %             0 %         100 %
moderate      2             10 %            0 %         90 %
low           4             30 %            10 %        63 %
very low      5             40 %            20 %        48 %
============  ============  ==============  ==========  ===================

* Optimism bias: the GM CBA model (HM Treasury 2014) grades the confidence
  of each input on a five-point scale and applies optimism-bias corrections of
  0 %, 10 %, 20 %, 30 % and 40 % for grades 1 to 5 (benefits scaled down, costs up),
  following the Green Book's requirement to adjust for optimism bias (HM Treasury 2013,
  *Green Book supplementary guidance: optimism bias*). The mapping of the four GRADE
  levels onto grades 1, 2, 4 and 5 is this project's choice: GRADE "low" means the true
  effect may be *substantially* different, so it skips a step.
* Deadweight: the share of the measured effect that would have happened anyway. An
  effect ratio from a controlled comparison (the usual basis of high or moderate
  certainty) is already net of deadweight, so it is 0 %. Low and very low certainty
  evidence usually rests on uncontrolled or before-and-after comparisons, where
  regression to the mean and secular trends inflate the apparent effect; the 10 % and
  20 % allowances are **project assumptions** (not published values) and can be
  replaced with the ``grade_adjustments`` argument.

The direct saving (the spend change itself) is a budget figure and is not adjusted.

Discounting
-----------
HM Treasury Green Book (2022) real discount rate 3.5 % a year (the default,
:data:`GREEN_BOOK_DISCOUNT_RATE`); the Green Book's 1.5 % rate for health effects
(:data:`GREEN_BOOK_HEALTH_DISCOUNT_RATE`) is available as an option or sensitivity.
Convention: year 1 is the Green Book's year 0 (the present) and is **not discounted**;
year t is multiplied by ``(1 + r) ** -(t - 1)``. Pass ``discount_first_year=True`` to
use ``(1 + r) ** -t`` instead. Direct and spill-over amounts are discounted alike.

Uncertainty (Monte Carlo)
-------------------------
* Effect ratio: lognormal, ``ln RR ~ Normal(ln effect_ratio, sd)`` with
  ``sd = (ln high - ln low) / (2 * 1.96)``, the usual way to carry a ratio and its 95 %
  confidence interval into a probabilistic model (Briggs, Claxton & Sculpher 2006,
  ch. 4). The point estimate is the median of the draws, so the mean of the draws of
  ``1 - RR`` is ``1 - RR * exp(sd**2 / 2)``, slightly below the central value. Links of
  the same service with the same ``outcome_code`` rest on the same evidence and share
  one standard-normal draw (perfectly correlated); otherwise draws are independent.
* Unit cost: triangular (low, mode = unit_cost_gbp, high) by default, sampled by the
  inverse CDF; ``unit_cost_distribution="pert"`` uses Beta-PERT (lambda = 4) instead,
  which puts less weight on the extremes and is slower to sample. A cost item shared by
  several links has one draw per iteration.
* Spend changes, events per unit, lags and drop-off are held at their stated values
  (:func:`tornado` can swing lags and drop-off one at a time).
* A seeded ``numpy.random.Generator`` (default seed :data:`DEFAULT_SEED`). The draws
  form ``links x draws`` arrays, aggregated to payers and years with array arithmetic
  (the only Python loop is over links, never over draws). Every evidence group and cost
  item is sampled whatever the changes, so with one seed a link gets the same draws in
  every scenario (common random numbers: scenario comparisons are not blurred by
  sampling noise).

Outputs report the central value (all inputs at their point values), the Monte Carlo
mean, the 2.5th and 97.5th percentiles, and the probability of a net saving,
``P(net_saving_gbp > 0)`` (WSIPP reports the analogous "chance benefits exceed costs").

References
----------
* HM Treasury, Public Service Transformation Network and New Economy (2014).
  *Supporting public service transformation: cost benefit analysis guidance for local
  partnerships.* (The GM CBA model.)
* HM Treasury (2022). *The Green Book: appraisal and evaluation in central government*,
  annex A6 (discounting).
* HM Treasury (2013). *Green Book supplementary guidance: optimism bias.*
* Washington State Institute for Public Policy (2023). *Benefit-cost technical
  documentation*, chapter on Monte Carlo risk analysis.
* Guyatt G.H. et al. (2008). GRADE: an emerging consensus on rating quality of
  evidence and strength of recommendations. *BMJ* 336:924-926.
* Briggs A., Claxton K., Sculpher M. (2006). *Decision modelling for health economic
  evaluation.* Oxford University Press.
* Sherrington C. et al. (2019). Exercise for preventing falls in older people living in
  the community. *Cochrane Database Syst Rev* CD012424 (rate of falls, rate ratio 0.77,
  95 % CI 0.71 to 0.83: the kind of effect ratio a link carries).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "DEFAULT_YEARS",
    "GRADE_ADJUSTMENTS",
    "GREEN_BOOK_DISCOUNT_RATE",
    "GREEN_BOOK_HEALTH_DISCOUNT_RATE",
    "GradeAdjustment",
    "SpilloverResult",
    "grade_adjustments_frame",
    "normalise_changes",
    "payer_matrix",
    "simulate",
    "tornado",
]

GREEN_BOOK_DISCOUNT_RATE = 0.035
"""HM Treasury Green Book real social time preference rate (years 0-30)."""
GREEN_BOOK_HEALTH_DISCOUNT_RATE = 0.015
"""Green Book rate for health effects (pure time preference + catastrophic risk)."""
DEFAULT_YEARS = 5
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20140402
"""Fixed default seed (the date the GM CBA guidance was published), for reproducibility."""

_Z975 = 1.959963984540054  # standard normal 97.5th percentile
_Q_LOW, _Q_HIGH = 0.025, 0.975


class GradeAdjustment(NamedTuple):
    """Corrections for one evidence grade (fractions, 0..1)."""

    gm_confidence_grade: int
    optimism_bias: float
    deadweight: float

    @property
    def retained(self) -> float:
        """Share of a claimed spill-over effect kept after both corrections."""
        return (1.0 - self.optimism_bias) * (1.0 - self.deadweight)


GRADE_ADJUSTMENTS: Mapping[str, GradeAdjustment] = MappingProxyType(
    {
        "high": GradeAdjustment(gm_confidence_grade=1, optimism_bias=0.00, deadweight=0.00),
        "moderate": GradeAdjustment(gm_confidence_grade=2, optimism_bias=0.10, deadweight=0.00),
        "low": GradeAdjustment(gm_confidence_grade=4, optimism_bias=0.30, deadweight=0.10),
        "very low": GradeAdjustment(gm_confidence_grade=5, optimism_bias=0.40, deadweight=0.20),
    }
)
"""Evidence grade -> corrections. Sources and reasoning in the module docstring."""

_GRADE_SOURCE = (
    "Optimism bias: GM CBA model confidence grades 1-5 -> 0/10/20/30/40% "
    "(HM Treasury 2014); GRADE->GM mapping and deadweight: project assumptions"
)


def grade_adjustments_frame(
    grade_adjustments: Mapping[str, GradeAdjustment] = GRADE_ADJUSTMENTS,
) -> pd.DataFrame:
    """The grade table as a DataFrame for display (one row per evidence grade)."""
    rows = [
        {
            "evidence_grade": grade,
            "gm_confidence_grade": adj.gm_confidence_grade,
            "optimism_bias": adj.optimism_bias,
            "deadweight": adj.deadweight,
            "share_retained": adj.retained,
            "source": _GRADE_SOURCE,
        }
        for grade, adj in grade_adjustments.items()
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------

_LINK_COLUMNS = (
    "link_id",
    "service_code",
    "activity_unit_cost_gbp",
    "outcome_code",
    "events_per_unit",
    "effect_ratio",
    "effect_ratio_low",
    "effect_ratio_high",
    "cost_item",
    "payer_code",
    "lag_years",
    "drop_off",
    "evidence_grade",
)
_UNIT_COST_COLUMNS = (
    "cost_item",
    "payer_code",
    "unit_cost_gbp",
    "unit_cost_low_gbp",
    "unit_cost_high_gbp",
)
_PAYER_COLUMNS = ("payer_code", "payer_label", "is_council")


def _require_frame(df: Any, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing required column(s): {', '.join(missing)}")
    return df


def _fail_if(
    mask: np.ndarray,
    what: str,
    keys: np.ndarray,
    field_name: str,
    problem: str,
    values: Any = None,
) -> None:
    """Raise ValueError naming the first offending row (and how many others)."""
    if not mask.any():
        return
    idx = np.flatnonzero(mask)
    first = idx[0]
    got = f" (got {np.asarray(values, dtype=object)[first]!r})" if values is not None else ""
    more = f"; {len(idx) - 1} more row(s) have the same problem" if len(idx) > 1 else ""
    raise ValueError(f"{what} {keys[first]!r}: field '{field_name}' {problem}{got}{more}")


def _clean_text(value: Any) -> str:
    """str(value).strip(), with None / NaN / pd.NA as the empty string."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _text(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
    out = np.array([_clean_text(v) for v in df[col].tolist()], dtype=object)
    _fail_if(out == "", what, keys, col, "is empty")
    return out


def _numbers(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
    raw = df[col]
    try:
        vals = raw.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _fail_if(~np.isfinite(vals), what, keys, col, "is missing or not a finite number", raw)
    return vals


def _row_keys(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    keys = np.array([_clean_text(v) for v in df[col].tolist()], dtype=object)
    bad = keys == ""
    if bad.any():
        raise ValueError(f"{what} at row {int(np.flatnonzero(bad)[0])}: field '{col}' is empty")
    seen: set[str] = set()
    dup = np.zeros(len(keys), dtype=bool)
    for i, key in enumerate(keys):
        dup[i] = key in seen
        seen.add(key)
    _fail_if(dup, what, keys, col, "is duplicated (must be unique)")
    return keys


def _factorize(values: Iterable[Any]) -> tuple[np.ndarray, list[Any]]:
    """(codes, uniques) in first-seen order."""
    index: dict[Any, int] = {}
    codes = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.intp)
    return codes, list(index)


def _booleans(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
    truthy = {"true", "t", "yes", "y", "1"}
    falsy = {"false", "f", "no", "n", "0"}
    out = np.zeros(len(df), dtype=bool)
    bad = np.zeros(len(df), dtype=bool)
    values = df[col].to_numpy(dtype=object)
    for i, v in enumerate(values):  # payers: a handful of rows
        if isinstance(v, bool | np.bool_) or (isinstance(v, int | np.integer) and v in (0, 1)):
            out[i] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in truthy | falsy:
            out[i] = v.strip().lower() in truthy
        else:
            bad[i] = True
    _fail_if(bad, what, keys, col, "must be true or false", values)
    return out


def _normalise_grade(grade: str) -> str:
    return " ".join(grade.lower().replace("_", " ").replace("-", " ").split())


# --------------------------------------------------------------------------------------
# Prepared model (validated arrays)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Model:
    link_ids: np.ndarray  # (L,) object
    services: np.ndarray  # (L,)
    outcomes: np.ndarray  # (L,)
    outcome_labels: np.ndarray  # (L,)
    cost_items: np.ndarray  # (L,)
    grades: np.ndarray  # (L,)
    activity_unit_cost: np.ndarray  # (L,)
    events_per_unit: np.ndarray  # (L,)
    retained: np.ndarray  # (L,) (1 - deadweight)(1 - optimism bias)
    deadweight: np.ndarray  # (L,)
    rr: np.ndarray  # (L,)
    rr_low: np.ndarray  # (L,)
    rr_high: np.ndarray  # (L,)
    log_sd: np.ndarray  # (L,)
    group: np.ndarray  # (L,) index into evidence groups (service, outcome)
    n_groups: int
    item: np.ndarray  # (L,) index into items
    items: np.ndarray  # (C,) cost item codes used by links
    uc_mode: np.ndarray  # (C,)
    uc_low: np.ndarray  # (C,)
    uc_high: np.ndarray  # (C,)
    lag: np.ndarray  # (L,) float, integral
    drop: np.ndarray  # (L,)
    link_payer: np.ndarray  # (L,) index into payers
    payer_codes: np.ndarray  # (P,)
    payer_labels: np.ndarray  # (P,)
    organisation_codes: np.ndarray  # (P,)
    is_council: np.ndarray  # (P,) bool
    price_years: tuple[str, ...]


def _sorted(frame: Any, key: str) -> Any:
    if isinstance(frame, pd.DataFrame) and key in frame.columns:
        return frame.sort_values(key, kind="stable").reset_index(drop=True)
    return frame


def _prepare(
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    grade_adjustments: Mapping[str, GradeAdjustment],
) -> _Model:
    # Draws are taken in key order, so the same inputs in any row order give the same draws.
    links = _sorted(links, "link_id")
    unit_costs = _sorted(unit_costs, "cost_item")
    # ---- payers -----------------------------------------------------------------
    payers = _require_frame(payers, _PAYER_COLUMNS, "payers")
    payer_codes = _row_keys(payers, "payer_code", "payer")
    payer_labels = _text(payers, "payer_label", "payer", payer_codes)
    is_council = _booleans(payers, "is_council", "payer", payer_codes)
    if "organisation_code" in payers.columns:
        organisation_codes = np.array(
            [_clean_text(v) or None for v in payers["organisation_code"].tolist()], dtype=object
        )
    else:
        organisation_codes = np.full(len(payers), None, dtype=object)
    payer_index = {code: i for i, code in enumerate(payer_codes)}

    # ---- unit costs -------------------------------------------------------------
    unit_costs = _require_frame(unit_costs, _UNIT_COST_COLUMNS, "unit_costs")
    what_uc = "unit cost item"
    uc_keys = _row_keys(unit_costs, "cost_item", what_uc)
    uc_payer = _text(unit_costs, "payer_code", what_uc, uc_keys)
    uc_mid = _numbers(unit_costs, "unit_cost_gbp", what_uc, uc_keys)
    uc_lo = _numbers(unit_costs, "unit_cost_low_gbp", what_uc, uc_keys)
    uc_hi = _numbers(unit_costs, "unit_cost_high_gbp", what_uc, uc_keys)
    for col, vals in (
        ("unit_cost_low_gbp", uc_lo),
        ("unit_cost_gbp", uc_mid),
        ("unit_cost_high_gbp", uc_hi),
    ):
        _fail_if(vals < 0, what_uc, uc_keys, col, "is negative", vals)
    _fail_if(uc_lo > uc_mid, what_uc, uc_keys, "unit_cost_low_gbp", "is above unit_cost_gbp", uc_lo)
    _fail_if(
        uc_hi < uc_mid, what_uc, uc_keys, "unit_cost_high_gbp", "is below unit_cost_gbp", uc_hi
    )
    unknown_uc_payer = np.array([p not in payer_index for p in uc_payer], dtype=bool)
    _fail_if(unknown_uc_payer, what_uc, uc_keys, "payer_code", "is not in payers", uc_payer)
    uc_index = {code: i for i, code in enumerate(uc_keys)}

    # ---- links ------------------------------------------------------------------
    links = _require_frame(links, _LINK_COLUMNS, "links")
    what = "link"
    ids = _row_keys(links, "link_id", what)
    services = _text(links, "service_code", what, ids)
    outcomes = _text(links, "outcome_code", what, ids)
    cost_items = _text(links, "cost_item", what, ids)
    link_payers = _text(links, "payer_code", what, ids)
    grades_raw = _text(links, "evidence_grade", what, ids)
    if "outcome_label" in links.columns:
        outcome_labels = np.array(
            [
                _clean_text(v) or code
                for v, code in zip(links["outcome_label"].tolist(), outcomes, strict=True)
            ],
            dtype=object,
        )
    else:
        outcome_labels = outcomes.copy()

    auc = _numbers(links, "activity_unit_cost_gbp", what, ids)
    _fail_if(auc <= 0, what, ids, "activity_unit_cost_gbp", "must be greater than zero", auc)
    epu = _numbers(links, "events_per_unit", what, ids)
    _fail_if(epu < 0, what, ids, "events_per_unit", "is negative", epu)
    rr = _numbers(links, "effect_ratio", what, ids)
    rr_lo = _numbers(links, "effect_ratio_low", what, ids)
    rr_hi = _numbers(links, "effect_ratio_high", what, ids)
    _fail_if(rr_lo <= 0, what, ids, "effect_ratio_low", "must be greater than zero", rr_lo)
    _fail_if(rr <= 0, what, ids, "effect_ratio", "must be greater than zero", rr)
    _fail_if(
        rr_lo > rr_hi, what, ids, "effect_ratio_low", "is greater than effect_ratio_high", rr_lo
    )
    _fail_if(
        (rr < rr_lo) | (rr > rr_hi),
        what,
        ids,
        "effect_ratio",
        "is outside [effect_ratio_low, effect_ratio_high]",
        rr,
    )
    lag = _numbers(links, "lag_years", what, ids)
    _fail_if(
        (lag < 0) | (lag != np.round(lag)),
        what,
        ids,
        "lag_years",
        "must be a whole number of years >= 0",
        lag,
    )
    drop = _numbers(links, "drop_off", what, ids)
    _fail_if((drop < 0) | (drop > 1), what, ids, "drop_off", "must be between 0 and 1", drop)

    grades = np.array([_normalise_grade(g) for g in grades_raw], dtype=object)
    unknown_grade = np.array([g not in grade_adjustments for g in grades], dtype=bool)
    _fail_if(
        unknown_grade,
        what,
        ids,
        "evidence_grade",
        f"is not one of {', '.join(repr(g) for g in grade_adjustments)}",
        grades_raw,
    )
    ob = np.array([grade_adjustments[g].optimism_bias for g in grades], dtype=float)
    dw = np.array([grade_adjustments[g].deadweight for g in grades], dtype=float)

    unknown_item = np.array([c not in uc_index for c in cost_items], dtype=bool)
    _fail_if(unknown_item, what, ids, "cost_item", "is not in unit_costs", cost_items)
    unknown_payer = np.array([p not in payer_index for p in link_payers], dtype=bool)
    _fail_if(unknown_payer, what, ids, "payer_code", "is not in payers", link_payers)
    uc_rows = np.array([uc_index[c] for c in cost_items], dtype=np.intp)
    mismatch = uc_payer[uc_rows] != link_payers if len(ids) else np.zeros(0, dtype=bool)
    _fail_if(
        mismatch,
        what,
        ids,
        "payer_code",
        "differs from the payer_code of its cost_item in unit_costs",
        link_payers,
    )

    item, items = _factorize(cost_items)
    first_row_of_item = np.array([uc_index[c] for c in items], dtype=np.intp)
    group, group_uniques = _factorize(zip(services, outcomes, strict=True))

    price_years: tuple[str, ...] = ()
    if "price_year" in unit_costs.columns and len(first_row_of_item):
        used = np.array(unit_costs["price_year"].tolist(), dtype=object)[first_row_of_item]
        price_years = tuple(sorted({_clean_text(v) for v in used} - {""}))

    return _Model(
        link_ids=ids,
        services=services,
        outcomes=outcomes,
        outcome_labels=outcome_labels,
        cost_items=cost_items,
        grades=grades,
        activity_unit_cost=auc,
        events_per_unit=epu,
        retained=(1.0 - ob) * (1.0 - dw),
        deadweight=dw,
        rr=rr,
        rr_low=rr_lo,
        rr_high=rr_hi,
        log_sd=(np.log(rr_hi) - np.log(rr_lo)) / (2.0 * _Z975),
        group=group,
        n_groups=len(group_uniques),
        item=item,
        items=np.array(items, dtype=object),
        uc_mode=uc_mid[first_row_of_item],
        uc_low=uc_lo[first_row_of_item],
        uc_high=uc_hi[first_row_of_item],
        lag=lag,
        drop=drop,
        link_payer=np.array([payer_index[p] for p in link_payers], dtype=np.intp),
        payer_codes=payer_codes,
        payer_labels=payer_labels,
        organisation_codes=organisation_codes,
        is_council=is_council,
        price_years=price_years,
    )


# --------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------


def _funders_mapping(funders: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    if funders is None:
        return {}
    if isinstance(funders, pd.DataFrame):
        frame = _require_frame(funders, ("service_code", "payer_code"), "funders")
        keys = _row_keys(frame, "service_code", "funder of service")
        payers = _text(frame, "payer_code", "funder of service", keys)
        return dict(zip(keys, payers, strict=True))
    return {str(k).strip(): str(v).strip() for k, v in funders.items()}


def _change_rows(
    changes: pd.DataFrame | Mapping[str, float] | None,
    funders: Mapping[str, str] | pd.DataFrame | None,
) -> list[tuple[str, str, float]]:
    """Validated (service_code, payer_code, spend_change_gbp), summed per service and payer."""
    if changes is None:
        return []
    funder_map = _funders_mapping(funders)
    if isinstance(changes, pd.DataFrame):
        frame = _require_frame(changes, ("service_code", "spend_change_gbp"), "changes")
        services = frame["service_code"].tolist()
        if "payer_code" in frame.columns:
            payer_codes = frame["payer_code"].tolist()
        else:
            payer_codes = [None] * len(frame)
        amounts = frame["spend_change_gbp"].tolist()
    elif isinstance(changes, Mapping):
        services = list(changes.keys())
        payer_codes = [None] * len(changes)
        amounts = list(changes.values())
    else:
        raise TypeError(
            "changes must be a DataFrame (service_code, payer_code, spend_change_gbp) "
            f"or a mapping service_code -> spend change, got {type(changes).__name__}"
        )
    totals: dict[tuple[str, str], float] = {}
    for svc, payer, amount in zip(services, payer_codes, amounts, strict=True):
        svc_code = _clean_text(svc)
        if svc_code == "":
            raise ValueError("changes: a row has an empty 'service_code'")
        payer_code = _clean_text(payer) or funder_map.get(svc_code, "")
        if payer_code == "":
            raise ValueError(
                f"change for service {svc_code!r}: field 'payer_code' is missing "
                "(give it in changes or in funders)"
            )
        try:
            value = float(amount)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(
                f"change for service {svc_code!r}: field 'spend_change_gbp' is missing or "
                f"not a finite number (got {amount!r})"
            )
        key = (svc_code, payer_code)
        totals[key] = totals.get(key, 0.0) + value
    return [(svc, payer, value) for (svc, payer), value in sorted(totals.items())]


def normalise_changes(
    changes: pd.DataFrame | Mapping[str, float] | None,
    funders: Mapping[str, str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return changes as a DataFrame ``service_code, payer_code, spend_change_gbp``.

    ``changes`` is a DataFrame with those columns (``payer_code`` may be omitted, or
    missing on a row, when ``funders`` is given), or a mapping
    ``{service_code: spend_change_gbp}`` with ``funders`` mapping each service to the
    payer that funds it (a mapping, or a DataFrame ``service_code, payer_code``).
    ``None`` or empty gives an empty frame. Rows for the same service and payer are
    summed; a co-funded service keeps one row per payer. Raises ValueError for a missing
    funder or a non-finite spend change. (Whether the service and payer exist is checked
    against the links and payers by :func:`simulate`.)
    """
    rows = _change_rows(changes, funders)
    return pd.DataFrame(
        {
            "service_code": pd.Series([r[0] for r in rows], dtype=object),
            "payer_code": pd.Series([r[1] for r in rows], dtype=object),
            "spend_change_gbp": pd.Series([r[2] for r in rows], dtype=float),
        }
    )


def _apply_changes(
    model: _Model, rows: list[tuple[str, str, float]], allow_unlinked: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Return (Δactivity per link (L,), direct annual saving per payer (P,)).

    A service with no spill-over link is an error, unless ``allow_unlinked``: then its change
    counts as a direct effect only (no evidence, so no modelled knock-on effect)."""
    n_payers = len(model.payer_codes)
    known_services = set(model.services.tolist())
    payer_index = {code: i for i, code in enumerate(model.payer_codes)}
    direct = np.zeros(n_payers)
    spend_by_service: dict[str, float] = {}
    for svc, payer, amount in rows:
        if svc not in known_services and not allow_unlinked:
            raise ValueError(
                f"change for service {svc!r}: field 'service_code' has no spill-over links "
                "(unknown service)"
            )
        if payer not in payer_index:
            raise ValueError(
                f"change for service {svc!r}: field 'payer_code' {payer!r} is not in payers"
            )
        direct[payer_index[payer]] -= amount
        spend_by_service[svc] = spend_by_service.get(svc, 0.0) + amount
    spend = np.array([spend_by_service.get(s, 0.0) for s in model.services], dtype=float)
    return spend / model.activity_unit_cost, direct


# --------------------------------------------------------------------------------------
# Core arithmetic
# --------------------------------------------------------------------------------------


def _check_settings(years: int, discount_rate: float) -> None:
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
        raise ValueError(f"years must be a whole number >= 1 (got {years!r})")
    if not math.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be a finite number > -1 (got {discount_rate!r})")


def _discount_factors(years: int, rate: float, first_year_discounted: bool) -> np.ndarray:
    t = np.arange(1, years + 1, dtype=float)
    exponent = t if first_year_discounted else t - 1.0
    return (1.0 + rate) ** -exponent


def _persistence(lag: np.ndarray, drop: np.ndarray, years: int) -> np.ndarray:
    """(L, Y) share of the full effect present in each year."""
    t = np.arange(1, years + 1, dtype=float)[None, :]
    since = t - 1.0 - lag[:, None]
    started = since >= 0
    keep = (1.0 - drop)[:, None] ** np.where(started, since, 0.0)
    return np.where(started, keep, 0.0)


def _per_unit_saving(model: _Model, delta_activity: np.ndarray) -> np.ndarray:
    """(L,) saving per (1 - RR) per £ of unit cost per unit of persistence, undiscounted.

    spill-over saving_lt = k_l * (1 - RR_l) * unit_cost_l * persistence_lt * discount_t
    with k_l = Δactivity_l * events_per_unit_l * (1 - deadweight_l) * (1 - optimism_l).
    """
    return delta_activity * model.events_per_unit * model.retained


def _spillover_by_payer(
    model: _Model,
    k: np.ndarray,
    rr: np.ndarray,
    uc_item: np.ndarray,
    rate: float,
    lag: np.ndarray,
    drop: np.ndarray,
    years: int,
    first_year_discounted: bool,
) -> np.ndarray:
    """Central spill-over saving per payer over the horizon, discounted (P,)."""
    disc = _discount_factors(years, rate, first_year_discounted)
    w = (_persistence(lag, drop, years) * disc[None, :]).sum(axis=1)
    per_link = k * (1.0 - rr) * uc_item[model.item] * w
    return np.bincount(model.link_payer, weights=per_link, minlength=len(model.payer_codes))


def _aggregate(
    model: _Model, weights: np.ndarray, amounts: np.ndarray, rows: np.ndarray
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


def _varying_rows(model: _Model, years: int, rows: np.ndarray) -> np.ndarray:
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


def _quantiles_rows(x: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
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


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------

_STAT_COLUMNS = [
    "net_saving_gbp",
    "net_saving_mean_gbp",
    "net_saving_p2_5_gbp",
    "net_saving_p97_5_gbp",
    "prob_net_saving",
]


@dataclass(frozen=True, eq=False)
class SpilloverResult:
    """Discounted net savings by payer, year and link, with Monte Carlo intervals.

    Sign convention: ``net_saving_gbp`` > 0 is a saving for the payer, < 0 an extra cost.
    ``net_saving_gbp`` is the central value (every input at its point value);
    ``net_saving_mean_gbp`` the Monte Carlo mean; ``net_saving_p2_5_gbp`` and
    ``net_saving_p97_5_gbp`` the 2.5th and 97.5th percentiles of the draws;
    ``prob_net_saving`` the share of draws with ``net_saving_gbp > 0`` (strictly).
    ``direct_saving_gbp`` is the funding payer's saving from the spend change itself and
    ``spillover_saving_gbp`` the central saving through the links (both discounted).

    Attributes
    ----------
    by_payer_year
        One row per payer and year (1..years): ``payer_code, payer_label,
        organisation_code, is_council, year, direct_saving_gbp, spillover_saving_gbp,
        net_saving_gbp, net_saving_mean_gbp, net_saving_p2_5_gbp, net_saving_p97_5_gbp,
        prob_net_saving``.
    by_payer
        The same, summed over the horizon (no ``year`` column).
    overall
        Two rows, ``scope`` = ``"council"`` (payers with ``is_council``) and
        ``"public_purse"`` (all payers), summed over the horizon, same columns
        (``is_council`` is True for the council row and <NA> for the public purse).
    overall_by_year
        The council and public purse by year: ``scope``, ``payer_label``,
        ``is_council``, ``year`` and the same value columns.
    by_link
        One row per link: ``link_id, service_code, outcome_code, outcome_label,
        cost_item, payer_code, payer_label, evidence_grade, share_retained,
        delta_activity_units`` (per year), ``delta_events`` (central, after deadweight,
        undiscounted, summed over the horizon), ``spillover_saving_gbp`` (central,
        discounted, after optimism bias), ``spillover_saving_mean_gbp``,
        ``spillover_saving_p2_5_gbp``, ``spillover_saving_p97_5_gbp``.
    payer_draws
        ``(draws, payers)`` array of discounted net savings over the horizon, columns
        in the order of ``by_payer``.
    """

    by_payer_year: pd.DataFrame
    by_payer: pd.DataFrame
    overall: pd.DataFrame
    overall_by_year: pd.DataFrame
    by_link: pd.DataFrame
    payer_draws: np.ndarray = field(repr=False)
    years: int
    draws: int
    seed: int | None
    discount_rate: float
    discount_first_year: bool
    unit_cost_distribution: str
    price_years: tuple[str, ...]

    @property
    def prob_net_saving_public_purse(self) -> float:
        """P(net saving summed over all payers and years > 0)."""
        return float(self.overall.set_index("scope").at["public_purse", "prob_net_saving"])

    @property
    def prob_net_saving_council(self) -> float:
        """P(net saving summed over council payers and years > 0)."""
        return float(self.overall.set_index("scope").at["council", "prob_net_saving"])

    def prob_net_saving(self, payer_code: str | None = None) -> float:
        """P(net saving > 0) for one payer over the horizon, or the public purse if None."""
        if payer_code is None:
            return self.prob_net_saving_public_purse
        rows = self.by_payer.loc[self.by_payer["payer_code"] == payer_code, "prob_net_saving"]
        if rows.empty:
            raise KeyError(f"unknown payer_code {payer_code!r}")
        return float(rows.iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """Tidy table for display: one row per (scope, payer, year).

        Columns: ``scope`` ("payer", "council", "public_purse"), ``payer_code`` (missing
        for the aggregates), ``payer_label``, ``is_council``, ``year`` (nullable Int64; <NA>
        = total over the horizon), ``direct_saving_gbp``, ``spillover_saving_gbp`` and
        the statistics columns described on the class. Rows are ordered payer by payer
        (years, then total), then council (years, total), then public purse.
        """
        value_cols = ["direct_saving_gbp", "spillover_saving_gbp", *_STAT_COLUMNS]
        parts = []
        for i, code in enumerate(self.by_payer["payer_code"]):
            yearly = self.by_payer_year.loc[self.by_payer_year["payer_code"] == code]
            parts.append(yearly.assign(scope="payer"))
            parts.append(self.by_payer.iloc[[i]].assign(scope="payer", year=pd.NA))
        for i, scope in enumerate(self.overall["scope"]):
            parts.append(self.overall_by_year.loc[self.overall_by_year["scope"] == scope])
            parts.append(self.overall.iloc[[i]].assign(year=pd.NA))
        cols = ["scope", "payer_code", "payer_label", "is_council", "year", *value_cols]
        out = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
        out["year"] = out["year"].astype("Int64")
        out["is_council"] = out["is_council"].astype("boolean")
        for col in value_cols:
            out[col] = out[col].astype(float)
        return out

    def sankey(self) -> pd.DataFrame:
        """Flows for a Sankey diagram: service -> outcome -> payer, central values.

        Columns ``source, target, value_gbp, net_saving_gbp``: ``value_gbp`` is the
        absolute amount (Sankey widths must be positive) and ``net_saving_gbp`` keeps the
        sign. Node names are prefixed ``service:``, ``outcome:`` and ``payer:``.
        """
        links = self.by_link
        first = (
            links.assign(
                source="service:" + links["service_code"],
                target="outcome:" + links["outcome_label"],
            )
            .groupby(["source", "target"], as_index=False, sort=False)["spillover_saving_gbp"]
            .sum()
        )
        second = (
            links.assign(
                source="outcome:" + links["outcome_label"],
                target="payer:" + links["payer_label"],
            )
            .groupby(["source", "target"], as_index=False, sort=False)["spillover_saving_gbp"]
            .sum()
        )
        out = pd.concat([first, second], ignore_index=True).rename(
            columns={"spillover_saving_gbp": "net_saving_gbp"}
        )
        out["value_gbp"] = out["net_saving_gbp"].abs()
        return out[["source", "target", "value_gbp", "net_saving_gbp"]]


def _sample_unit_costs(
    rng: np.random.Generator, model: _Model, draws: int, distribution: str
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
) -> SpilloverResult:
    """Run the spill-over model for a set of spend changes.

    Returns a :class:`SpilloverResult` with discounted ``net_saving_gbp`` (positive =
    saving) by payer and year, per payer, for the council and the public purse, and per
    link, each with a central value, Monte Carlo mean, 95 % interval and probability of
    a net saving. ``changes`` and ``funders`` are described in :func:`normalise_changes`.
    Raises ValueError naming the record and field for impossible inputs.

    ``allow_unlinked=True`` accepts changes to services with no spill-over link: they count
    with their direct effect only (there is no evidence to model a knock-on effect from).
    """
    _check_settings(years, discount_rate)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a whole number >= 1 (got {draws!r})")
    model = _prepare(links, unit_costs, payers, grade_adjustments)
    delta_activity, direct = _apply_changes(model, _change_rows(changes, funders),
                                            allow_unlinked)
    years = int(years)
    draws = int(draws)
    n_links, n_payers = len(model.link_ids), len(model.payer_codes)

    disc = _discount_factors(years, discount_rate, discount_first_year)  # (Y,)
    weights = _persistence(model.lag, model.drop, years) * disc[None, :]  # (L, Y)
    k = _per_unit_saving(model, delta_activity)  # (L,)

    # Constant (direct) part of every output row; row layout in _aggregate.
    n_py = n_payers * years
    direct_py = (direct[:, None] * disc[None, :]).reshape(n_py)
    direct_total = direct * disc.sum()
    council_direct_year = (direct[model.is_council].sum()) * disc
    purse_direct_year = direct.sum() * disc
    offset = np.concatenate(
        [
            direct_py,
            direct_total,
            council_direct_year,
            [council_direct_year.sum()],
            purse_direct_year,
            [purse_direct_year.sum()],
            np.zeros(n_links),
        ]
    )  # (K,)

    # Central values: every input at its point value.
    all_links = np.arange(n_links)
    central_link = k * (1.0 - model.rr) * model.uc_mode[model.item]  # (L,)
    spill_central = _aggregate(model, weights, central_link[:, None], all_links)[:, 0]
    central = spill_central + offset

    # Monte Carlo draws. Every evidence group and cost item is sampled whatever the
    # changes, so a given seed gives the same draws for a link in every scenario (common
    # random numbers); only links whose service changes are then computed.
    if unit_cost_distribution not in ("triangular", "pert"):
        raise ValueError(
            "unit_cost_distribution must be 'triangular' or 'pert' "
            f"(got {unit_cost_distribution!r})"
        )
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((model.n_groups, draws))  # (G, D)
    uc_draws = _sample_unit_costs(rng, model, draws, unit_cost_distribution)  # (C, D)
    act = np.flatnonzero(k != 0)
    # link_draws = k * (1 - exp(ln RR + sd z)) * unit cost, computed in place: (A, D)
    link_draws = z[model.group[act]]
    link_draws *= model.log_sd[act][:, None]
    link_draws += np.log(model.rr[act])[:, None]
    np.exp(link_draws, out=link_draws)
    np.subtract(1.0, link_draws, out=link_draws)
    link_draws *= k[act][:, None]
    link_draws *= uc_draws[model.item[act]]
    values = _aggregate(model, weights, link_draws, act)  # (K, D), C-contiguous
    values += offset[:, None]

    # Rows fed by no changing link are constant: skip the sort work for them.
    varying = _varying_rows(model, years, act)
    mean = values[:, 0].copy()
    p_low, p_high = mean.copy(), mean.copy()
    prob = (mean > 0).astype(float)
    if varying.any():
        moving = values if varying.all() else values[varying]
        mean[varying] = moving.mean(axis=1)
        p_low[varying], p_high[varying] = _quantiles_rows(moving, (_Q_LOW, _Q_HIGH))
        prob[varying] = np.count_nonzero(moving > 0, axis=1) / draws

    # ---- unpack into frames ---------------------------------------------------------
    s_py = slice(0, n_py)
    s_pt = slice(n_py, n_py + n_payers)
    i_cy = n_py + n_payers
    i_ct = i_cy + years
    i_uy = i_ct + 1
    i_ut = i_uy + years
    s_link = slice(i_ut + 1, i_ut + 1 + n_links)

    def stats(sl: slice | list[int]) -> dict[str, np.ndarray]:
        return {
            "net_saving_gbp": central[sl],
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
    by_payer_year = pd.DataFrame(
        {
            **{name: np.repeat(col, years) for name, col in payer_cols.items()},
            "year": np.tile(np.arange(1, years + 1), n_payers),
            "direct_saving_gbp": direct_py,
            "spillover_saving_gbp": spill_central[s_py],
            **stats(s_py),
        }
    )
    by_payer = pd.DataFrame(
        {
            **payer_cols,
            "direct_saving_gbp": direct_total,
            "spillover_saving_gbp": spill_central[s_pt],
            **stats(s_pt),
        }
    )
    overall_idx = [i_ct, i_ut]
    overall = pd.DataFrame(
        {
            "scope": ["council", "public_purse"],
            "payer_label": ["Council (all council payers)", "Public purse (all payers)"],
            "is_council": pd.array([True, pd.NA], dtype="boolean"),
            "direct_saving_gbp": [council_direct_year.sum(), purse_direct_year.sum()],
            "spillover_saving_gbp": spill_central[overall_idx],
            **stats(overall_idx),
        }
    )
    year_idx = [*range(i_cy, i_cy + years), *range(i_uy, i_uy + years)]
    overall_by_year = pd.DataFrame(
        {
            "scope": np.repeat(["council", "public_purse"], years),
            "payer_label": np.repeat(overall["payer_label"].to_numpy(), years),
            "is_council": pd.array([True] * years + [pd.NA] * years, dtype="boolean"),
            "year": np.tile(np.arange(1, years + 1), 2),
            "direct_saving_gbp": np.concatenate([council_direct_year, purse_direct_year]),
            "spillover_saving_gbp": spill_central[year_idx],
            **stats(year_idx),
        }
    )
    payer_labels = model.payer_labels[model.link_payer] if n_links else np.array([], object)
    persistence_sum = _persistence(model.lag, model.drop, years).sum(axis=1)
    by_link = pd.DataFrame(
        {
            "link_id": model.link_ids,
            "service_code": model.services,
            "outcome_code": model.outcomes,
            "outcome_label": model.outcome_labels,
            "cost_item": model.cost_items,
            "payer_code": model.payer_codes[model.link_payer],
            "payer_label": payer_labels,
            "evidence_grade": model.grades,
            "share_retained": model.retained,
            "delta_activity_units": delta_activity,
            "delta_events": -delta_activity
            * model.events_per_unit
            * (1.0 - model.rr)
            * (1.0 - model.deadweight)
            * persistence_sum,
            "spillover_saving_gbp": central[s_link],
            "spillover_saving_mean_gbp": mean[s_link],
            "spillover_saving_p2_5_gbp": p_low[s_link],
            "spillover_saving_p97_5_gbp": p_high[s_link],
        }
    )
    payer_draws = np.ascontiguousarray(values[s_pt].T)
    return SpilloverResult(
        by_payer_year=by_payer_year,
        by_payer=by_payer,
        overall=overall,
        overall_by_year=overall_by_year,
        by_link=by_link,
        payer_draws=payer_draws,
        years=years,
        draws=draws,
        seed=seed,
        discount_rate=float(discount_rate),
        discount_first_year=bool(discount_first_year),
        unit_cost_distribution=unit_cost_distribution,
        price_years=model.price_years,
    )


# --------------------------------------------------------------------------------------
# Tornado (one-way sensitivity)
# --------------------------------------------------------------------------------------


def _scope_total(model: _Model, per_payer: np.ndarray, scope: str) -> float:
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
      and ``drop_off`` halved and multiplied by 1.5 (capped at 1), per link.

    Returns a DataFrame sorted by ``swing_gbp`` (largest first) with columns ``input``
    (readable label), ``input_type``, ``key`` (link ids or cost item), ``value_low``,
    ``value_central``, ``value_high``, ``net_saving_at_low_gbp``,
    ``net_saving_at_high_gbp``, ``central_net_saving_gbp``, ``swing_gbp``
    (``|at_high - at_low|``). Rows with zero swing are dropped if ``drop_zero``.
    """
    _check_settings(years, discount_rate)
    for r in discount_rate_range:
        _check_settings(years, r)
    model = _prepare(links, unit_costs, payers, grade_adjustments)
    delta_activity, direct = _apply_changes(model, _change_rows(changes, funders),
                                            allow_unlinked)
    years = int(years)
    k = _per_unit_saving(model, delta_activity)

    def total(
        rr: np.ndarray | None = None,
        uc: np.ndarray | None = None,
        rate: float | None = None,
        lag: np.ndarray | None = None,
        drop: np.ndarray | None = None,
    ) -> float:
        r = discount_rate if rate is None else rate
        spill = _spillover_by_payer(
            model,
            k,
            model.rr if rr is None else rr,
            model.uc_mode if uc is None else uc,
            r,
            model.lag if lag is None else lag,
            model.drop if drop is None else drop,
            years,
            discount_first_year,
        )
        disc_sum = _discount_factors(years, r, discount_first_year).sum()
        return _scope_total(model, spill + direct * disc_sum, scope)

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
    central values; the discounted spill-over saving to each payer over ``years`` is
    divided by the discounted spend (so both sides are present values). Rows are the
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
    _check_settings(years, discount_rate)
    model = _prepare(links, unit_costs, payers, grade_adjustments)
    funder_map = _funders_mapping(funders)
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
    disc = _discount_factors(years, discount_rate, discount_first_year)
    spend_pv = disc.sum()
    services = list(funder_map)
    rows = np.zeros((len(services), len(model.payer_codes)))
    for j, svc in enumerate(services):
        delta_activity = np.where(model.services == svc, 1.0 / model.activity_unit_cost, 0.0)
        k = _per_unit_saving(model, delta_activity)
        rows[j] = (
            _spillover_by_payer(
                model,
                k,
                model.rr,
                model.uc_mode,
                discount_rate,
                model.lag,
                model.drop,
                years,
                discount_first_year,
            )
            / spend_pv
        )
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
