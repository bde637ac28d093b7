"""Parsing cells as councils write them: amounts ('£1,234.50', '(500.00)', '500.00CR'), UK
dates ('25/06/2012', '30-Oct-13', ISO with a time), financial years ('2017-18'), and the
marks that mean 'no figure' ('..', 'c', '-'). Column-wise, each distinct text parsed once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")


def _amount_one(text: str | None) -> float | None:
    if text is None:
        return None
    s = text.strip().replace("\u2212", "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    up = s.upper()
    if up.endswith("CR"):
        negative, s = True, s[:-2]
    elif up.endswith("DR"):
        s = s[:-2]
    s = re.sub(r"[£,\s]|GBP", "", s, flags=re.IGNORECASE)
    if s.endswith("-") and s.count("-") == 1:
        negative, s = True, s[:-1]
    if s.startswith("£"):
        s = s[1:]
    if not _PLAIN_NUMBER.match(s):
        return None
    value = float(s)
    return -abs(value) if negative else value


_PLAIN_BYTES = np.zeros(256, dtype=bool)
_PLAIN_BYTES[list(b"0123456789.+-")] = True


def _only_bytes(values: arrow.ChunkedArray, allowed: np.ndarray) -> bool:
    """Whether every byte of every string of the column is one the ``allowed`` table marks."""
    for chunk in values.chunks:
        if not len(chunk):
            continue
        bufs = chunk.buffers()
        if bufs[1] is None or bufs[2] is None:
            return False
        offsets = np.frombuffer(bufs[1], dtype=np.int32, count=chunk.offset + len(chunk) + 1)
        lo, hi = int(offsets[chunk.offset]), int(offsets[-1])
        if not allowed[np.frombuffer(bufs[2], dtype=np.uint8)[lo:hi]].all():
            return False
    return True


def parse_amount_arrow(values: arrow.Array | arrow.ChunkedArray) -> np.ndarray:
    """Parse '£1,234.50', '(500.00)', '500.00CR' and '-500' into float64; others become NaN."""
    s = values if isinstance(values, arrow.ChunkedArray) else arrow.chunked_array([values])
    s = s.cast(arrow.string())
    if len(s) and s.null_count == 0 and _only_bytes(s, _PLAIN_BYTES):
        # every cell is made of digits, '.', '+' and '-' only: such a cell is a plain number
        # exactly when it parses as one (an exponent or 'inf' needs a letter), so one cast
        # of the column does, unless a cell is not a number ('1-2'), then the general way
        try:
            out = pc.cast(s, arrow.float64()).to_numpy()
        except arrow.ArrowInvalid:
            pass
        else:
            return np.where(np.isfinite(out), out, np.nan)  # 400 digits is not an amount
    out = np.full(len(s), np.nan)
    plain = pc.fill_null(pc.match_substring_regex(s, _PLAIN_NUMBER.pattern), False)
    plain_np = plain.to_numpy(zero_copy_only=False)
    if plain_np.any():
        nums = pc.cast(pc.if_else(plain, s, None), arrow.float64())
        out[plain_np] = nums.to_numpy(zero_copy_only=False)[plain_np]
    rest = np.flatnonzero(~plain_np)
    if len(rest):
        texts = s.take(arrow.array(rest)).to_pylist()
        parsed = [_amount_one(t) for t in texts]
        out[rest] = [np.nan if v is None else v for v in parsed]
    out[~np.isfinite(out)] = np.nan
    return out


def parse_amount(values: pd.Series) -> pd.Series:
    """Parse '£1,234.50', '(500.00)' and '-500' into floats; anything else becomes NaN."""
    arr = arrow.array([None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v)
                       for v in values], type=arrow.string())
    return pd.Series(parse_amount_arrow(arr), index=values.index, dtype="float64")


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?"
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + "$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_DMONY = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})[ \-,]*(\d{4}|\d{2})" + _TIME + "$")


def _date_one(text: str | None) -> date | None:
    if not text:
        return None
    s = text.strip()
    try:
        if m := _DMY.match(s):
            d, mo, y = int(m[1]), int(m[2]), m[3]
            return date(int(y) + 2000 if len(y) == 2 else int(y), mo, d)
        if m := _ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMONY.match(s):
            mo = _MONTHS.get(m[2][:3].lower())
            y = m[3]
            return date(int(y) + 2000 if len(y) == 2 else int(y), mo, int(m[1])) if mo else None
    except ValueError:  # 31/02/2024
        return None
    return None


def dictionary(values: arrow.Array | arrow.ChunkedArray) -> arrow.DictionaryArray:
    """Dictionary-encode one column (its distinct values and each row's index into them)."""
    if isinstance(values, arrow.ChunkedArray) and values.num_chunks > 1:
        # encoded chunk by chunk, the chunks share the dictionary of the whole column: then
        # only the indices are joined, not the strings copied
        chunks = pc.dictionary_encode(values).chunks
        shared = chunks[0].dictionary
        if all(c.dictionary.equals(shared) for c in chunks[1:]):
            indices = arrow.chunked_array([c.indices for c in chunks]).combine_chunks()
            return arrow.DictionaryArray.from_arrays(indices, shared)
    if isinstance(values, arrow.ChunkedArray):
        values = values.combine_chunks()
    return pc.dictionary_encode(values)


def parse_date_arrow(values: arrow.Array | arrow.ChunkedArray) -> arrow.Array:
    """UK dates (dd/mm/yyyy, dd/mm/yy, dd-Mon-yyyy, ISO yyyy-mm-dd, an optional time) as date32.

    Each distinct text is parsed once (a file has few distinct dates); impossible dates such
    as 31/02/2024 become null, as does anything else.
    """
    s = values if isinstance(values, arrow.ChunkedArray) else arrow.chunked_array([values])
    if len(s) == 0:
        return arrow.array([], type=arrow.date32())
    enc = dictionary(s.cast(arrow.string()))
    uniq = [_date_one(t) for t in enc.dictionary.to_pylist()]
    parsed = arrow.array(uniq, type=arrow.date32())
    return parsed.take(enc.indices)


def parse_uk_date(values: pd.Series) -> pd.Series:
    """Parse UK dates (see ``parse_date_arrow``) into datetime64; others become NaT."""
    arr = arrow.array([v if isinstance(v, str) else None for v in values], type=arrow.string())
    parsed = parse_date_arrow(arr)
    out = pd.to_datetime(pd.Series(parsed.to_pandas(), index=values.index), errors="coerce")
    return out.astype("datetime64[ns]")


def financial_year(dates: pd.Series) -> pd.Series:
    """UK financial year ('2023/24') of each date; April starts the year."""
    d = pd.to_datetime(dates)
    start = d.dt.year - (d.dt.month < 4).astype("int64")
    return (start.astype("string") + "/" + ((start + 1) % 100).astype("string").str.zfill(2)).where(
        d.notna()
    )


def fy_of(day: date) -> str:
    start = day.year - (1 if day.month < 4 else 0)
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_arrow(dates: arrow.Array | arrow.ChunkedArray) -> arrow.Array:
    """UK financial year ('2023/24') of each date32; null stays null."""
    if not len(dates):
        return arrow.array([], type=arrow.string())
    enc = dictionary(dates)
    labels = arrow.array([None if d is None else fy_of(d) for d in enc.dictionary.to_pylist()],
                         type=arrow.string())
    return labels.take(enc.indices)


FY_PATTERN = r"^\d{4}/\d{2}$"


def fy_check() -> pa.Check:
    return pa.Check.str_matches(FY_PATTERN, error="a financial year written like 2023/24")


def only_row_for(keys: list[str], what: str) -> pa.Check:
    """A frame-level rule: no two rows share ``keys`` (the later duplicates fail)."""
    return pa.Check(lambda d: ~d.duplicated(keys, keep="first"),
                    error=f"the only row for its {what} (an earlier line has the same)")


def key_schema(keys: list[str], what: str) -> pa.DataFrameSchema:
    """The second pass of a keyed loader, over the rows that passed the row rules: the first
    good row of each key loads, a later one is quarantined as a duplicate."""
    return pa.DataFrameSchema(checks=[only_row_for(keys, what)], strict=False)


NOT_AVAILABLE = {"", "*", "c", "[c]", "x", "[x]", "..", "...", "\u2026", ":", "-", "n/a", "na",
                 "[z]", "z", "[u]", "u", "[low]", "~", "none", "null", "nan"}


def map_unique(values: pd.Series, func: Callable) -> pd.Series:
    """``values.map(func)``, computing ``func`` once per distinct value (files repeat a lot).

    A missing value (None or NaN) is passed to ``func`` as None.
    """
    obj = values.astype(object)
    missing = obj.isna().to_numpy()
    table = {u: func(u) for u in pd.unique(obj[~missing])}
    out = obj.map(table).astype(object)
    if missing.any():
        filler = func(None)
        out[missing] = pd.Series([filler] * int(missing.sum()), dtype=object).to_numpy()
    return out


def not_available(values: pd.Series) -> pd.Series:
    """Cells that say 'no figure' (blank, '..', '*', 'c' for suppressed, '-'...)."""
    s = values.astype(object).where(values.notna(), "")
    return map_unique(s, lambda v: str(v).strip().lower() in NOT_AVAILABLE).astype(bool)


def to_fy(values: pd.Series) -> pd.Series:
    """'2017-18', '2017/18', '2017/2018', '201718' and '2017' (the year it starts) -> '2017/18'."""
    return map_unique(values, fy_label)


_FY = re.compile(r"^(\d{4})\s*[-/_ ]?\s*(\d{2}|\d{4})?$")


def fy_label(text) -> str | None:
    """One financial-year spelling ('2017-18', '2017/2018', '2017') as '2017/18'; else None."""
    if text is None:
        return None
    m = _FY.match(str(text).strip())
    if not m:
        return None
    start = int(m[1])
    if m[2] is not None and int(m[2]) % 100 != (start + 1) % 100:
        return None
    return f"{start}/{(start + 1) % 100:02d}"

