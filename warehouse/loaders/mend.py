"""Payment lines with more cells than the header because a comma was published unquoted.

Some councils' exports quote nothing, so a comma inside a name ('Smith, J') or an amount
('1,234.56') splits its cell in two, and the line has one cell too many. ``mend_split_cells``
puts such a line back together when the way to do so is clear: of all the ways of joining
one run of neighbouring cells into one (joined with the comma they lost), exactly one gives
the line a date and an amount that parse. The pounds are never guessed: a reading that
joins a bare number into a text cell is not taken ('Unit 1, 2' then '300.00' is 'Unit 1' and
£2,300.00); an amount is joined only when written in full, with thousands separators and
pence ('1,234.56'; '600,120' may be £600 and a column the header does not name); readings
that still disagree on the amount leave the line as it is, to be quarantined for its cell
count; so does anything less clear (two commas in two cells of one line). Of two readings
with the same amount (a comma in one of two text cells), the one joining the cell the file's
clear lines join is taken.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from warehouse.loaders.cells import _amount_one, _date_one

# an amount written in full: thousands separators and pence ('2,300.00', '-£1,234.56')
_THOUSANDS = re.compile(r"^[-(£\s]*\d{1,3}(,\d{3})+\.\d{1,2}\)?\s*$")
_NUMBERISH = r"^\s*[-+(]?\s*£?\s*\d"  # a cell that starts like an amount
_BARE = re.compile(r"^[-+(£\s]*\d[\d.]*\)?\s*$")
MAX_EXTRA = 3  # cells too many that are mended; more is not a stray comma


def _readings(row: list[str], width: int, date_at: int,
              amount_at: int) -> list[tuple[int, list[str]]]:
    """Each way of joining one run of neighbouring cells of ``row`` (more cells than
    ``width``) that gives a date and an amount that parse: (the cell joined, the row)."""
    extra = len(row) - width
    options = []
    for p in range(width):
        merged = row[:p] + [",".join(row[p:p + extra + 1])] + row[p + extra + 1:]
        if _date_one(merged[date_at]) is not None and _amount_one(merged[amount_at]) is not None:
            options.append((p, merged))
    return options


def _choose(options: list[tuple[int, list[str]]], amount_at: int,
            usual: int | None) -> list[str] | None:
    """One reading, or None. A reading that joins a bare number into a text cell ('A Ltd,1',
    '234.56,Acme Ltd', 'Unit 1, 2') is not one. Readings that still disagree on the amount
    give none, unless only one joins the amount into a number written in full ('2,300.00');
    of several with the same amount, the one joining the cell the file's clear lines join
    (``usual``)."""
    options = [o for o in options if o[0] == amount_at
               or not any(_BARE.match(piece) for piece in o[1][o[0]].split(","))]
    if len({_amount_one(o[1][amount_at]) for o in options}) > 1:
        options = [o for o in options
                   if o[0] == amount_at and _THOUSANDS.match(o[1][amount_at])]
    elif options and options[0][0] == amount_at and not _THOUSANDS.match(options[0][1][amount_at]):
        return None  # '600,120': pounds and a column the header does not name, or £600,120
    if len(options) > 1 and usual is not None:
        options = [o for o in options if o[0] == usual]
    return options[0][1] if len(options) == 1 else None


def mend_split_cells(t: arrow.Table, header: list[str], labels: dict[str, str],
                     raw: Callable[[Sequence[int]], list[str]]) -> tuple[arrow.Table, list[int]]:
    """The table with each clearly mendable wide line put back together, and their lines.

    ``raw`` gives the published text of lines (``SourceTable.raw``); only the wide lines are
    read again, so a clean file costs one comparison of the cell counts.
    """
    width = len(header)
    named = max((i + 1 for i, cell in enumerate(header) if cell.strip()), default=width)
    cells_n = t.column("_cells").to_numpy()
    is_wide = (cells_n > width) & (cells_n <= width + MAX_EXTRA)
    at = {c: header.index(label) for c, label in labels.items() if label in header}
    if "payment_date" not in at or "amount_gbp" not in at:
        return t, []
    if named < width:
        # columns the header does not name at its end ('Amount,'): a line with a stray comma
        # may still count the header's cells, its last ones empty; look again at those whose
        # amount is no number
        same = np.flatnonzero((cells_n > named) & ~is_wide)
        if len(same):
            amounts = t.column("amount_gbp").take(arrow.array(same))
            numeric = pc.fill_null(pc.match_substring_regex(amounts, _NUMBERISH), False)
            is_wide[same[~np.asarray(numeric, dtype=bool)]] = True
    wide = np.flatnonzero(is_wide)
    if not len(wide):
        return t, []
    target = min(width, named)  # empty cells past the named ones are left off first
    lines = t.column("_line").to_numpy()[wide]
    readings = {}
    for k, text in zip(wide, raw(lines), strict=True):
        row = next(csv.reader(io.StringIO(text, newline="")), [])
        while len(row) > target and not row[-1].strip():
            row.pop()
        if target < len(row) <= target + MAX_EXTRA:
            readings[int(k)] = _readings(row, target, at["payment_date"], at["amount_gbp"])
    clear = Counter(o[0][0] for o in readings.values() if len(o) == 1)
    usual = clear.most_common(1)[0][0] if clear else None
    mended = {k: m for k, o in readings.items()
              if (m := _choose(o, at["amount_gbp"], usual)) is not None}
    if not mended:
        return t, []
    rows = np.array(sorted(mended))
    mask = np.zeros(t.num_rows, dtype=bool)
    mask[rows] = True
    flags = arrow.array(mask)
    for name, pos in at.items():
        values = t.column(name).combine_chunks()
        new = arrow.array([mended[int(k)][pos] for k in rows], type=values.type)
        t = t.set_column(t.column_names.index(name), name,
                         pc.replace_with_mask(values, flags, new))
    counts = pc.replace_with_mask(t.column("_cells").combine_chunks(), flags,
                                  arrow.array(np.full(len(rows), width), arrow.int64()))
    t = t.set_column(t.column_names.index("_cells"), "_cells", counts)
    return t, [int(n) for n in t.column("_line").to_numpy()[rows]]


def mended_note(lines: list[int]) -> list[str]:
    """What ``mend_split_cells`` did, for the load's output and log."""
    if not lines:
        return []
    shown = ", ".join(str(n) for n in lines[:5]) + (" ..." if len(lines) > 5 else "")
    return [f"{len(lines)} line(s) with a comma in an unquoted cell (a name or an amount) read "
            f"as one cell: line(s) {shown}"]


MENDED_MARK = "unquoted comma mended"


def mark_mended(t: arrow.Table, marks: arrow.Array, lines: list[int]) -> arrow.Array:
    """The rows' text marks with ``MENDED_MARK`` added on the mended lines (joined by '; ')."""
    if not lines:
        return marks
    hit = pc.is_in(t.column("_line"), arrow.array(lines, arrow.int64()))
    joined = pc.binary_join_element_wise(marks, arrow.scalar(MENDED_MARK), "; ",
                                         null_handling="skip")
    return pc.if_else(hit, joined, marks)

