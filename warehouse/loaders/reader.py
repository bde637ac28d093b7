"""Reading a messy CSV with every record's line number (``read_source``).

Reading is vectorised: the header is found past any preamble in Python, the
body is parsed by pyarrow's multi-threaded CSV reader - first as if no value held a newline
(fast; a clean file's line numbers then follow from row order), and again, tracking quotes
across lines, when that read sets rows aside or finds fewer rows than lines - and each
record's line number comes from a numpy scan of the bytes (newlines outside quotes). Rows
whose cell count differs from the header's are set aside by pyarrow and put back with their
line numbers, so they can be quarantined rather than lost. When the two views of the file
disagree (odd quoting), the file is read again, slowly and exactly, with Python's csv module.

DuckDB's ``read_csv`` (with ``store_rejects``) was weighed for this: it gives the line of a
rejected row but not of a row it keeps, and every kept payment carries its line (its
lineage: file, line, sha256); nor does it read Windows-1252 without a downloaded extension.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from warehouse.loaders.blanks import drop_blank_and_footer
from warehouse.loaders.headers import _find_header, _fix_positions, _positions
from warehouse.loaders.text import (
    _HEAD_BYTES,
    DELIMITERS,
    LoadError,
    read_bytes,
    sniff_delimiter,
    to_commas,
    to_utf8,
)
from warehouse.loaders.workbook import sheet_csv


@dataclass
class SourceTable:
    """A source file read as text: canonical string columns, each row's line number and cells.

    ``table`` holds one string column per canonical name (missing optional columns are null),
    ``_line`` (the line the record starts on) and ``_cells`` (how many cells it had).
    ``labels`` maps each canonical name to the header cell it was read from.
    """

    path: Path
    encoding: str
    header_line: int
    header: list[str]
    labels: dict[str, str]
    table: arrow.Table
    raw_lookup: Callable[[Sequence[int]], list[str]]
    skipped_lines: int = 0  # blank lines and a junk footer, not counted as data rows
    notes: list[str] = field(default_factory=list)  # what the load should say (sheet read)

    @property
    def width(self) -> int:
        return len(self.header)

    def __len__(self) -> int:
        return self.table.num_rows

    def raw(self, lines: Sequence[int]) -> list[str]:
        """The raw text of the records starting on these lines."""
        return self.raw_lookup(lines)

    @cached_property
    def frame(self) -> pd.DataFrame:
        """The rows as a pandas frame of str/None cells plus ``_line``, ``_raw`` and ``_width``."""
        cols = [c for c in self.table.column_names if not c.startswith("_")]
        frame = pd.DataFrame(
            {c: pd.Series(self.table.column(c).to_pylist(), dtype=object) for c in cols}
        )
        lines = self.table.column("_line").to_numpy()
        frame["_line"] = lines
        frame["_raw"] = self.raw(lines) if len(lines) else []
        frame["_width"] = self.table.column("_cells").to_numpy() == self.width
        return frame



class _Fallback(Exception):
    """The fast reader's two views of the file disagree: read it again with Python's csv."""


def _records(body: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """Byte start and end (CR stripped) and newline count before each non-empty record.

    A newline ends a record when an even number of quote characters precede it.
    Returns (starts, ends, newlines_before, quote_positions, any_quoted_newline).
    """
    nl = np.flatnonzero(body == 10)
    quotes = np.flatnonzero(body == 34)
    term = nl[(np.searchsorted(quotes, nl) & 1) == 0] if len(quotes) else nl
    starts = np.concatenate(([0], term + 1))
    ends = np.concatenate((term, [len(body)]))
    if len(body):
        cr = np.zeros(len(ends), dtype=bool)
        has = ends > starts
        cr[has] = body[ends[has] - 1] == 13
        ends = ends - cr
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    before = np.searchsorted(nl, starts)
    return starts, ends, before, quotes, len(term) != len(nl)


def _cell_counts(body: np.ndarray, quotes: np.ndarray, starts: np.ndarray,
                 ends: np.ndarray) -> np.ndarray:
    commas = np.flatnonzero(body == 44)
    if len(quotes):
        commas = commas[(np.searchsorted(quotes, commas) & 1) == 0]
    return np.searchsorted(commas, ends) - np.searchsorted(commas, starts) + 1


def _split(text: str) -> list[str]:
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return text.split(",")


def _arrow_read(data: bytes, body_start: int, names: list[str], wanted: list[int],
                newlines_in_values: bool) -> tuple[arrow.Table, list[str]]:
    """The body read by pyarrow as strings (wanted columns only), and the rows it set aside.

    Text that is all ASCII (``bytes.isascii``, a fast scan) is valid UTF-8, so pyarrow's own
    check of every cell is skipped for it; any other file is checked cell by cell.
    """
    invalid: list[str] = []

    def on_invalid(row) -> str:
        invalid.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            arrow.BufferReader(arrow.py_buffer(data)[body_start:]),
            # blocks of 16 MB: a few large chunks, which DuckDB inserts faster than many
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True,
                                           block_size=16 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=newlines_in_values,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                include_columns=[names[p] for p in wanted],
                column_types={names[p]: arrow.string() for p in wanted},
                strings_can_be_null=False, quoted_strings_can_be_null=False,
                check_utf8=not data.isascii()),
        )
    except arrow.ArrowInvalid as err:
        if "utf8" in str(err).lower():
            raise UnicodeDecodeError("utf-8", b"", 0, 1, str(err)) from err
        raise _Fallback(str(err)) from err
    return table, invalid


def _probe_read(data: bytes, body_start: int, names: list[str], wanted: list[int],
                width: int) -> tuple[arrow.Table | None, list[str]]:
    """The quick read (no newlines in values), or (None, []) when it cannot be trusted."""
    if width < 2:
        return None, []
    try:
        return _arrow_read(data, body_start, names, wanted, newlines_in_values=False)
    except _Fallback:  # the careful read decides
        return None, []


def _fast_read(data: bytes, body_start: int, first_line: int, width: int,
               positions: dict[str, int]):
    """Read the body with pyarrow; return (columns, lines, cells, raw_lookup).

    A clean file (every line one record with the header's cell count, no blank lines) is
    recognised by counting newlines, and its line numbers follow from row order. Otherwise
    a numpy scan of the bytes finds where each record starts (newlines outside quotes) and
    how many cells each has, and the rows pyarrow set aside are put back.
    """
    names = [f"c{i}" for i in range(width)]
    wanted = sorted(set(positions.values()))
    body_len = len(data) - body_start
    if not data[body_start:body_start + _HEAD_BYTES].strip() and not data[body_start:].strip():
        empty = {c: arrow.array([], type=arrow.string()) for c in positions}
        none = np.zeros(0, dtype=np.int64)
        return empty, none, none, lambda wanted_lines: [""] * len(wanted_lines)
    end = len(data)
    while end > body_start and data[end - 1] in b"\r\n":  # trailing blank lines do not count
        end -= 1
    # First read as if no value held a newline: pyarrow then splits the file into blocks in
    # parallel without tracking quotes, which is much faster. A quoted newline would split its
    # record into pieces whose cell counts add up to one more than the header's, so at least
    # one piece is set aside as invalid (for two or more columns) and the file is read again,
    # with quotes tracked across lines; so is a file with blank lines (fewer rows than lines).
    # The lines are counted in a second thread meanwhile (pyarrow lets go of the GIL).
    counter = ThreadPoolExecutor(max_workers=1) if end - body_start > _HEAD_BYTES * 64 else None
    try:
        count_job = counter.submit(data.count, b"\n", body_start, end) if counter else None
        table, invalid = _probe_read(data, body_start, names, wanted, width)
        n_lines = (count_job.result() if count_job else data.count(b"\n", body_start, end)) + 1
    finally:
        if counter is not None:
            counter.shutdown()
    if table is not None and (invalid or table.num_rows != n_lines):
        table = None
    if table is None:
        table, invalid = _arrow_read(data, body_start, names, wanted, newlines_in_values=True)
    n_valid = table.num_rows
    body = np.frombuffer(data, dtype=np.uint8)[body_start:]
    if not invalid and n_valid == n_lines:
        # clean: row i is line first_line + i; find line offsets only if a raw text is wanted
        offsets: list[np.ndarray] = []

        def clean_lookup(wanted_lines: Sequence[int]) -> list[str]:
            if not offsets:
                offsets.append(np.flatnonzero(body == 10))
            nl = offsets[0]
            out = []
            for line in wanted_lines:
                k = int(line) - first_line
                s = 0 if k == 0 else int(nl[k - 1]) + 1
                e = int(nl[k]) if k < len(nl) else body_len
                out.append(bytes(body[s:e]).decode("utf-8", errors="replace").rstrip("\r"))
            return out

        columns = {canon: table.column(names[pos]) for canon, pos in positions.items()}
        lines = np.arange(first_line, first_line + n_valid, dtype=np.int64)
        return columns, lines, np.full(n_valid, width, dtype=np.int64), clean_lookup

    starts, ends, before, quotes, quoted_newlines = _records(body)
    if quoted_newlines and _stray_quotes(body, starts, ends, width):
        raise _Fallback("stray quotes join whole lines into one record")
    lines = before + first_line

    def raw_of(k: np.ndarray) -> list[str]:
        return [bytes(body[s:e]).decode("utf-8", errors="replace")
                for s, e in zip(starts[k], ends[k], strict=True)]

    if invalid:
        cells = _cell_counts(body, quotes, starts, ends)
        valid = cells == width
        if int(valid.sum()) != n_valid or int((~valid).sum()) != len(invalid):
            raise _Fallback("cell counts disagree")
    else:
        if len(starts) != n_valid:
            raise _Fallback("record counts disagree")
        cells = np.full(len(starts), width, dtype=np.int64)
        valid = np.ones(len(starts), dtype=bool)
    valid_idx = np.flatnonzero(valid)
    # spot-check that records and rows line up: parse a few records with Python's csv
    if n_valid:
        probe = np.unique(np.linspace(0, n_valid - 1, min(n_valid, 16)).astype(np.int64))
        texts = raw_of(valid_idx[probe])
        for row_no, text in zip(probe, texts, strict=True):
            cells_py = _split(text)
            for pos in wanted:
                got = table.column(names[pos])[int(row_no)].as_py()
                exp = cells_py[pos] if pos < len(cells_py) else None
                if got != exp:
                    raise _Fallback(f"record {row_no} disagrees")
    columns: dict[str, arrow.ChunkedArray | arrow.Array] = {}
    bad_idx = np.flatnonzero(~valid)
    bad_cells = [_split(t) for t in raw_of(bad_idx)] if len(bad_idx) else []
    bad_n = cells[bad_idx].copy()
    for j, c in enumerate(bad_cells):  # extra cells that are all empty do no harm
        if len(c) > width and not any(x.strip() for x in c[width:]):
            bad_n[j] = width
    for canon, pos in positions.items():
        col = table.column(names[pos])
        if len(bad_idx):
            extra = arrow.array([c[pos] if pos < len(c) else None for c in bad_cells],
                                type=arrow.string())
            col = arrow.chunked_array([*col.chunks, extra], type=arrow.string())
        columns[canon] = col
    out_lines = np.concatenate((lines[valid_idx], lines[bad_idx]))
    out_cells = np.concatenate((cells[valid_idx], bad_n))

    def lookup(wanted_lines: Sequence[int]) -> list[str]:
        k = np.searchsorted(lines, np.asarray(wanted_lines, dtype=np.int64))
        return raw_of(k)

    return columns, out_lines, out_cells, lookup


def _lines_alone(text: str, width: int) -> list[list[str]] | None:
    """The lines of a record over several lines, each split alone with its quotes read as
    text, when every one has the header's cell count (stray quotes joined whole payment
    lines); None for a real quoted line break ('"Two' / 'Lines"')."""
    parts = [next(csv.reader([ln.rstrip("\r")], quoting=csv.QUOTE_NONE), [])
             for ln in text.rstrip("\r\n").split("\n")]
    return parts if len(parts) > 1 and all(len(c) == width for c in parts) else None


def _stray_quotes(body: np.ndarray, starts: np.ndarray, ends: np.ndarray, width: int) -> bool:
    """Whether a record over several lines is whole payment lines joined by stray quotes
    (``_lines_alone``): then the file is read by ``_slow_read``, which splits them."""
    nl = np.flatnonzero(body == 10)
    multi = np.flatnonzero(np.searchsorted(nl, ends) > np.searchsorted(nl, starts))
    return any(_lines_alone(bytes(body[starts[k]:ends[k]]).decode("utf-8", "replace"), width)
               for k in multi[:10_000])


def _slow_read(text: str, header_idx: int, width: int, positions: dict[str, int]):
    """Exact reading with Python's csv module (quoted newlines, stray quotes).

    A stray quote ('"Acme' opening a cell it never closes, or closed by another on a later
    line) would make one record of whole payment lines: a record over several lines each of
    which alone (its quotes read as text) has the header's cell count is read as those lines;
    one whose cell count is not the header's, and whose first line alone has it, is read as
    that line. Reading starts again after them.
    """
    body_lines = text.split("\n")[header_idx + 1:]

    def reader_from(k: int):
        return csv.reader(body_lines[j] + "\n" for j in range(k, len(body_lines)))

    base, reader = 0, reader_from(0)
    cols: dict[str, list] = {c: [] for c in positions}
    lines: list[int] = []
    cells_n: list[int] = []
    raws: dict[int, str] = {}
    first_line = header_idx + 2
    while True:
        start = base + reader.line_num
        try:
            cells = next(reader)
            end = base + reader.line_num
        except StopIteration:
            break
        except csv.Error:  # an unterminated quote: the rest of the file is one bad record
            end = len(body_lines)
            cells = "\n".join(body_lines[start:]).split(",")
        records = [(start, end, cells)]
        if end - start > 1:
            whole = _lines_alone("\n".join(body_lines[start:end]), width)
            alone = next(csv.reader([body_lines[start]], quoting=csv.QUOTE_NONE), [])
            if whole:  # stray quotes joined whole lines: each is its own record
                records = [(start + k, start + k + 1, c) for k, c in enumerate(whole)]
                base, reader = end, reader_from(end)
            elif len(cells) != width and len(alone) == width:  # '"Acme' never closed
                records, end = [(start, start + 1, alone)], start + 1
                base, reader = end, reader_from(end)
        for first, last, row in records:
            if not row:
                continue
            line_no = first_line + first
            lines.append(line_no)
            cells_n.append(len(row))
            raws[line_no] = "\n".join(ln.rstrip("\r") for ln in body_lines[first:last])
            for c, p in positions.items():
                cols[c].append(row[p] if p < len(row) else None)
        if end >= len(body_lines):
            break
    columns = {c: arrow.array(v, type=arrow.string()) for c, v in cols.items()}

    def lookup(wanted_lines: Sequence[int]) -> list[str]:
        return [raws.get(int(n), "") for n in wanted_lines]

    return columns, np.asarray(lines, dtype=np.int64), np.asarray(cells_n, dtype=np.int64), lookup


def _trim(col: arrow.ChunkedArray | arrow.Array) -> arrow.ChunkedArray | arrow.Array:
    """Strip spaces (Unicode ones too, such as the no-break space) around each cell."""
    return pc.utf8_trim_whitespace(col)


def _csv_text(raw: bytes, name: str, find: Callable[[list[str]], tuple[int, list[str]]],
              force_legacy: bool = False) -> tuple[bytes, str, tuple[int, list[str]]]:
    """The file as UTF-8 with commas between cells (``to_utf8``, then ``to_commas``), its
    encoding (with the delimiter when not a comma: 'utf-16, tab-separated') and what ``find``
    says of its head (the header's line and cells). The delimiter ``sniff_delimiter`` finds is
    tried first, then the others, until one gives a header: a comma file whose notes hold
    semicolons is still read at its commas."""
    utf8, encoding = to_utf8(raw, name, force_legacy=force_legacy)
    sniffed, error = sniff_delimiter(utf8), None
    for delimiter in dict.fromkeys((sniffed, *DELIMITERS)):
        head, _ = to_commas(utf8[:_HEAD_BYTES], delimiter)
        try:
            found = find([ln.rstrip("\r") for ln in
                          head.decode("utf-8", errors="replace").split("\n")])
        except LoadError as err:
            error = error or err
            continue
        data, label = to_commas(utf8, delimiter)
        return data, encoding if delimiter == "," else f"{encoding}, {label}-separated", found
    raise error


def read_source(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    optional: Iterable[str] = (),
    max_preamble: int = 40,
    trim: bool = True,
    fixed: dict[str, tuple[str, int]] | None = None,
    keywords: dict[str, tuple[str, ...]] | None = None,
) -> SourceTable:
    """Read a CSV whose header may follow a preamble; map column-name variants to canonical names.

    An Excel workbook (.xlsx, .xlsm; told by its bytes) is read as the CSV of its first sheet
    with such a header (``workbook.sheet_csv``): a row's line number is its Excel row.

    ``columns`` maps each canonical name to the accepted header spellings. The header row is
    the first line that holds every required column; a missing one is an error naming it.
    Blank rows and a trailing 'Total' footer are skipped, not counted as data. With
    ``trim=False`` every cell is kept exactly as published (a leading tab or '=' included).
    ``fixed`` reads a canonical column from the n-th header cell of a name (a council's own
    column map: the second of two 'Account Code' columns), whatever the synonyms say;
    ``keywords`` finds a column no alias names by a word its header holds.
    """
    fixed = fixed or {}
    columns = {c: ((fixed[c][0],) if c in fixed else ()) + aliases
               for c, aliases in columns.items()}
    path = Path(path)
    raw_bytes = read_bytes(path)
    book = sheet_csv(raw_bytes, path.name, lambda lines, where: _find_header(  # an .xlsx
        lines, columns, set(optional), where, max_preamble, keywords))
    raw_bytes = book.data if book else raw_bytes

    def find(lines: list[str]) -> tuple[int, list[str]]:
        return _find_header(lines, columns, set(optional), path.name, max_preamble, keywords)

    data, encoding, (header_idx, header) = _csv_text(raw_bytes, path.name, find)
    for attempt in range(2):
        positions = _fix_positions(_positions(header, columns, keywords), header, fixed,
                                   f"{path.name}: line {header_idx + 1}")
        body_start = 0
        for _ in range(header_idx + 1):
            nxt = data.find(b"\n", body_start)
            body_start = len(data) if nxt < 0 else nxt + 1
        try:
            try:
                cols, lines, cells, lookup = _fast_read(data, body_start, header_idx + 2,
                                                        len(header), positions)
            except _Fallback:
                text = data.decode("utf-8")
                cols, lines, cells, lookup = _slow_read(text, header_idx, len(header),
                                                        positions)
            break
        except UnicodeDecodeError:
            if attempt:
                raise LoadError(f"{path.name}: cannot decode the file as text") from None
            data, encoding, (header_idx, header) = _csv_text(raw_bytes, path.name, find,
                                                             force_legacy=True)
    n = len(lines)
    arrays = {}
    present = [c for c in columns if cols.get(c) is not None]
    if not trim:
        trimmed = {c: cols[c] for c in present}
    elif n >= 100_000:  # trimming a column lets go of the GIL: two at a time
        with ThreadPoolExecutor(max_workers=2) as pool:
            trimmed = dict(zip(present, pool.map(_trim, [cols[c] for c in present]),
                               strict=True))
    else:
        trimmed = {c: _trim(cols[c]) for c in present}
    for canon in columns:
        arrays[canon] = trimmed.get(canon, arrow.nulls(n, type=arrow.string()))
    arrays["_line"] = arrow.array(lines, type=arrow.int64())
    arrays["_cells"] = arrow.array(cells, type=arrow.int64())
    table = arrow.table(arrays)
    order = [c for c, _ in sorted(positions.items(), key=lambda kv: kv[1])]
    table, skipped = drop_blank_and_footer(table, order)
    labels = {canon: header[pos] for canon, pos in positions.items()}
    return SourceTable(path=path, encoding=book.encoding if book else encoding,
                       header_line=header_idx + 1, header=header, labels=labels, table=table,
                       raw_lookup=lookup, skipped_lines=skipped, notes=book.notes if book else [])


def header_labels(path: Path, columns: dict[str, tuple[str, ...]], optional: Iterable[str] = (),
                  max_preamble: int = 40) -> dict[str, str] | None:
    """The header cells a file would be read with (canonical -> label), or None; reads the head
    of the file only (to tell formats apart)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    try:
        _, _, (_, header) = _csv_text(head, path.name, lambda lines: _find_header(
            lines, columns, set(optional), path.name, max_preamble))
    except LoadError:
        return None
    return {canon: header[pos] for canon, pos in _positions(header, columns).items()}


def read_table(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    optional: Iterable[str] = (),
    max_preamble: int = 40,
) -> SourceTable:
    """``read_source`` for the small loaders; their rows are in ``.frame`` (pandas)."""
    return read_source(path, columns, optional, max_preamble)

