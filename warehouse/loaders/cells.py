"""Parsing cells as councils write them: amounts ('£1,234.50', '(500.00)', '500.00CR'), UK
dates ('25/06/2012', '30-Oct-13', ISO with a time), financial years ('2017-18'), and the
marks that mean 'no figure' ('..', 'c', '-'). Column-wise, each distinct text parsed once."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

_PLAIN_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,2})?$")  # 1.5E+03 too


_DECIMAL_COMMA = re.compile(r"^[-+]?(\d+|\d{1,3}(\.\d{3})+),\d{1,2}-?$")


_INVISIBLE = " \t\r\n\u00a0\u200b\ufeff"  # spaces, a zero-width space, a stray BOM
_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})  # minus, en dash


def _amount_one(text: str | None) -> float | None:
    """One amount as councils write it: '£1,234.50', '-£992.10', '(500.00)', '500.00CR',
    '1234.56-', '£ 1 234.56', Excel's protected '="600.00"', a '£' read in the wrong code page
    ('Â£600') and a decimal comma ('600,50': a UK thousands group has three digits)."""
    if text is None:
        return None
    s = text.strip(_INVISIBLE).translate(_DASHES).replace("\u00c2\u00a3", "£")
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1].strip()
    s = re.sub(r"[£\s]|GBP", "", s, flags=re.IGNORECASE)  # '£(600.00)', '1,234.56 CR'
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    up = s.upper()
    if up.endswith("CR"):
        negative, s = True, s[:-2]
    elif up.endswith("DR"):
        s = s[:-2]
    if _DECIMAL_COMMA.match(s):
        s = s.replace(".", "").replace(",", ".")
    s = s.replace(",", "")
    if s.endswith("-") and s.count("-") == 1:
        negative, s = True, s[:-1]
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
_TIME = (r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
         r"(?:Z|[+-]\d{2}:?\d{2})?)?")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME + "$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$")
_DMONY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \-]([A-Za-z]{3,9})[ \-,]*(\d{4}|\d{2})"
                    + _TIME + "$")
_MONDY = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _TIME + "$")
_WEEKDAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_YYYYMMDD = re.compile(r"^(19\d{2}|20\d{2})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{5})(\.\d+)?$")  # Excel's day number: 43556 is 1 April 2019
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.?[ \-/,]*(\d{4}|\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$|^(\d{1,2})[-/](\d{4})$")


def _year(y: str) -> int:
    return int(y) + 2000 if len(y) == 2 else int(y)


def month_first(texts: list[str | None]) -> bool:
    """Whether a column writes its dates month first (04/13/2019, US software): two or more,
    and a fifth or more, of its distinct dd/mm dates would have a month over 12, and none a
    day over 12 in the first place (a UK file's odd mistyped date does not turn it). Decided
    once for the whole column, so 04/01/2019 in such a file is the 1st of April."""
    seen = day_over = month_over = 0
    for t in texts:
        m = _DMY.match(t.strip()) if t else None
        if m:
            seen += 1
            day_over += int(m[1]) > 12
            month_over += int(m[2]) > 12
    return not day_over and month_over >= 2 and month_over * 5 >= seen


def _date_one(text: str | None, us: bool = False) -> date | None:
    """One date as councils write it: 25/06/2012, 25.06.12, 30-Oct-13, 1st April 2019,
    'Tuesday, 2 April 2019', April 2, 2019, ISO (2019-04-01T00:00:00, 2019/04/01) with an
    optional time (AM/PM, a zone), 20190401, Excel's day number (43556) and Excel's protected
    '="01/04/2019"'. A month with no day ('April 2019', 'Apr-19', '2019-04', '04/2019') is
    the first of the month (files that give only the period of a payment)."""
    if not text:
        return None
    s = _WEEKDAY.sub("", text.strip(_INVISIBLE))
    if s.startswith('="') and s.endswith('"'):
        s = s[2:-1].strip()
    try:
        if m := _DMY.match(s):
            d, mo = (m[2], m[1]) if us else (m[1], m[2])
            return date(_year(m[3]), int(mo), int(d))
        if m := _ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMONY.match(s):
            mo = _MONTHS.get(m[2][:3].lower())
            return date(_year(m[3]), mo, int(m[1])) if mo else None
        if m := _MONDY.match(s):
            mo = _MONTHS.get(m[1][:3].lower())
            return date(int(m[3]), mo, int(m[2])) if mo else None
        if m := _YYYYMMDD.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SERIAL.match(s):
            n = int(m[1])
            return date(1899, 12, 30) + timedelta(days=n) if 32874 <= n <= 73415 else None
        if m := _MONTH_YEAR.match(s):
            mo = _MONTHS.get(m[1][:3].lower())
            return date(_year(m[2]), mo, 1) if mo else None
        if m := _YEAR_MONTH.match(s):
            y, mo = (m[1], m[2]) if m[1] else (m[4], m[3])
            return date(int(y), int(mo), 1)
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
    """UK dates (dd/mm/yyyy, dd/mm/yy, dd-Mon-yyyy, ISO yyyy-mm-dd, an optional time, and the
    other spellings ``_date_one`` reads) as date32.

    Each distinct text is parsed once (a file has few distinct dates); impossible dates such
    as 31/02/2024 become null, as does anything else. A column whose dates are month first
    (``month_first``) is read so throughout.
    """
    s = values if isinstance(values, arrow.ChunkedArray) else arrow.chunked_array([values])
    if len(s) == 0:
        return arrow.array([], type=arrow.date32())
    enc = dictionary(s.cast(arrow.string()))
    texts = enc.dictionary.to_pylist()
    us = month_first(texts)
    uniq = [_date_one(t, us) for t in texts]
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

