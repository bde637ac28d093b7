"""Validation helpers for the model's input frames: each error names the record and field."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

LINK_COLUMNS = (
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
UNIT_COST_COLUMNS = (
    "cost_item",
    "payer_code",
    "unit_cost_gbp",
    "unit_cost_low_gbp",
    "unit_cost_high_gbp",
)
PAYER_COLUMNS = ("payer_code", "payer_label", "is_council")


def require_frame(df: Any, columns: tuple[str, ...], name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name} is missing required column(s): {', '.join(missing)}")
    return df


def fail_if(
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


def clean_text(value: Any) -> str:
    """str(value).strip(), with None / NaN / pd.NA as the empty string."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def text(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
    out = np.array([clean_text(v) for v in df[col].tolist()], dtype=object)
    fail_if(out == "", what, keys, col, "is empty")
    return out


def numbers(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
    raw = df[col]
    try:
        vals = raw.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    fail_if(~np.isfinite(vals), what, keys, col, "is missing or not a finite number", raw)
    return vals


def row_keys(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    keys = np.array([clean_text(v) for v in df[col].tolist()], dtype=object)
    bad = keys == ""
    if bad.any():
        raise ValueError(f"{what} at row {int(np.flatnonzero(bad)[0])}: field '{col}' is empty")
    seen: set[str] = set()
    dup = np.zeros(len(keys), dtype=bool)
    for i, key in enumerate(keys):
        dup[i] = key in seen
        seen.add(key)
    fail_if(dup, what, keys, col, "is duplicated (must be unique)")
    return keys


def factorize(values: Iterable[Any]) -> tuple[np.ndarray, list[Any]]:
    """(codes, uniques) in first-seen order."""
    index: dict[Any, int] = {}
    codes = np.array([index.setdefault(v, len(index)) for v in values], dtype=np.intp)
    return codes, list(index)


def booleans(df: pd.DataFrame, col: str, what: str, keys: np.ndarray) -> np.ndarray:
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
    fail_if(bad, what, keys, col, "must be true or false", values)
    return out


def normalise_grade(grade: str) -> str:
    return " ".join(grade.lower().replace("_", " ").replace("-", " ").split())

