"""What a spend file holds, said before and after it loads: its total to the penny, total rows
left out, marks on blank or redacted text, the period of a file without dates, and the labels
not yet mapped to a service with their rows and pounds.

Everything here is column-wise (Arrow and numpy) and reads no warehouse table; the spend loader
(``warehouse/loaders/spend.py``) and ``python -m warehouse inspect`` share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from warehouse.loaders.base import LoadError, dictionary

# a cell longer than this is not a name or a label (a 50 MB supplier name must not reach a page)
MAX_TEXT = 1000
# how blank or withheld text is recognised; the text itself is kept as published
REDACTED = (r"(?i)redact|withheld|personal (data|information)|private individual|"
            r"^\W*(name )?removed\W*$|^\W*\*+\W*$|^\W*x{3,}\W*$")
# 'Total', 'Sub-total', 'Grand total for April'; or a cell ending in the word: 'Report Total',
# 'Housing Total:' (a supplier such as 'Total Gas Ltd' or 'ABC Total Care' is neither)
TOTAL = r"(?i)^\s*(grand\s+|sub\s*-?\s*)?totals?\b|^\s*(\S+\s+){1,4}totals?\W*$"
TOTAL_ONLY = r"(?i)^\W*(grand\s+|sub\s*-?\s*)?totals?\W*$"  # the word alone: 'TOTAL:'
# in the supplier column: the word alone or with a few words ('Grand Total', 'Total for
# April', 'Housing Total'), never a supplier that starts with it ('Total Gas & Power')
SUPPLIER_TOTAL = (r"(?i)^\W*(grand\s+|sub\s*-?\s*|report\s+)?totals?\W*((for|of)\b.*)?$"
                  r"|^\s*(\S+\s+){1,4}totals?\W*$")
TEXT_MARKS = {"supplier_name": "supplier", "expense_type": "expense type"}
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def pennies(amount: np.ndarray) -> np.ndarray:
    """Amounts in whole pence (an amount that is not a number counts 0): sums are exact.

    Rounded half away from zero, as accounts round ('1.015' is 102p, '-600.445' is -60,045p):
    the amount was parsed into a binary float, in which 1.015 is 1.01499999..., so a
    millionth of a penny is added before the half is cut (amounts are published to at most
    a few decimal places, and a float holds about 16 significant digits)."""
    x = np.nan_to_num(amount, nan=0.0)
    p = np.floor(np.abs(x) * 100 + 0.5 + 1e-6) * np.sign(x)
    return p.astype(np.int64)


def pounds(pence: int) -> str:
    """'£1,234.50' (negative: '-£992.10')."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def _blank(values: arrow.ChunkedArray | arrow.Array) -> np.ndarray:
    trimmed = pc.utf8_trim_whitespace(pc.fill_null(values, ""))
    return np.asarray(pc.equal(trimmed, ""), dtype=bool)


def total_rows(t: arrow.Table, amount: np.ndarray, pdate: arrow.Array) -> np.ndarray:
    """Total rows: an amount and no date, and either nothing to say whose payment it is (no
    supplier, organisational label or expense type: an unlabelled total) or a cell that
    starts 'Total', 'Sub total' or 'Grand total' (or ends in 'Total': 'Report Total') and no
    supplier other than such a label; or a cell that is the word alone ('Total', 'TOTAL:')
    outside the supplier column, with no date or no supplier ('Total,,2 transactions,1300',
    'Total,30/04/2019,,1300'), or in the supplier column with no label ('30/04/2019,Grand
    Total,1300'); or a row with a date and nothing else whose amount is the sum of the rows
    above it (or since the last such row). Files end with these (and some put subtotals
    between sections); they are not payments and are never counted."""
    out = np.zeros(t.num_rows, dtype=bool)
    if t.num_rows == 0:
        return out
    no_date = np.asarray(pc.is_null(pdate), dtype=bool)
    # a row with a date is a candidate only when its supplier cell is (nearly) empty, or short
    # (length tests of the offsets, no scan of the text) and the word 'Total' alone: few rows,
    # so the tests below stay cheap
    suppliers = t.column("supplier_name")
    lengths = pc.binary_length(suppliers)
    no_supplier = np.asarray(pc.fill_null(pc.less_equal(lengths, 2), True), dtype=bool)
    short = np.flatnonzero(np.asarray(pc.fill_null(pc.less_equal(lengths, 14), False),
                                      dtype=bool) & ~no_supplier)
    if len(short):
        no_supplier[short[_is_total(suppliers.take(arrow.array(short)), TOTAL_ONLY)]] = True
    cand = np.flatnonzero((no_date | no_supplier) & ~np.isnan(amount))
    if not len(cand):
        return out
    sub = t.take(arrow.array(cand))
    unlabelled = np.ones(len(cand), dtype=bool)
    for name in ("department_label", "service_area_label", "expense_type"):
        unlabelled &= _blank(sub.column(name))
    supplier = sub.column("supplier_name")
    blank_supplier = _blank(supplier)
    blank_date = _blank(sub.column("payment_date"))
    empty = unlabelled & blank_supplier & blank_date
    labelled = np.zeros(len(cand), dtype=bool)
    only = np.zeros(len(cand), dtype=bool)
    for name in sub.column_names:
        if not name.startswith("_"):
            labelled |= _is_total(sub.column(name))
            if name != "supplier_name":
                only |= _is_total(sub.column(name), TOTAL_ONLY)
    no_supplier = blank_supplier | _is_total(supplier, SUPPLIER_TOTAL)
    dateless = no_date[cand]
    found = ((empty & dateless) | (labelled & no_supplier & blank_date)
             | (only & (dateless | no_supplier))
             | (_is_total(supplier, TOTAL_ONLY) & unlabelled))
    out[cand[found]] = True
    # a dated row with no supplier that is unlabelled, or labelled as a total ('Total
    # Housing,30/04/2023,,1300'), is a total when it sums the payments above it
    dated = cand[(unlabelled | labelled) & blank_supplier & ~dateless & ~found]
    if len(dated):
        # a blank row that repeats the one payment above it is a subtotal when that payment has
        # a department: the file names its payments' departments and this row names none; in a
        # file with no department it may be a payment whose supplier is withheld
        def named(row: int) -> bool:
            return bool((t.column("department_label")[row].as_py() or "").strip())

        out[dated[_sums_above(t.column("_line").to_numpy(), pennies(amount), dated, out,
                              named)]] = True
    return out


def _sums_above(lines: np.ndarray, pence: np.ndarray, rows: np.ndarray, totals: np.ndarray,
                named: Callable[[int], bool]) -> np.ndarray:
    """Which of ``rows`` hold the sum of the payments above them in the file (or since the
    last such row), total rows not counted: an unlabelled total that carries a date. The sum
    of one payment is that payment again: a subtotal only when that payment is ``named``."""
    order = np.argsort(lines, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    counted = np.where(totals, 0, pence)
    counted[rows] = 0
    prefix = np.concatenate(([0], np.cumsum(counted[order])))
    payment = np.ones(len(pence), dtype=bool)
    payment[totals] = False
    payment[rows] = False
    n_prefix = np.concatenate(([0], np.cumsum(payment[order])))
    hits = np.zeros(len(rows), dtype=bool)
    last, n_last = 0, 0
    for j in np.argsort(rank[rows], kind="stable"):
        at = rank[rows[j]]
        above, own, n_above = int(prefix[at]), int(pence[rows[j]]), int(n_prefix[at])
        whole, since = own == above != 0, own == above - last != 0
        n = n_above if whole else n_above - n_last
        if (whole or since) and (n >= 2 or (n == 1 and named(int(order[at - 1])))):
            hits[j], last, n_last = True, above, n_above
    return hits


def _is_total(values: arrow.ChunkedArray | arrow.Array, pattern: str = TOTAL) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(values, pattern), False),
                      dtype=bool)


def note_rows(t: arrow.Table, amount: np.ndarray, pdate: arrow.Array) -> np.ndarray:
    """Rows with neither a date nor an amount and at most one cell of text: a heading between
    sections or a note after the data ('Payments to individuals are not shown'). They are not
    payments, so they are skipped and counted, not quarantined (a line cut short, with a
    supplier and a department but no amount, is quarantined)."""
    out = np.zeros(t.num_rows, dtype=bool)
    if t.num_rows == 0 or not pdate.null_count:
        return out
    cand = np.flatnonzero(np.asarray(pc.is_null(pdate), dtype=bool) & np.isnan(amount))
    if not len(cand):
        return out
    sub = t.take(arrow.array(cand))
    empty = _blank(sub.column("payment_date")) & _blank(sub.column("amount_gbp"))
    filled = np.zeros(len(cand), dtype=np.int64)
    for name in sub.column_names:
        if not name.startswith("_"):
            filled += ~_blank(sub.column(name))
    out[cand[empty & (filled <= 1)]] = True
    return out


def header_rows(t: arrow.Table, labels: dict[str, str], pdate: arrow.Array) -> np.ndarray:
    """Rows repeating the header (a report printed page by page repeats it): no date, and the
    date and amount cells hold their own column's header. They are skipped with the note
    rows (only the rows without a date are looked at)."""
    out = np.zeros(t.num_rows, dtype=bool)
    cand = np.flatnonzero(np.asarray(pc.is_null(pdate), dtype=bool)) if len(pdate) else []
    if not len(cand):
        return out
    sub = t.take(arrow.array(cand))
    hit = np.ones(len(cand), dtype=bool)
    for name in ("payment_date", "amount_gbp"):
        cells = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(sub.column(name), "")))
        hit &= np.asarray(pc.equal(cells, labels.get(name, "").strip().lower()), dtype=bool)
    out[cand[hit]] = True
    return out


def _redacted(texts: arrow.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(texts, REDACTED), False),
                      dtype=bool) & ~_blank(texts)


def text_marks(t: arrow.Table) -> arrow.Array:
    """'supplier blank', 'supplier redacted', 'expense type blank' (joined by '; ') or null.

    Blank and redacted text is real spend: the row loads, marked, with its text as published.
    """
    n = t.num_rows
    parts: list[np.ndarray] = []
    words: list[str] = []
    for name, what in TEXT_MARKS.items():
        # one encoding per column, both tests on its distinct values
        enc = dictionary(pc.fill_null(t.column(name), ""))
        idx = enc.indices.to_numpy(zero_copy_only=False)
        parts += [_blank(enc.dictionary)[idx], _redacted(enc.dictionary)[idx]]
        words += [f"{what} blank", f"{what} redacted"]
    if not any(p.any() for p in parts):
        return arrow.nulls(n, arrow.string())
    code = np.zeros(n, dtype=np.int64)
    for bit, mask in enumerate(parts):
        code |= mask.astype(np.int64) << bit
    names = [None] + ["; ".join(w for b, w in enumerate(words) if c >> b & 1)
                      for c in range(1, 1 << len(words))]
    return arrow.array(names, type=arrow.string()).take(arrow.array(code))


def parse_period(text: str) -> date:
    """The date a file's payments are given when the file has none: '2013-10' is the first of
    October 2013, '2013-10-15' that day."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise LoadError(f"--period {text!r}: write the month as YYYY-MM or the day as YYYY-MM-DD")
    try:
        return date(int(m[1]), int(m[2]), int(m[3] or 1))
    except ValueError as err:
        raise LoadError(f"--period {text!r}: {err}") from err


def no_dates_error(file_name: str, label: str, samples: list[str]) -> LoadError:
    shown = ", ".join(repr(s) for s in samples[:3]) or "blank cells"
    return LoadError(
        f"{file_name}: column '{label}': no row has a usable date (it holds {shown}); nothing "
        "was loaded. Give the period of the whole file with --period YYYY-MM (the lineage "
        "records it), or ask the council for the file with its dates")


_BODY_NOISE = re.compile(r"\b(london|borough|council|county|city|district|metropolitan|of|the|"
                         r"royal|and|royal borough|lb|mbc|bc|cc|dc)\b")


def _body_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", _BODY_NOISE.sub(" ", text.casefold())).strip()


def other_bodies(bodies: list[str], council: str | None) -> list[str]:
    """The body names in a file that are not the warehouse's council (names compared without
    'London Borough of', 'Council' and the like); none when the council is not known."""
    if not council:
        return []
    mine = _body_key(council)
    out = []
    for b in bodies:
        key = _body_key(b)
        if key and mine and key not in mine and mine not in key:
            out.append(b)
    return out


@dataclass
class Reconciliation:
    """A spend file's pounds, each in pence: what it holds and where each payment went."""

    file_total: int
    allocated: int
    unallocated: int
    quarantined: int
    rows_allocated: int
    rows_unallocated: int
    rows_quarantined: int
    total_rows: int
    total_rows_pence: int
    note_rows: int = 0
    skipped_lines: int = 0  # blank lines and a 'Total' footer, skipped by the reader
    # quarantined rows whose amount could not be read: their pounds are in no total here
    rows_no_amount: int = 0

    @property
    def balanced(self) -> bool:
        return self.file_total == self.allocated + self.unallocated + self.quarantined

    def sentences(self) -> list[str]:
        out = [f"file total {pounds(self.file_total)} = allocated {pounds(self.allocated)} "
               f"({self.rows_allocated} rows) + not yet allocated {pounds(self.unallocated)} "
               f"({self.rows_unallocated} rows) + quarantined {pounds(self.quarantined)} "
               f"({self.rows_quarantined} rows)"
               + (f"; {self.rows_no_amount} quarantined row(s) have no amount that can be "
                  "read: their pounds are in none of these figures"
                  if self.rows_no_amount else "")]
        if self.total_rows:
            out.append(f"{self.total_rows} total row(s) skipped, not counted "
                       f"({pounds(self.total_rows_pence)})")
        if self.skipped_lines:
            out.append(f"{self.skipped_lines} blank or footer line(s) skipped, not counted")
        if self.note_rows:
            out.append(f"{self.note_rows} note or heading row(s) skipped (no date and no "
                       "amount)")
        return out


def unallocated_labels(t: arrow.Table, pence: np.ndarray) -> list[tuple[str, str, int, int]]:
    """(department, service area, rows, pence) of rows with no service, largest £ first."""
    if t.num_rows == 0:
        return []
    g = arrow.table({
        "d": pc.fill_null(t.column("department_label"), ""),
        "a": pc.fill_null(t.column("service_area_label"), ""),
        "p": arrow.array(pence),
    }).group_by(["d", "a"]).aggregate([("p", "sum"), ("p", "count")])
    rows = list(zip(g.column("d").to_pylist(), g.column("a").to_pylist(),
                    g.column("p_count").to_pylist(), g.column("p_sum").to_pylist(),
                    strict=True))
    return sorted(rows, key=lambda r: (-abs(r[3]), r[0], r[1]))


def label_lines(labels: list[tuple[str, str, int, int]], show: int = 10) -> list[str]:
    """The unallocated labels as lines for a terminal or a log."""
    out = []
    for d, a, n, p in labels[:show]:
        name = " / ".join(x for x in (d, a) if x.strip()) or "(blank)"
        out.append(f"not yet allocated: {name!r}: {n} rows, {pounds(p)}")
    if len(labels) > show:
        rest = sum(r[3] for r in labels[show:])
        out.append(f"not yet allocated: and {len(labels) - show} more label(s), {pounds(rest)}")
    return out
