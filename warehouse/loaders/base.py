"""Shared machinery of every loader: read a messy file, validate with pandera, quarantine.

A loader turns one source file into rows of one or more warehouse tables. Every source row
keeps its line number, and its raw text can be recovered, so a refused row can be quarantined
with a reason that names the file, line, column and rule. One file is one transaction.

Reading (``read_source``) is vectorised: the header is found past any preamble in Python, the
body is parsed by pyarrow's multi-threaded CSV reader - first as if no value held a newline
(fast; a clean file's line numbers then follow from row order), and again, tracking quotes
across lines, when that read sets rows aside or finds fewer rows than lines - and each
record's line number comes from a numpy scan of the bytes (newlines outside quotes). Rows
whose cell count differs from the header's are set aside by pyarrow and put back with their
line numbers, so they can be quarantined rather than lost. When the two views of the file
disagree (odd quoting), the file is read again, slowly and exactly, with Python's csv module.
"""

from __future__ import annotations

import contextlib
import csv
import getpass
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

DEFAULT_MAX_BAD_SHARE = 0.05
SPECULATE_BYTES = 32 << 20  # files this big are hashed while they are parsed
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_HEAD_BYTES = 1 << 16


class LoadError(Exception):
    """A file that cannot be loaded at all; the message names the file (and line, column)."""


# --- reading ---------------------------------------------------------------------------------
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


@dataclass
class LoadResult:
    kind: str
    file_name: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str
    message: str = ""
    rejected: list[dict] = field(default_factory=list)
    load_id: int | None = None  # the file's row in load_log
    # what the loader says about the file (its total, what is not yet allocated ...), also
    # written to the load_log message; ``summary`` holds the same as data
    notes: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


# the bytes of the file being loaded, read once for its sha256 and again by the reader
_BYTES: dict[Path, tuple[tuple[int, int], bytes]] = {}


def _stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def read_bytes(path: Path) -> bytes:
    """The file's bytes (from memory when ``load_file`` has just read them for the hash)."""
    path = Path(path)
    hit = _BYTES.get(path.resolve())
    if hit is not None and hit[0] == _stat_key(path):
        return hit[1]
    return path.read_bytes()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_blank_bytes(data: bytes) -> bool:
    if data[:_HEAD_BYTES].strip():
        return False
    return not data.strip()


def to_utf8(data: bytes, name: str, force_legacy: bool = False) -> tuple[bytes, str]:
    """The file's bytes re-encoded as UTF-8 (BOM removed, LF line ends kept) and the encoding.

    UTF-8 is assumed when the first 64 KB decode as UTF-8 (the CSV reader checks the rest);
    otherwise Windows-1252, then Latin-1, which decodes anything. UTF-16 needs its BOM.
    """
    if not data or _is_blank_bytes(data):
        raise LoadError(f"{name}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _lf(data.decode("utf-16").encode("utf-8")), "utf-16"
        except UnicodeDecodeError as err:
            raise LoadError(f"{name}: cannot decode as UTF-16 ({err})") from err
    if b"\x00" in data[:4096]:
        raise LoadError(f"{name}: this is not a text file (it contains NUL bytes)")
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    if not force_legacy:
        head = data[:_HEAD_BYTES]
        if len(data) > _HEAD_BYTES and b"\n" in head:
            head = head[: head.rindex(b"\n")]
        try:
            head.decode("utf-8")
            return _lf(data), "utf-8"
        except UnicodeDecodeError:
            pass
    for enc in ("cp1252", "latin-1"):
        try:
            return _lf(data.decode(enc).encode("utf-8")), enc
        except UnicodeDecodeError:
            continue
    raise LoadError(f"{name}: cannot decode as UTF-8 or Latin-1")  # pragma: no cover


def _lf(data: bytes) -> bytes:
    """Old Mac files end lines with CR alone: make them LF so line numbers mean something."""
    if b"\n" not in data[:_HEAD_BYTES] and b"\r" in data[:_HEAD_BYTES]:
        return data.replace(b"\r", b"\n")
    return data


def decode(path: Path) -> tuple[str, str]:
    """Return the file's text and the encoding that read it (UTF-8, then Windows-1252, Latin-1)."""
    path = Path(path)
    raw = read_bytes(path)
    data, enc = to_utf8(raw, path.name)
    try:
        return data.decode("utf-8"), enc
    except UnicodeDecodeError:
        data, enc = to_utf8(raw, path.name, force_legacy=True)
        return data.decode("utf-8"), enc


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _norm(name: str) -> str:
    """A header as matched: CamelCase split into words, then case, spaces and punctuation
    ignored ('PaymentDate', 'Payment_Date' and 'payment date:' are all 'payment date')."""
    return re.sub(r"[^a-z0-9]+", " ", _CAMEL.sub(" ", name).lower()).strip()


def _find_header(
    lines: list[str],
    columns: dict[str, tuple[str, ...]],
    optional: set[str],
    name: str,
    max_preamble: int,
) -> tuple[int, list[str]]:
    wanted = {canon: {_norm(a) for a in (canon, *aliases)} for canon, aliases in columns.items()}
    required = [c for c in columns if c not in optional]
    best: tuple[int, list[str]] | None = None
    for idx, line in enumerate(lines[:max_preamble]):
        cells = next(csv.reader([line]), [])
        normed = {_norm(c) for c in cells}
        found = [c for c in required if wanted[c] & normed]
        if best is None or len(found) > len(best[1]):
            best = (idx, found)
        if len(found) == len(required) and any(c.strip() for c in cells):
            return idx, [c.strip() for c in cells]
    idx, found = best if best else (0, [])
    missing = [c for c in required if c not in found]
    raise LoadError(
        f"{name}: line {idx + 1}: missing required column(s) "
        + ", ".join(f"'{m}'" for m in missing)
        + " (accepted names: "
        + "; ".join(f"{m}: {', '.join((m, *columns[m]))}" for m in missing)
        + ")"
    )


def _positions(header: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, int]:
    normed = [_norm(cell) for cell in header]
    positions: dict[str, int] = {}
    for canon, aliases in columns.items():  # an earlier alias is preferred ('Payment Date')
        for alias in (canon, *aliases):
            pos = next((i for i, h in enumerate(normed)
                        if h == _norm(alias) and i not in positions.values()), None)
            if pos is not None:
                positions[canon] = pos
                break
    return positions


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
    """The body read by pyarrow as strings (wanted columns only), and the rows it set aside."""
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
                strings_can_be_null=False, quoted_strings_can_be_null=False),
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

    starts, ends, before, quotes, _ = _records(body)
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


def _slow_read(text: str, header_idx: int, width: int, positions: dict[str, int]):
    """Exact reading with Python's csv module (quoted newlines, stray quotes)."""
    body_lines = text.split("\n")[header_idx + 1:]
    reader = csv.reader(io.StringIO("\n".join(body_lines)))
    cols: dict[str, list] = {c: [] for c in positions}
    lines: list[int] = []
    cells_n: list[int] = []
    raws: dict[int, str] = {}
    first_line = header_idx + 2
    while True:
        start = reader.line_num
        try:
            cells = next(reader)
            end = reader.line_num
        except StopIteration:
            break
        except csv.Error:  # an unterminated quote: the rest of the file is one bad record
            end = len(body_lines)
            cells = "\n".join(body_lines[start:]).split(",")
        if not cells:
            continue
        line_no = first_line + start
        lines.append(line_no)
        cells_n.append(len(cells))
        raws[line_no] = "\n".join(ln.rstrip("\r") for ln in body_lines[start:end])
        for c, p in positions.items():
            cols[c].append(cells[p] if p < len(cells) else None)
        if end >= len(body_lines):
            break
    columns = {c: arrow.array(v, type=arrow.string()) for c, v in cols.items()}

    def lookup(wanted_lines: Sequence[int]) -> list[str]:
        return [raws.get(int(n), "") for n in wanted_lines]

    return columns, np.asarray(lines, dtype=np.int64), np.asarray(cells_n, dtype=np.int64), lookup


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


def _trim(col: arrow.ChunkedArray | arrow.Array) -> arrow.ChunkedArray | arrow.Array:
    """Strip spaces (Unicode ones too, such as the no-break space) around each cell."""
    return pc.utf8_trim_whitespace(col)


_ALNUM = r"[\pL\pN]"
_FOOTER = re.compile(r"^(grand\s+)?(sub\s*)?totals?\b|^sum\b", re.IGNORECASE)


def _drop_blank_and_footer(table: arrow.Table, order: list[str]) -> tuple[arrow.Table, int]:
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
    # a footer: the last data rows in file order, from a row whose first cell reads 'Total'
    live = np.flatnonzero(keep)
    if len(lines) > 1 and bool(np.all(lines[1:] > lines[:-1])):  # in file order already
        tail = live[-5:]
    else:
        tail = live[np.argsort(lines[live])][-5:]
    cut = None
    for k in tail:
        cells = [table.column(c)[int(k)].as_py() or "" for c in order]
        first = next((c.strip() for c in cells if c.strip()), "")
        filled = sum(1 for c in cells if re.search(r"[^\W_]", c))
        if _FOOTER.match(first) and filled <= max(2, len(order) // 2):
            cut = lines[k]
            break
    if cut is not None:
        keep &= lines < cut
    dropped = int(n - keep.sum())
    return (table if dropped == 0 else table.filter(arrow.array(keep))), dropped


def read_source(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    optional: Iterable[str] = (),
    max_preamble: int = 40,
    trim: bool = True,
) -> SourceTable:
    """Read a CSV whose header may follow a preamble; map column-name variants to canonical names.

    ``columns`` maps each canonical name to the accepted header spellings. The header row is
    the first line that holds every required column; a missing one is an error naming it.
    Blank rows and a trailing 'Total' footer are skipped, not counted as data. With
    ``trim=False`` every cell is kept exactly as published (a leading tab or '=' included).
    """
    path = Path(path)
    raw_bytes = read_bytes(path)
    data, encoding = to_utf8(raw_bytes, path.name)
    for attempt in range(2):
        head = data[:_HEAD_BYTES].decode("utf-8", errors="replace")
        head_lines = [ln.rstrip("\r") for ln in head.split("\n")]
        header_idx, header = _find_header(head_lines, columns, set(optional), path.name,
                                          max_preamble)
        positions = _positions(header, columns)
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
            data, encoding = to_utf8(raw_bytes, path.name, force_legacy=True)
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
    table, skipped = _drop_blank_and_footer(table, order)
    labels = {canon: header[pos] for canon, pos in positions.items()}
    return SourceTable(path=path, encoding=encoding, header_line=header_idx + 1, header=header,
                       labels=labels, table=table, raw_lookup=lookup, skipped_lines=skipped)


def header_labels(path: Path, columns: dict[str, tuple[str, ...]], optional: Iterable[str] = (),
                  max_preamble: int = 40) -> dict[str, str] | None:
    """The header cells a file would be read with (canonical -> label), or None; reads the head
    of the file only (to tell formats apart)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    try:
        data, _ = to_utf8(head, path.name)
        lines = [ln.rstrip("\r") for ln in data.decode("utf-8", errors="replace").split("\n")]
        _, header = _find_header(lines, columns, set(optional), path.name, max_preamble)
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


# --- parsing cells ---------------------------------------------------------------------------
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


# --- quarantine and validation ---------------------------------------------------------------
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
                              "raw_text": raw if raw is not None else "", "reason": reason})

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


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


# --- loading ---------------------------------------------------------------------------------
Frame = pd.DataFrame | arrow.Table


@dataclass
class Loader:
    """One source format. ``parse`` returns {table: frame} of good rows and fills the quarantine.

    A frame may be a pandas DataFrame or a pyarrow Table (the fast path for big files).
    """

    kind: str
    tables: tuple[str, ...]
    parse: Callable[[Path, Quarantine, duckdb.DuckDBPyConnection], dict[str, Frame]]
    # column naming the file whose earlier rows a re-issue replaces; None for reference tables,
    # whose rows are replaced key by key (insert or replace)
    replace_key: str | None = "source_file"
    # also replace rows key by key after deleting the file's earlier rows (another file may
    # have loaded the same keys, e.g. a workbook and a long CSV of the same outturn year)
    upsert: bool = False
    # a loader that accepts several formats picks the one for this file
    choose: Callable[[Path], Loader] | None = None
    # run in the file's transaction before its rows are inserted (e.g. to clear rows the
    # file now states in full, such as a service's area shares)
    before_insert: Callable[[duckdb.DuckDBPyConnection, dict[str, Frame]], None] | None = None
    # run in the file's transaction after its rows are inserted, with the file's name: data
    # checks of rules the schema does not declare (e.g. the spend table's key); raising
    # LoadError rolls the file back; sentences it returns join the file's notes
    after_insert: Callable[[duckdb.DuckDBPyConnection, str], list[str] | None] | None = None


def _already_loaded(con: duckdb.DuckDBPyConnection, kind: str, sha: str) -> str | None:
    """The name under which identical content is the latest loaded version, if any."""
    rows = con.execute(
        """
        select file_name from (
            select file_name, file_sha256,
                   row_number() over (partition by file_name order by load_id desc) as rn
            from load_log where kind = $kind and status = 'loaded'
        ) where rn = 1 and file_sha256 = $sha
        """,
        {"kind": kind, "sha": sha},
    ).fetchall()
    return rows[0][0] if rows else None


def load_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    path: Path,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
    loaded_by: str | None = None,
) -> LoadResult:
    """Load one file in one transaction: log it, quarantine bad rows, refuse it whole if too many.

    The same content (by sha256) loaded again changes nothing but a 'skipped' line in the log;
    a different file with the same name (a corrected re-issue) replaces the rows the earlier
    one loaded. A file whose share of bad rows exceeds ``max_bad_share`` loads nothing; its
    bad rows are still recorded in rejected_row so the refusal can be explained.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    if loader.choose is not None:
        loader = loader.choose(path)
    key = path.resolve()
    data = path.read_bytes()
    _BYTES[key] = (_stat_key(path), data)
    try:
        if len(data) < SPECULATE_BYTES:
            return _load_file(con, loader, path, hashlib.sha256(data).hexdigest(),
                              max_bad_share, loaded_by)
        # a big file is hashed in a second thread while it is parsed (hashlib lets go of the
        # GIL); if it turns out to be loaded already, the parse is thrown away
        with ThreadPoolExecutor(max_workers=1) as pool:
            sha = pool.submit(lambda: hashlib.sha256(data).hexdigest())
            return _load_file(con, loader, path, sha, max_bad_share, loaded_by)
    finally:
        _BYTES.pop(key, None)


def _load_file(
    con: duckdb.DuckDBPyConnection,
    loader: Loader,
    path: Path,
    sha: str | Future,
    max_bad_share: float,
    loaded_by: str | None,
) -> LoadResult:
    name = path.name
    loaded_by = loaded_by or who()
    started = now()
    quarantine = Quarantine(name)
    parsed: dict | None = None
    failure: Exception | None = None
    if isinstance(sha, Future):
        try:
            parsed = loader.parse(path, quarantine, con)
        except Exception as err:  # noqa: BLE001 - raised below unless the file is a repeat
            failure = err
        sha = sha.result()
    same = _already_loaded(con, loader.kind, sha)
    load_id = con.execute("select coalesce(max(load_id), 0) + 1 from load_log").fetchall()[0][0]
    if same is not None:
        message = ("identical file already loaded" if same == name
                   else f"identical to {same}, already loaded")
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, 0, 0, 0, $start, $end, "
            "'skipped', $by, $msg)",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "start": started,
             "end": now(), "by": loaded_by, "msg": message},
        )
        return LoadResult(loader.kind, name, sha, 0, 0, 0, "skipped", message, load_id=load_id)
    if failure is not None:
        raise failure
    frames = parsed if parsed is not None else loader.parse(path, quarantine, con)
    rows_read = int(frames.pop("_rows_read", pd.DataFrame({"n": [0]}))["n"].iloc[0])
    notes = list(frames.pop("_notes", []))
    summary = frames.pop("_summary", {})
    n_bad = len(quarantine.lines())
    n_good = rows_read - n_bad
    share = n_bad / rows_read if rows_read else 0.0
    con.execute("begin transaction")
    try:
        if share > max_bad_share:
            status = "refused"
            message = (
                f"{name}: {n_bad} of {rows_read} rows ({share:.1%}) failed validation, more than "
                f"the {max_bad_share:.0%} allowed; nothing was loaded from this file"
            )
            n_loaded = 0
        else:
            status = "loaded"
            message = f"{n_bad} row(s) quarantined" if n_bad else ""
            if not rows_read:
                message = "no data rows"
            for table in loader.tables if loader.replace_key else ():
                con.execute(
                    f"delete from {table} where {loader.replace_key} = $file",  # noqa: S608 - table names come from the loader's fixed tuple
                    {"file": name},
                )
            if loader.before_insert is not None:
                loader.before_insert(con, frames)
            for table, frame in frames.items():
                if len(frame):
                    insert_frame(con, table, frame,
                                 replace=loader.replace_key is None or loader.upsert)
            if loader.after_insert is not None:
                notes += loader.after_insert(con, name) or []
            n_loaded = n_good
            message = "; ".join(([message] if message else []) + notes)
        con.execute(
            "insert into load_log values ($id, $kind, $file, $sha, $read, $loaded, $bad, $start, "
            "$end, $status, $by, $msg)",
            {"id": load_id, "kind": loader.kind, "file": name, "sha": sha, "read": rows_read,
             "loaded": n_loaded, "bad": n_bad, "start": started, "end": now(), "status": status,
             "by": loaded_by, "msg": message},
        )
        if quarantine.rows:
            rej = pd.DataFrame(sorted(quarantine.rows, key=lambda r: r["line_no"]),
                               columns=["line_no", "column_name", "raw_text", "reason"])
            rej.insert(0, "file_name", name)
            rej.insert(0, "load_id", load_id)
            insert_frame(con, "rejected_row", rej)
        con.execute("commit")
    except duckdb.Error as err:
        con.execute("rollback")
        raise LoadError(f"{name}: {err}") from err
    except Exception:
        con.execute("rollback")
        raise
    rejected = sorted(quarantine.rows, key=lambda r: r["line_no"])
    return LoadResult(loader.kind, name, sha, rows_read, n_loaded, n_bad, status, message,
                      rejected, load_id, notes, summary)


def insert_frame(
    con: duckdb.DuckDBPyConnection, table: str, frame: Frame, replace: bool = False
) -> None:
    """Insert a frame by column name into a warehouse table (table names are code constants).

    With ``replace``, rows whose primary key is already there are updated in place rather
    than deleted and inserted again (``insert or replace``): DuckDB refuses to delete a row
    another table refers to, so a council's mapping could not otherwise be loaded again.
    """
    names = frame.column_names if isinstance(frame, arrow.Table) else list(frame.columns)
    cols = ", ".join(f'"{c}"' for c in names)
    con.register("_incoming", frame)
    try:
        if replace:
            _upsert(con, table, names)
        else:
            con.execute(f"insert into {table} ({cols}) select {cols} from _incoming")  # noqa: S608 - table and column names come from code, never from input
    finally:
        # the transaction may have failed already; the first error is the one to show
        with contextlib.suppress(duckdb.Error):
            con.unregister("_incoming")


def _constraint_columns(con: duckdb.DuckDBPyConnection, table: str, kind: str) -> list[str]:
    rows = con.execute(
        "select constraint_column_names from duckdb_constraints() "
        "where table_name = $t and constraint_type = $k", {"t": table, "k": kind}).fetchall()
    return [c for r in rows for c in r[0]]


def _upsert(con: duckdb.DuckDBPyConnection, table: str, names: list[str]) -> None:
    """Insert the new keys of ``_incoming``; update the other columns of the keys present."""
    key = _constraint_columns(con, table, "PRIMARY KEY")
    cols = ", ".join(f'"{c}"' for c in names)
    if not key or not set(key) <= set(names):
        con.execute(f"insert or replace into {table} ({cols}) select {cols} from _incoming")  # noqa: S608 - code names
        return
    on = " and ".join(f't."{k}" is not distinct from i."{k}"' for k in key)
    # an indexed column (a foreign key) is changed only where it differs: DuckDB rewrites the
    # row for such a change, which it refuses while another table refers to the row
    indexed = set(_constraint_columns(con, table, "FOREIGN KEY"))
    plain = [c for c in names if c not in key and c not in indexed]
    if plain:
        sets = ", ".join(f'"{c}" = i."{c}"' for c in plain)
        con.execute(f"update {table} as t set {sets} from _incoming as i where {on}")  # noqa: S608 - code names
    for col in sorted(indexed & set(names) - set(key)):
        changed = f'{on} and t."{col}" is distinct from i."{col}"'
        try:
            con.execute(f'update {table} as t set "{col}" = i."{col}" from _incoming as i '  # noqa: S608 - code names
                        f"where {changed}")
        except duckdb.ConstraintException as err:
            raise LoadError(f"{table}: cannot change {col} of a row other tables refer to "
                            f"({err}); rebuild the warehouse from the source folder "
                            "instead") from err
    con.execute(f"insert into {table} ({cols}) select {cols} from _incoming as i "  # noqa: S608 - code names
                f"where not exists (select 1 from {table} as t where {on})")


def rows_read_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"n": [n]})


def to_bool(values: pd.Series) -> pd.Series:
    """'yes'/'true'/'1'/'y' -> True, 'no'/'false'/'0'/'n' -> False, else missing."""
    s = values.astype("string").str.strip().str.lower()
    out = s.map({"yes": True, "y": True, "true": True, "1": True,
                 "no": False, "n": False, "false": False, "0": False})
    return out.astype("boolean")


def as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
