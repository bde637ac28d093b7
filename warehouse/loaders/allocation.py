"""Allocation: spend labels to services through the council's mapping, for a new file's rows
(``map_services``) and for payments already loaded when a mapping arrives (``allocate``).

A row's service is found in this order: (department, service area) in ``spend_mapping``;
(department, expense type) in ``spend_expense_mapping``; the department alone (a
``spend_mapping`` row whose service area is blank). Labels match ignoring case, spacing and
the style of apostrophes. A row no mapping places is *not yet allocated* (a null service).
"""

from __future__ import annotations

import re

import duckdb
import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from warehouse.loaders.base import dictionary
from warehouse.loaders.spend_report import pounds

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u201c": '"', "\u201d": '"'})


def label_key(text: str | None) -> str:
    """How labels are matched: case, spacing and apostrophe style do not matter."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


def _keys(values: arrow.ChunkedArray) -> tuple[arrow.Array, list[str]]:
    """Dictionary-encode a label column: (indices, normalised distinct labels)."""
    enc = dictionary(pc.fill_null(values, "") if values.null_count else values)
    return enc.indices, [label_key(t) for t in enc.dictionary.to_pylist()]


def map_services(con: duckdb.DuckDBPyConnection, table: arrow.Table) -> arrow.Array:
    """The service code of each row (null when no mapping matches), looked up per distinct pair."""
    by_area = {(label_key(d), label_key(a)): s for d, a, s in con.execute(
        "select department_label, service_area_label, service_code from spend_mapping"
    ).fetchall()}
    try:
        by_expense = {(label_key(d), label_key(e)): s for d, e, s in con.execute(
            "select department_label, expense_type, service_code from spend_expense_mapping"
        ).fetchall()}
    except duckdb.CatalogException:  # a warehouse built before expense mappings existed
        by_expense = {}
    n = table.num_rows
    if n == 0:
        return arrow.array([], type=arrow.string())
    d_idx, d_keys = _keys(table.column("department_label"))
    a_idx, a_keys = _keys(table.column("service_area_label"))
    e_idx, e_keys = _keys(table.column("expense_type"))
    d_np = d_idx.to_numpy(zero_copy_only=False).astype(np.int64)
    a_np = a_idx.to_numpy(zero_copy_only=False).astype(np.int64)
    e_np = e_idx.to_numpy(zero_copy_only=False).astype(np.int64)
    # distinct (department, area, expense) triples: a file has few
    combo = (d_np * (len(a_keys) + 1) + a_np) * (len(e_keys) + 1) + e_np
    size = (len(d_keys) + 1) * (len(a_keys) + 1) * (len(e_keys) + 1)
    if size <= 4 * n + 1024:  # a lookup table by combination: no sort of a million keys
        present = np.zeros(size, dtype=bool)
        present[combo] = True
        uniq = np.flatnonzero(present)
        position = np.zeros(size, dtype=np.int64)
        position[uniq] = np.arange(len(uniq))
        inverse = position[combo]
    else:
        uniq, inverse = np.unique(combo, return_inverse=True)
    codes: list[str | None] = []
    for c in uniq.tolist():
        e = c % (len(e_keys) + 1)
        rest = c // (len(e_keys) + 1)
        a = rest % (len(a_keys) + 1)
        d = rest // (len(a_keys) + 1)
        dk, ak, ek = d_keys[d], a_keys[a], e_keys[e]
        codes.append(by_area.get((dk, ak)) or by_expense.get((dk, ek)) or by_area.get((dk, "")))
    return arrow.array(codes, type=arrow.string()).take(arrow.array(inverse.ravel()))


def allocate(con: duckdb.DuckDBPyConnection, file_name: str | None = None) -> list[str]:
    """Give loaded payments the service their labels now map to, without reloading the spend.

    Run after a mapping file loads (in its transaction): each distinct (department, service
    area, expense type) of the spend table is looked up as a new file's rows are; payments
    whose labels now map to a service get it. Returns sentences for the load's output.
    """
    rows = con.execute(
        "select department_label, service_area_label, expense_type, service_code, "
        "count(*), coalesce(sum(amount_gbp), 0)::decimal(18, 2) from spend group by all"
    ).fetchall()
    if not rows:
        return []
    labels = arrow.table({
        "department_label": arrow.array([r[0] for r in rows], arrow.string()),
        "service_area_label": arrow.array([r[1] for r in rows], arrow.string()),
        "expense_type": arrow.array([r[2] for r in rows], arrow.string()),
    })
    codes = map_services(con, labels).to_pylist()
    changed = [(r[0], r[1], r[2], code) for r, code in zip(rows, codes, strict=True)
               if code is not None and code != r[3]]
    newly = [r for r, code in zip(rows, codes, strict=True) if code is not None and r[3] is None]
    left = [r for r, code in zip(rows, codes, strict=True) if code is None and r[3] is None]
    if changed:
        con.register("_allocation", pd.DataFrame(
            changed, columns=["department_label", "service_area_label", "expense_type",
                              "service_code"]))
        try:
            con.execute(
                "update spend as s set service_code = a.service_code from _allocation as a "
                "where s.department_label = a.department_label "
                "and s.service_area_label = a.service_area_label "
                "and s.expense_type = a.expense_type")
        finally:
            con.unregister("_allocation")
    out = []
    if newly:
        out.append(f"{sum(r[4] for r in newly)} payment(s), "
                   f"{pounds(round(sum(r[5] for r in newly) * 100))}, now allocated to a "
                   "service by this mapping")
    moved = len(changed) - len(newly)
    if moved:
        out.append(f"{moved} label(s) already allocated now map to another service")
    if left:
        out.append(f"{sum(r[4] for r in left)} payment(s), "
                   f"{pounds(round(sum(r[5] for r in left) * 100))}, still not yet allocated")
    return out
