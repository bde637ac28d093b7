"""A source file's bytes and text: read once (and hashed), decoded as UTF-8, Windows-1252 or
Latin-1, line ends made LF. DuckDB's CSV reader (2.0) reads UTF-8, UTF-16 and Latin-1 only
(Windows-1252 needs its encodings extension, which is downloaded), and councils publish
Windows-1252, so files are decoded here, with Python's codecs."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from pathlib import Path

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_HEAD_BYTES = 1 << 16


class LoadError(Exception):
    """A file that cannot be loaded at all; the message names the file (and line, column)."""



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
    otherwise Windows-1252, then Latin-1, which decodes anything. UTF-16 is known by its BOM,
    or without one by a NUL byte after each ASCII letter of the start (Excel's "Unicode text").
    """
    if not data or _is_blank_bytes(data):
        raise LoadError(f"{name}: the file is empty")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _lf(data.decode("utf-16").encode("utf-8")), "utf-16"
        except UnicodeDecodeError as err:
            raise LoadError(f"{name}: cannot decode as UTF-16 ({err})") from err
    if _utf16_le_without_bom(data):
        try:
            return _lf(data.decode("utf-16-le").encode("utf-8")), "utf-16"
        except UnicodeDecodeError as err:
            raise LoadError(f"{name}: cannot decode as UTF-16 ({err})") from err
    if data.endswith(b"\x00"):  # NUL padding after the last line (fixed-size exports)
        data = data.rstrip(b"\x00")
    if b"\x00" in data[:4096]:
        raise LoadError(f"{name}: this is not a text file (it contains NUL bytes){_kind(data)}")
    if data[:4096].lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise LoadError(f"{name}: this is a web page (HTML), not CSV text: the download "
                        "failed or needs a login; fetch the CSV file itself")
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


ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .ods (zip packages)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc and encrypted .xlsx


def _kind(data: bytes) -> str:
    """What a binary file published as CSV is, and what to do ('.csv' files that are Excel
    workbooks are published too)."""
    if data[:4] == ZIP_MAGIC:
        return ("; it is an Excel workbook (.xlsx) or another zip file: open it in Excel and "
                "save it as CSV")
    if data[:8] == OLE_MAGIC:
        return "; it is an Excel 97-2003 workbook (.xls): open it in Excel and save it as CSV"
    return ""


def _utf16_le_without_bom(data: bytes) -> bool:
    """UTF-16 LE text with no BOM: every odd byte of the start is NUL, the even ones are not."""
    head = data[:512] if len(data) % 2 == 0 else b""
    return len(head) >= 8 and not head[1::2].strip(b"\x00") and b"\x00" not in head[0::2]


DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_SEP_HINT = re.compile(rb"^\s*sep=(.)\s*$")


def _typical_width(lines: list[str], delimiter: str) -> int:
    """The commonest number of cells (two or more) of the lines split at ``delimiter``."""
    try:
        counts = Counter(len(r) for r in csv.reader(lines, delimiter=delimiter) if len(r) > 1)
    except csv.Error:
        return 1
    return max(counts, key=lambda w: (counts[w], w)) if counts else 1


def sniff_delimiter(data: bytes) -> str:
    """The delimiter of a CSV file's head: the one (comma, tab, semicolon, pipe) that splits
    most of its first lines into the most cells; comma unless another gives more (three or
    more cells). Excel's 'sep=;' first line is followed."""
    hint = _SEP_HINT.match(data[:16].split(b"\n", 1)[0])
    if hint and hint[1].decode("latin-1") in DELIMITERS:
        return hint[1].decode("latin-1")
    head = data[:_HEAD_BYTES].decode("utf-8", errors="replace")
    lines = head.splitlines(keepends=True)[:60]
    widths = {d: _typical_width(lines, d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (widths[d], d == ","))
    return best if widths[best] >= 3 and widths[best] > widths[","] else ","


def to_commas(data: bytes, delimiter: str | None = None) -> tuple[bytes, str]:
    """UTF-8 CSV bytes with commas between cells, and the name of the delimiter found.

    A file separated by tabs (Excel's "Unicode text" export), semicolons or pipes is rewritten
    record by record with Python's csv module (``sniff_delimiter`` decides which); each record
    keeps its line (a quoted line break stays in its cell), so line numbers hold. A comma file
    is returned as it is. ``delimiter`` overrides the sniffing.
    """
    delimiter = delimiter or sniff_delimiter(data)
    if delimiter == ",":
        return data, DELIMITERS[","]
    text = data.decode("utf-8", errors="surrogateescape")  # bad bytes go back as they were
    # a file whose head quotes no whole cell ('\t"Smith, J"\t') is read with quotes as text: a
    # supplier '"Acme' in a ledger extract must not swallow the rest of the file
    head = text[:_HEAD_BYTES]
    d = re.escape(delimiter)
    # (a quoted cell may hold a line break: Excel's tab export quotes only such cells)
    quoted = re.search(rf'(^|{d})"[^"]{{0,4000}}"({d}|\r?$)', head, re.MULTILINE) is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                          quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE):
        writer.writerow(row)
    return out.getvalue().encode("utf-8", errors="surrogateescape"), DELIMITERS[delimiter]


_BARE_CR = re.compile(rb"\r(?!\n)")


def _lf(data: bytes) -> bytes:
    """Old Mac files end lines with CR alone: make them LF so line numbers mean something.

    Told by the head of the file: a CR not followed by LF there (some exports end every line
    with CR but the last with CRLF); then every line end becomes LF (CRLF first)."""
    head = data[:_HEAD_BYTES].rstrip(b"\r")
    if b"\r" in head and _BARE_CR.search(head):
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
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

