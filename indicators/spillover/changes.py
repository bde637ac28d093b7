"""Spend changes: validated, summed per service and payer, and turned into activity."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from indicators.spillover.inputs import Model
from indicators.spillover.validate import clean_text, require_frame, row_keys, text


def funders_mapping(funders: Mapping[str, str] | pd.DataFrame | None) -> dict[str, str]:
    if funders is None:
        return {}
    if isinstance(funders, pd.DataFrame):
        frame = require_frame(funders, ("service_code", "payer_code"), "funders")
        keys = row_keys(frame, "service_code", "funder of service")
        payers = text(frame, "payer_code", "funder of service", keys)
        return dict(zip(keys, payers, strict=True))
    return {str(k).strip(): str(v).strip() for k, v in funders.items()}


def change_rows(
    changes: pd.DataFrame | Mapping[str, float] | None,
    funders: Mapping[str, str] | pd.DataFrame | None,
) -> list[tuple[str, str, float]]:
    """Validated (service_code, payer_code, spend_change_gbp), summed per service and payer."""
    if changes is None:
        return []
    funder_map = funders_mapping(funders)
    if isinstance(changes, pd.DataFrame):
        frame = require_frame(changes, ("service_code", "spend_change_gbp"), "changes")
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
        svc_code = clean_text(svc)
        if svc_code == "":
            raise ValueError("changes: a row has an empty 'service_code'")
        payer_code = clean_text(payer) or funder_map.get(svc_code, "")
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
    rows = change_rows(changes, funders)
    return pd.DataFrame(
        {
            "service_code": pd.Series([r[0] for r in rows], dtype=object),
            "payer_code": pd.Series([r[1] for r in rows], dtype=object),
            "spend_change_gbp": pd.Series([r[2] for r in rows], dtype=float),
        }
    )


class Applied(NamedTuple):
    """What a set of changes does to the model's links."""

    delta_activity: np.ndarray  # (L,) activity units a year (per cohort)
    direct: np.ndarray  # (P,) direct annual saving per payer (- spend change)
    unmodelled: tuple[str, ...]  # changed services with no spill-over link
    unmodelled_payers: np.ndarray  # (P,) bool: funds an unmodelled changed service


def apply_changes(
    model: Model, rows: list[tuple[str, str, float]], allow_unlinked: bool = False
) -> Applied:
    """Turn validated change rows into activity per link and direct savings per payer.

    A service with no spill-over link is an error, unless ``allow_unlinked``: then its
    change counts with its direct effect, and its knock-on effects are *unknown* (listed in
    ``unmodelled``; no evidence is not evidence of no effect)."""
    n_payers = len(model.payer_codes)
    known_services = set(model.services.tolist())
    payer_index = {code: i for i, code in enumerate(model.payer_codes)}
    direct = np.zeros(n_payers)
    unmodelled_payers = np.zeros(n_payers, dtype=bool)
    unmodelled: list[str] = []
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
        if svc not in known_services and amount != 0:
            unmodelled_payers[payer_index[payer]] = True
            if svc not in unmodelled:
                unmodelled.append(svc)
    spend = np.array([spend_by_service.get(s, 0.0) for s in model.services], dtype=float)
    return Applied(spend / model.activity_unit_cost, direct, tuple(sorted(unmodelled)),
                   unmodelled_payers)
