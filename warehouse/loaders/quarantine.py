"""Quarantine and validation: each refused row with its file, line, column, raw text and the
rule it broke (pandera schemas, failure cases turned into sentences)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.reader import SourceTable
from warehouse.loaders.text import LoadError

MAX_RAW = 4000  # characters of a refused line kept: a 50 MB cell must not reach a page


def _clip(raw: str) -> str:
    """The line as published, cut to ``MAX_RAW`` characters (saying how long it was)."""
    if len(raw) <= MAX_RAW:
        return raw
    return f"{raw[:MAX_RAW]}... [cut: the line has {len(raw):,} characters]"


@dataclass
class Quarantine:
    """Collects refused rows: line, column, raw text and the rule they broke."""

    file_name: str
    rows: list[dict] = field(default_factory=list)
    source: SourceTable | None = None

    def add(self, frame: pd.DataFrame, mask: pd.Series, column: str | None, reason: str) -> None:
        lines = frame.loc[mask, "_line"].to_numpy()
        raws = (frame.loc[mask, "_raw"].tolist() if "_raw" in frame.columns
                else self._raw(lines))
        self.add_rows(lines, [column] * len(lines), [reason] * len(lines), raws)

    def add_rows(self, lines: Sequence[int], columns: Sequence[str | None],
                 reasons: Sequence[str], raws: Sequence[str] | None = None) -> None:
        raws = list(raws) if raws is not None else self._raw(lines)
        seen = self.lines()
        for line, col, reason, raw in zip(np.asarray(lines).tolist(), columns, reasons, raws,
                                          strict=True):
            if line in seen:
                continue
            seen.add(line)
            self.rows.append({"line_no": line, "column_name": col,
                              "raw_text": _clip(raw if raw is not None else ""),
                              "reason": reason})

    def _raw(self, lines: Sequence[int]) -> list[str]:
        if self.source is None:
            return [""] * len(lines)
        return self.source.raw(lines)

    def lines(self) -> set[int]:
        return {r["line_no"] for r in self.rows}


_RULE_NAMES = {
    "not_nullable": "a value is required",
    "column_in_dataframe": "the column must be present",
}


def _shown(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "missing"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    quarantine: Quarantine,
    labels: dict[str, str] | None = None,
    raw_columns: dict[str, str] | None = None,
    width: int | None = None,
    parse_rules: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Validate with a pandera schema; quarantine every failing row and return the rest.

    Each failing row is quarantined once; its reason lists every rule it broke (the column's
    header in the file, the offending text and the rule), and ``column_name`` is the first
    column at fault. ``raw_columns`` maps a parsed column to the frame column holding its text
    as published, so the reason shows '25/06/2012900' rather than a missing date, and
    ``parse_rules`` names the rule such a text broke ('a UK date such as 25/06/2012'). A frame-level
    failure (a column absent, a wrong dtype) refuses the whole file.
    """
    labels = labels or {}
    raw_columns = raw_columns or {}
    parse_rules = parse_rules or {}
    try:
        schema.validate(frame, lazy=True)
        return frame
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.copy()
    has_index = cases["index"].notna()
    frame_level = cases[~has_index]
    if len(frame_level):
        rules = sorted({f"column '{labels.get(str(c), c)}': "
                        f"{_RULE_NAMES.get(str(k), k)}" for c, k in
                        zip(frame_level["column"], frame_level["check"], strict=True)})
        raise LoadError(f"{quarantine.file_name}: " + "; ".join(rules))
    cases = cases[has_index]
    if pd.api.types.is_integer_dtype(frame.index.dtype):
        cases["index"] = cases["index"].astype("int64")
    order = {name: i for i, name in enumerate(schema.columns)}
    col_arr = cases["column"].astype(object).to_numpy()
    ctx_arr = cases["schema_context"].astype(object).to_numpy()
    cases["_order"] = [
        -1 if col == "_cells" else (len(order) if ctx == "DataFrameSchema" else
                                    order.get(col, len(order)))
        for col, ctx in zip(col_arr, ctx_arr, strict=True)]
    cases = cases.sort_values(["index", "_order"], kind="stable").reset_index(drop=True)
    pos = frame.index.get_indexer(cases["index"])
    # what to show for each failure: the text as published where the column was parsed
    shown_values = cases["failure_case"].astype(object).to_numpy().copy()
    given = np.zeros(len(cases), dtype=bool)
    columns_arr = cases["column"].astype(object).to_numpy()
    for col, raw_col in raw_columns.items():
        hit = columns_arr == col
        if hit.any():
            texts = frame[raw_col].astype(object).to_numpy()[pos[hit]]
            shown_values[hit] = texts
            given[hit] = [isinstance(t, str) and t.strip() != "" for t in texts]
    memo: dict = {}

    def describe(col, ctx, check, value, text_given) -> tuple[str, str | None]:
        key = (col, ctx, check, value if isinstance(value, (str, int, float)) else repr(value),
               text_given)
        if key in memo:
            return memo[key]
        if col == "_cells":
            out = (f"the line has {_shown(value).strip(chr(39))} cells where the header has "
                   f"{width if width is not None else 'a different number'}")
            if width is not None and not pd.isna(value) and int(value) < width:
                out += " (a separator is missing, or the file is cut short)"
            result = (out, None)
        elif ctx == "DataFrameSchema":
            result = (f"row: fails '{check}'", None)
        else:
            rule = _RULE_NAMES.get(str(check), check)
            if check == "not_nullable" and text_given and col in parse_rules:
                rule = parse_rules[col]
            label = labels.get(col, col)
            result = (f"column '{label}': {_shown(value)} fails '{rule}'", label)
        memo[key] = result
        return result

    described = [describe(c, x, k, v, g) for c, x, k, v, g in zip(
        columns_arr, ctx_arr, cases["check"].astype(object).to_numpy(), shown_values, given,
        strict=True)]
    texts = [d[0] for d in described]
    cols = [d[1] for d in described]
    idx_values = cases["index"].to_numpy()
    first = np.ones(len(cases), dtype=bool)
    first[1:] = idx_values[1:] != idx_values[:-1]
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(cases))
    q_reasons, q_cols = [], []
    for s0, e0 in zip(starts.tolist(), ends.tolist(), strict=True):
        if e0 - s0 == 1:  # the common case: one rule broken
            q_reasons.append(texts[s0])
            q_cols.append(cols[s0])
            continue
        parts: list[str] = []
        for t in texts[s0:e0]:
            if t not in parts:
                parts.append(t)
        shown = parts[:3] + ([f"and {len(parts) - 3} more"] if len(parts) > 3 else [])
        q_reasons.append("; ".join(shown))
        q_cols.append(next((c for c in cols[s0:e0] if c is not None), None))
    row_pos = pos[starts]
    q_lines = frame["_line"].to_numpy()[row_pos]
    q_raws = frame["_raw"].astype(object).to_numpy()[row_pos] if "_raw" in frame.columns else None
    quarantine.add_rows(q_lines, q_cols, q_reasons, q_raws)
    return frame.drop(index=frame.index[row_pos])

