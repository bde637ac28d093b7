"""The model's inputs validated into arrays; shared draws and lengths of stay.

Shared draws (links that follow from the same events)
-----------------------------------------------------
An ``outcome_code`` written ``EVENT:consequence`` (``falls:admission``, ``falls:ae``,
``falls:home_care``, ``falls:care_home_admission``) declares that the consequence follows from
the underlying ``EVENT``. Links of one service with the same event are *tied*: they share one
standard-normal draw of their effect ratio (perfectly correlated, each around its own central
value and interval), because if the service prevents fewer falls than the evidence says, it
prevents fewer of every consequence of a fall. A code without ``:`` is its own event (links
of one service with the same code are tied too). Links of different services are independent.
A ``draw_group`` column in ``links``, where given, names the event instead.

Lengths of stay (costs that recur while a person stays)
-------------------------------------------------------
An extra move into a care home is not one year of care: the person stays, and each year's
moves add to the residents already there. A link whose outcome (the part after ``:``) is
listed in the stays table costs its unit cost every year the person stays, with a geometric
survival whose mean is the table's ``stay_years`` (the year of the move counts in full).
The default table is ``indicators/data/lengths_of_stay.csv`` (published sources in it);
``links`` may instead carry ``stay_years``, ``stay_years_low`` and ``stay_years_high``
columns, which win. The Monte Carlo holds the stay at its central value (as it holds lags and
drop-off); :func:`indicators.spillover.tornado` swings it to its low and high values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from indicators.spillover.grades import GradeAdjustment
from indicators.spillover.validate import (
    LINK_COLUMNS,
    PAYER_COLUMNS,
    UNIT_COST_COLUMNS,
    booleans,
    clean_text,
    factorize,
    fail_if,
    normalise_grade,
    numbers,
    require_frame,
    row_keys,
    text,
)

Z975 = 1.959963984540054  # standard normal 97.5th percentile
STAY_COLUMNS = ("outcome_code", "stay_years", "stay_years_low", "stay_years_high", "source")


def event_of(outcome_code: str) -> str:
    """The underlying event of an outcome code: ``falls:admission`` -> ``falls``."""
    return outcome_code.split(":", 1)[0].strip()


def consequence_of(outcome_code: str) -> str:
    """The consequence part of an outcome code: ``falls:admission`` -> ``admission``."""
    return outcome_code.split(":", 1)[-1].strip()


@cache
def _packaged_stays() -> pd.DataFrame:
    path = resources.files("indicators").joinpath("data", "lengths_of_stay.csv")
    with path.open(encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#", dtype={"outcome_code": str, "source": str})


def lengths_of_stay() -> pd.DataFrame:
    """The packaged table of lengths of stay: ``outcome_code, stay_years, stay_years_low,
    stay_years_high, source`` (a copy)."""
    return _packaged_stays().copy()


def link_stays(
    links: pd.DataFrame, ids: np.ndarray, outcomes: np.ndarray, stays: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(stay, low, high, source) per link: link columns, else the stays table, else 1 year."""
    n = len(ids)
    stay, low, high = np.ones(n), np.ones(n), np.ones(n)
    source = np.full(n, "", dtype=object)
    table = _packaged_stays() if stays is None else require_frame(stays, STAY_COLUMNS, "stays")
    what = "length of stay for outcome"
    keys = np.array([clean_text(v) for v in table["outcome_code"].tolist()], dtype=object)
    values = [numbers(table, c, what, keys) for c in STAY_COLUMNS[1:4]]
    by_code = {k: (values[0][i], values[1][i], values[2][i], clean_text(table["source"].iloc[i]))
               for i, k in enumerate(keys)}
    for i, code in enumerate(outcomes):
        found = by_code.get(consequence_of(code))
        if found:
            stay[i], low[i], high[i], source[i] = found
    if "stay_years" in links.columns:
        given = links["stay_years"].notna().to_numpy()
        if given.any():
            rows = links.loc[given]
            cols = [numbers(rows, c, "link", ids[given])
                    for c in ("stay_years", "stay_years_low", "stay_years_high")]
            stay[given], low[given], high[given] = cols
            source[given] = "link data"
    fail_if(stay < 1, "link", ids, "stay_years", "must be at least 1 year", stay)
    fail_if((low > stay) | (high < stay), "link", ids, "stay_years",
            "is outside [stay_years_low, stay_years_high]", stay)
    fail_if(low < 1, "link", ids, "stay_years_low", "must be at least 1 year", low)
    return stay, low, high, source

@dataclass(frozen=True, eq=False)
class Model:
    link_ids: np.ndarray  # (L,) object
    services: np.ndarray  # (L,)
    outcomes: np.ndarray  # (L,)
    outcome_labels: np.ndarray  # (L,)
    cost_items: np.ndarray  # (L,)
    grades: np.ndarray  # (L,)
    activity_unit_cost: np.ndarray  # (L,)
    events_per_unit: np.ndarray  # (L,)
    retained: np.ndarray  # (L,) factor on a knock-on saving: (1 - deadweight)(1 - optimism bias)
    uplift: np.ndarray  # (L,) factor on a knock-on extra cost: (1 + deadweight)(1 + optimism bias)
    optimism_bias: np.ndarray  # (L,)
    deadweight: np.ndarray  # (L,)
    rr: np.ndarray  # (L,)
    rr_low: np.ndarray  # (L,)
    rr_high: np.ndarray  # (L,)
    log_sd: np.ndarray  # (L,)
    group: np.ndarray  # (L,) index into draw groups (service, underlying event)
    n_groups: int
    tied: np.ndarray  # (L,) object: the event a link shares its draw on, or "" if alone
    stay: np.ndarray  # (L,) mean years each event's cost recurs (1 = once)
    stay_low: np.ndarray  # (L,)
    stay_high: np.ndarray  # (L,)
    stay_source: np.ndarray  # (L,) object
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


def prepare(
    links: pd.DataFrame,
    unit_costs: pd.DataFrame,
    payers: pd.DataFrame,
    grade_adjustments: Mapping[str, GradeAdjustment],
    stays: pd.DataFrame | None = None,
) -> Model:
    """Validate the three frames into arrays (raises ValueError naming record and field)."""
    # Draws are taken in key order, so the same inputs in any row order give the same draws.
    links = _sorted(links, "link_id")
    unit_costs = _sorted(unit_costs, "cost_item")
    # ---- payers -----------------------------------------------------------------
    payers = require_frame(payers, PAYER_COLUMNS, "payers")
    payer_codes = row_keys(payers, "payer_code", "payer")
    payer_labels = text(payers, "payer_label", "payer", payer_codes)
    is_council = booleans(payers, "is_council", "payer", payer_codes)
    if "organisation_code" in payers.columns:
        organisation_codes = np.array(
            [clean_text(v) or None for v in payers["organisation_code"].tolist()], dtype=object
        )
    else:
        organisation_codes = np.full(len(payers), None, dtype=object)
    payer_index = {code: i for i, code in enumerate(payer_codes)}

    # ---- unit costs -------------------------------------------------------------
    unit_costs = require_frame(unit_costs, UNIT_COST_COLUMNS, "unit_costs")
    what_uc = "unit cost item"
    uc_keys = row_keys(unit_costs, "cost_item", what_uc)
    uc_payer = text(unit_costs, "payer_code", what_uc, uc_keys)
    uc_mid = numbers(unit_costs, "unit_cost_gbp", what_uc, uc_keys)
    uc_lo = numbers(unit_costs, "unit_cost_low_gbp", what_uc, uc_keys)
    uc_hi = numbers(unit_costs, "unit_cost_high_gbp", what_uc, uc_keys)
    for col, vals in (
        ("unit_cost_low_gbp", uc_lo),
        ("unit_cost_gbp", uc_mid),
        ("unit_cost_high_gbp", uc_hi),
    ):
        fail_if(vals < 0, what_uc, uc_keys, col, "is negative", vals)
    fail_if(uc_lo > uc_mid, what_uc, uc_keys, "unit_cost_low_gbp", "is above unit_cost_gbp", uc_lo)
    fail_if(
        uc_hi < uc_mid, what_uc, uc_keys, "unit_cost_high_gbp", "is below unit_cost_gbp", uc_hi
    )
    unknown_uc_payer = np.array([p not in payer_index for p in uc_payer], dtype=bool)
    fail_if(unknown_uc_payer, what_uc, uc_keys, "payer_code", "is not in payers", uc_payer)
    uc_index = {code: i for i, code in enumerate(uc_keys)}

    # ---- links ------------------------------------------------------------------
    links = require_frame(links, LINK_COLUMNS, "links")
    what = "link"
    ids = row_keys(links, "link_id", what)
    services = text(links, "service_code", what, ids)
    outcomes = text(links, "outcome_code", what, ids)
    cost_items = text(links, "cost_item", what, ids)
    link_payers = text(links, "payer_code", what, ids)
    grades_raw = text(links, "evidence_grade", what, ids)
    if "outcome_label" in links.columns:
        outcome_labels = np.array(
            [
                clean_text(v) or code
                for v, code in zip(links["outcome_label"].tolist(), outcomes, strict=True)
            ],
            dtype=object,
        )
    else:
        outcome_labels = outcomes.copy()

    auc = numbers(links, "activity_unit_cost_gbp", what, ids)
    fail_if(auc <= 0, what, ids, "activity_unit_cost_gbp", "must be greater than zero", auc)
    epu = numbers(links, "events_per_unit", what, ids)
    fail_if(epu < 0, what, ids, "events_per_unit", "is negative", epu)
    rr = numbers(links, "effect_ratio", what, ids)
    rr_lo = numbers(links, "effect_ratio_low", what, ids)
    rr_hi = numbers(links, "effect_ratio_high", what, ids)
    fail_if(rr_lo <= 0, what, ids, "effect_ratio_low", "must be greater than zero", rr_lo)
    fail_if(rr <= 0, what, ids, "effect_ratio", "must be greater than zero", rr)
    fail_if(
        rr_lo > rr_hi, what, ids, "effect_ratio_low", "is greater than effect_ratio_high", rr_lo
    )
    fail_if(
        (rr < rr_lo) | (rr > rr_hi),
        what,
        ids,
        "effect_ratio",
        "is outside [effect_ratio_low, effect_ratio_high]",
        rr,
    )
    lag = numbers(links, "lag_years", what, ids)
    fail_if(
        (lag < 0) | (lag != np.round(lag)),
        what,
        ids,
        "lag_years",
        "must be a whole number of years >= 0",
        lag,
    )
    drop = numbers(links, "drop_off", what, ids)
    fail_if((drop < 0) | (drop > 1), what, ids, "drop_off", "must be between 0 and 1", drop)

    grades = np.array([normalise_grade(g) for g in grades_raw], dtype=object)
    unknown_grade = np.array([g not in grade_adjustments for g in grades], dtype=bool)
    fail_if(
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
    fail_if(unknown_item, what, ids, "cost_item", "is not in unit_costs", cost_items)
    unknown_payer = np.array([p not in payer_index for p in link_payers], dtype=bool)
    fail_if(unknown_payer, what, ids, "payer_code", "is not in payers", link_payers)
    uc_rows = np.array([uc_index[c] for c in cost_items], dtype=np.intp)
    mismatch = uc_payer[uc_rows] != link_payers if len(ids) else np.zeros(0, dtype=bool)
    fail_if(
        mismatch,
        what,
        ids,
        "payer_code",
        "differs from the payer_code of its cost_item in unit_costs",
        link_payers,
    )

    item, items = factorize(cost_items)
    first_row_of_item = np.array([uc_index[c] for c in items], dtype=np.intp)
    events = np.array([event_of(o) for o in outcomes], dtype=object)
    if "draw_group" in links.columns:  # a declared group wins over the outcome code's event
        declared = np.array([clean_text(v) for v in links["draw_group"].tolist()], dtype=object)
        events = np.where(declared != "", declared, events)
    group, group_uniques = factorize(zip(services, events, strict=True))
    members = np.bincount(group, minlength=len(group_uniques))
    tied = np.where(members[group] > 1, events, "").astype(object)
    stay, stay_lo, stay_hi, stay_src = link_stays(links, ids, outcomes, stays)

    price_years: tuple[str, ...] = ()
    if "price_year" in unit_costs.columns and len(first_row_of_item):
        used = np.array(unit_costs["price_year"].tolist(), dtype=object)[first_row_of_item]
        price_years = tuple(sorted({clean_text(v) for v in used} - {""}))

    return Model(
        link_ids=ids,
        services=services,
        outcomes=outcomes,
        outcome_labels=outcome_labels,
        cost_items=cost_items,
        grades=grades,
        activity_unit_cost=auc,
        events_per_unit=epu,
        retained=(1.0 - ob) * (1.0 - dw),
        uplift=(1.0 + ob) * (1.0 + dw),
        optimism_bias=ob,
        deadweight=dw,
        rr=rr,
        rr_low=rr_lo,
        rr_high=rr_hi,
        log_sd=(np.log(rr_hi) - np.log(rr_lo)) / (2.0 * Z975),
        group=group,
        n_groups=len(group_uniques),
        tied=tied,
        stay=stay,
        stay_low=stay_lo,
        stay_high=stay_hi,
        stay_source=stay_src,
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


