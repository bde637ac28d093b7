"""Rows that are not data: no letter or digit in any cell, or a 'Total' footer at the end."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as arrow
import pyarrow.compute as pc

from warehouse.loaders.cells import dictionary

_ASCII_ALNUM = np.zeros(256, dtype=bool)
_ASCII_ALNUM[[*range(48, 58), *range(65, 91), *range(97, 123)]] = True


def _edge_bytes(col: arrow.ChunkedArray | arrow.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The first and last byte of each cell (0 for an empty or missing cell), read from the
    Arrow buffers without copying the strings; None for a column that is not plain UTF-8."""
    chunks = col.chunks if isinstance(col, arrow.ChunkedArray) else [col]
    firsts, lasts = [], []
    for chunk in chunks:
        if chunk.type != arrow.string():
            return None
        n = len(chunk)
        bufs = chunk.buffers()
        first = np.zeros(n, dtype=np.uint8)
        last = np.zeros(n, dtype=np.uint8)
        if n and bufs[1] is not None and bufs[2] is not None and bufs[2].size:
            offsets = np.frombuffer(bufs[1], dtype=np.int32,
                                    count=chunk.offset + n + 1)[chunk.offset:]
            data = np.frombuffer(bufs[2], dtype=np.uint8)
            start, end = offsets[:-1], offsets[1:]
            full = end > start
            if chunk.null_count:
                full &= chunk.is_valid().to_numpy(zero_copy_only=False)
            first[full] = data[start[full]]
            last[full] = data[end[full] - 1]
        firsts.append(first)
        lasts.append(last)
    if not firsts:
        return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.uint8)
    return np.concatenate(firsts), np.concatenate(lasts)


_ALNUM = r"[\pL\pN]"
_FOOTER = re.compile(r"^(grand\s+)?(sub\s*)?totals?\b|^sum\b", re.IGNORECASE)


def drop_blank_and_footer(table: arrow.Table, order: list[str]) -> tuple[arrow.Table, int]:
    """Remove rows with no letter or digit in any cell, and a trailing 'Total' footer."""
    n = table.num_rows
    if n == 0:
        return table, 0
    blank = np.ones(n, dtype=bool)
    for name in order:  # narrow the candidates column by column
        idx = np.flatnonzero(blank)
        if not len(idx):
            break
        col = table.column(name)
        edges = _edge_bytes(col)
        if edges is not None:  # a cell starting with an ASCII letter or digit has a word
            quick = _ASCII_ALNUM[edges[0][idx]]
            blank[idx[quick]] = False
            idx = idx[~quick]
            if not len(idx):
                continue
        sub = dictionary(col if len(idx) == n else col.take(arrow.array(idx)))
        has_word = pc.fill_null(pc.match_substring_regex(sub.dictionary, _ALNUM), False)
        has = pc.fill_null(has_word.take(sub.indices), False).to_numpy(zero_copy_only=False)
        blank[idx[has]] = False
    keep = ~blank
    lines = table.column("_line").to_numpy()
    # a footer: the last data rows in file order, from a row whose first cell reads 'Total',
    # when no row after it is filled like a data row (a subtotal between sections is not it)
    live = np.flatnonzero(keep)
    if len(lines) > 1 and bool(np.all(lines[1:] > lines[:-1])):  # in file order already
        tail = live[-5:]
    else:
        tail = live[np.argsort(lines[live])][-5:]
    sparse = max(2, len(order) // 2)
    shapes = []
    for k in tail:
        cells = [table.column(c)[int(k)].as_py() or "" for c in order]
        first = next((c.strip() for c in cells if c.strip()), "")
        filled = sum(1 for c in cells if re.search(r"[^\W_]", c))
        shapes.append((bool(_FOOTER.match(first)) and filled <= sparse, filled <= sparse))
    cut = None
    for j, k in enumerate(tail):
        if shapes[j][0] and all(few for _, few in shapes[j + 1:]):
            cut = lines[k]
            break
    if cut is not None:
        keep &= lines < cut
    dropped = int(n - keep.sum())
    return (table if dropped == 0 else table.filter(arrow.array(keep))), dropped


