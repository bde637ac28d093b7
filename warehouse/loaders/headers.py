"""Finding a file's header and its columns: names matched ignoring case, spaces, punctuation
and CamelCase; aliases first, then words a header holds; a council's column map last."""

from __future__ import annotations

import csv
import re

from warehouse.loaders.text import LoadError

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _norm(name: str) -> str:
    """A header as matched: CamelCase split into words, then case, spaces and punctuation
    ignored ('PaymentDate', 'Payment_Date' and 'payment date:' are all 'payment date')."""
    return re.sub(r"[^a-z0-9]+", " ", _CAMEL.sub(" ", name).lower()).strip()


_LESSER = {"vat", "gross", "id", "code", "postcode", "reg", "type", "number", "no", "incl",
           "including", "inclusive", "inc"}
_NET = {"excl", "excluding", "exclusive", "exc", "ex", "net", "nett"}  # 'Amount excl. VAT' is net


def _keyword_hits(cells: list[str], words: tuple[str, ...]) -> list[int]:
    """Header cells holding one of the words as whole words, best first: one about VAT
    (unless net of it), gross or including it, codes or ids last; then by the earliest of
    ``words`` it holds; a cell naming a 'name' or 'description' before others; then in the
    header's order."""
    hits = []
    for i, cell in enumerate(cells):
        padded = f" {_norm(cell)} "
        held = [k for k, w in enumerate(words) if f" {w} " in padded]
        if held:
            parts = set(padded.split())
            hits.append((bool(parts & _LESSER) and not parts & _NET, held[0],
                         not parts & {"name", "description"}, i))
    return [i for *_, i in sorted(hits)]


def _records(lines: list[str]):
    """(index of its last line, text) of each line, and of a header whose quoted cells hold
    line breaks ('"Amount\n(£)"', Excel's wrapped headings) as one record with them: a line
    with an odd number of quotes is joined to the next lines (up to five) until the quotes
    pair up. The index is the record's last line, where the body starts after."""
    for idx, line in enumerate(lines):
        yield idx, line
        text, end = line, idx
        while text.count('"') % 2 and end + 1 < len(lines) and end - idx < 5:
            end += 1
            text += "\n" + lines[end]
        if end > idx and not text.count('"') % 2:
            yield end, text


def _find_header(
    lines: list[str],
    columns: dict[str, tuple[str, ...]],
    optional: set[str],
    name: str,
    max_preamble: int,
    keywords: dict[str, tuple[str, ...]] | None = None,
) -> tuple[int, list[str]]:
    wanted = {canon: {_norm(a) for a in (canon, *aliases)} for canon, aliases in columns.items()}
    required = [c for c in columns if c not in optional]
    keywords = keywords or {}
    best: tuple[int, list[str]] | None = None
    for idx, line in _records(lines[:max_preamble]):
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:  # a stray line end inside the line: not a header
            continue
        normed = {_norm(c) for c in cells}
        found = [c for c in required if wanted[c] & normed]
        if keywords and len(found) < len(required):  # each column its own cell
            placed = _positions(cells, columns, keywords)
            found = [c for c in required if c in placed]
        if best is None or len(found) > len(best[1]):
            best = (idx, found)
        if len(found) == len(required) and any(c.strip() for c in cells):
            return idx, [c.strip() for c in cells]
    idx, found = best if best else (0, [])
    missing = [c for c in required if c not in found]
    if not found:  # no line of the head names even one column: a file published headerless
        raise LoadError(
            f"{name}: no header row in its first "
            f"{sum(1 for ln in lines[:max_preamble] if ln.strip())} lines (no "
            "line names any of the columns it needs; accepted names: "
            + "; ".join(f"{m}: {', '.join((m, *columns[m]))}" for m in missing)
            + "); add the header row the file was published without")
    raise LoadError(
        f"{name}: line {idx + 1}: missing required column(s) "
        + ", ".join(f"'{m}'" for m in missing)
        + " (accepted names: "
        + "; ".join(f"{m}: {', '.join((m, *columns[m]))}" for m in missing)
        + ")"
    )


def _positions(header: list[str], columns: dict[str, tuple[str, ...]],
               keywords: dict[str, tuple[str, ...]] | None = None) -> dict[str, int]:
    """Each canonical column's header cell: an exact name first (an earlier alias preferred,
    'Payment Date' before 'Date'); then, for a column still missing, a cell holding one of its
    ``keywords`` ('Supplier Name (redacted)' holds 'supplier')."""
    normed = [_norm(cell) for cell in header]
    positions: dict[str, int] = {}
    for canon, aliases in columns.items():
        for alias in (canon, *aliases):
            pos = next((i for i, h in enumerate(normed)
                        if h == _norm(alias) and i not in positions.values()), None)
            if pos is not None:
                positions[canon] = pos
                break
    for canon, words in (keywords or {}).items():
        if canon not in positions:
            pos = next((i for i in _keyword_hits(header, words)
                        if i not in positions.values()), None)
            if pos is not None:
                positions[canon] = pos
    return {c: positions[c] for c in columns if c in positions}


def _fix_positions(positions: dict[str, int], header: list[str],
                   fixed: dict[str, tuple[str, int]], where: str) -> dict[str, int]:
    """Positions with the column map's choices in place (header text, 1-based occurrence)."""
    for canon, (text, occurrence) in fixed.items():
        hits = [i for i, cell in enumerate(header) if _norm(cell) == _norm(text)]
        if len(hits) < occurrence:
            raise LoadError(f"{where}: the council's column map reads '{canon}' from "
                            f"'{text}' (occurrence {occurrence}), which the header has "
                            f"{len(hits)} time(s)")
        pos = hits[occurrence - 1]
        positions = {c: p for c, p in positions.items() if p != pos and c != canon}
        positions[canon] = pos
    return positions
