"""Text the app writes for spreadsheets: CSV cells that a spreadsheet shows as text, never runs.

Spend files are written by third parties, and a supplier name such as
``=HYPERLINK("http://…?x="&A1,"Click")`` or ``+SUM(1+1)*cmd|' /C calc'!A0`` would run as a
formula when the public opens a download in Excel or LibreOffice (CSV or formula injection).
OWASP's guidance (https://owasp.org/www-community/attacks/CSV_Injection): a cell that begins
with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is prefixed with a
single quote, which spreadsheets read as "this cell is text" and do not show.

- The check is on the way *out* only: the warehouse (and the public file ``publish`` writes)
  keeps the text exactly as published, and the JSON API returns it unchanged.
- Nothing is stripped: removing a leading tab or carriage return would turn ``\\t=1+1`` into a
  live ``=1+1``. The quote goes in front of the whole cell, so the original text follows it.
- A cell is also guarded when it begins with spaces or other whitespace and then one of those
  characters, and the full-width forms (``＝ ＋ － ＠``) count as well: some spreadsheets trim
  or fold them on import.
- Numbers stay numbers: numeric columns are written as they are, and a text cell that is a
  plain number (``-12.5``) is left as it is, since a spreadsheet reads it as that number either
  way.

Every CSV the app serves goes through :func:`to_csv` (``dashboard/downloads.py``, the API's
``.csv`` datasets). A new download, or a spreadsheet export a page adds later, calls it (or
:func:`safe_cell` for each text cell) the same way.
"""

from __future__ import annotations

import re

import pandas as pd
from pandas.api import types

TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
CSV_MIME = "text/csv; charset=utf-8"


def safe_cell(value):
    """``value`` as a spreadsheet must show it: text that could start a formula gets a leading
    ``'`` (OWASP CSV injection guidance); anything else, and plain numbers, unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return value
    if value[0] in TRIGGERS or value.lstrip()[:1] in TRIGGERS:
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns (and column names) pass through
    :func:`safe_cell`; numeric, boolean and date columns are kept as they are."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if (types.is_numeric_dtype(series) or types.is_bool_dtype(series)
                or types.is_datetime64_any_dtype(series)):
            continue
        out[column] = series.map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) with every cell safe to open in a spreadsheet.

    Rows end in CRLF as RFC 4180 says, so a cell holding a carriage return or a line feed is
    quoted (with a bare ``\n`` ending, Python's writer leaves a lone ``\r`` unquoted and a
    spreadsheet splits the row there)."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
