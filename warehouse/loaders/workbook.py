"""Excel workbooks (.xlsx, .xlsm) read as the CSV the rest of the reader already knows.

Many councils publish their spend file as a workbook. ``sheet_csv`` turns one of its sheets
into UTF-8 CSV bytes, which ``read_source`` then reads exactly as it reads a CSV: header
found past a preamble, synonyms, amounts, dates, footers, quarantine, reconciliation. The
file's sha256 and lineage stay those of the workbook as published.

- **Line numbers are row numbers.** Line *n* of the CSV is row *n* of the sheet, so a
  payment's lineage line is its Excel row. A blank row is an empty line (skipped like any
  blank line). A line break inside a cell (Alt+Enter) is written as one space, so that no
  cell spans two lines and shifts the rows after it; that is the only change made to text.
- **Which sheet.** The first sheet (visible sheets first, in order, then hidden ones) whose
  first rows hold a header the caller's header detection accepts. When the workbook has more
  than one sheet, ``notes`` says which was read.
- **Cells.** Formulas are read as the values Excel last calculated (``data_only``). Every
  row is padded with empty cells to the width of the widest row, as Excel's "Save as CSV"
  does. Text is kept as it is (a leading '=', '+', '-' or '@' included: the warehouse stores
  text exactly, and CSV output elsewhere neutralises formulas). Whole numbers are written as
  integers; other numbers by ``repr`` (the shortest text that reads back as the same float,
  never an exponent), so '1428.6399999999999' is parsed and rounded to the penny (1428.64)
  like the same text in a CSV. Dates are ISO ``YYYY-MM-DD``, with `` HH:MM:SS`` only when the
  time is not midnight; booleans are TRUE and FALSE; empty cells are empty.
- **Not read.** The old binary .xls (and a password-protected workbook, the same container),
  OpenDocument .ods and binary .xlsb are refused with a message saying to save the file as
  .xlsx or CSV.

openpyxl reads the sheet in read-only mode (streamed XML, values only); the sheet's stored
dimensions are ignored, since some generators write wrong ones.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from warehouse.loaders.text import OLE_MAGIC, ZIP_MAGIC, LoadError

_OOXML_PARTS = (b"[Content_Types].xml", b"xl/workbook", b"xl/worksheets/", b"docProps/")
HEADER_ROWS = 40
SAVE_AS = "open it in a spreadsheet program and save it as .xlsx or CSV"


@dataclass
class SheetCSV:
    """A sheet written as CSV: its bytes, the sheet's name and what the load should say."""

    data: bytes
    sheet: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are a spreadsheet: an OLE container (.xls), or a zip holding an Office
    Open XML package or an OpenDocument one (their part names are stored uncompressed, so a
    cut-short download is still told apart from any other zip, which is not text either)."""
    if data[:8] == OLE_MAGIC:
        return True
    return data[:4] == ZIP_MAGIC and (b"opendocument" in data[:200]
                                      or any(part in data for part in _OOXML_PARTS))


def _refuse_unreadable(data: bytes, name: str) -> None:
    if data[:8] == OLE_MAGIC:
        raise LoadError(f"{name}: this is an old binary Excel .xls workbook (or a password-"
                        f"protected one), which cannot be read; {SAVE_AS}")
    head = data[:200]
    if b"mimetype" in head and b"opendocument" in head:
        raise LoadError(f"{name}: this is an OpenDocument spreadsheet (.ods), which cannot be "
                        f"read; {SAVE_AS}")
    if b"xl/workbook.bin" in data:
        raise LoadError(f"{name}: this is a binary Excel workbook (.xlsb), which cannot be "
                        f"read; {SAVE_AS}")


def _break(text: str) -> str:
    return text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _datetime(value: datetime) -> str:
    if value.time() == time(0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


_CONVERT: dict[type, Callable[[object], str]] = {
    bool: lambda v: "TRUE" if v else "FALSE",
    int: str,
    float: _number,
    datetime: _datetime,
    date: lambda v: v.isoformat(),
    time: lambda v: v.isoformat(),
    timedelta: str,
}


def cell_text(value: object) -> str:
    """A cell's value as the CSV text the reader parses (see the module's docstring)."""
    if value is None:
        return ""
    if type(value) is str:
        return _break(value) if "\n" in value or "\r" in value else value
    convert = _CONVERT.get(type(value))
    if convert is None:
        convert = next((f for t, f in _CONVERT.items() if isinstance(value, t)), str)
    return convert(value)


def _row_cells(row: tuple) -> list[str]:
    """A row's cells as text, trailing empty cells dropped (a blank row is [])."""
    cells = [cell_text(v) for v in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _to_csv(rows: list[list[str]]) -> bytes:
    width = max((len(r) for r in rows), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(r + [""] * (width - len(r)) if r else r for r in rows)
    return out.getvalue().encode("utf-8")


def _open(data: bytes, name: str):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about print areas and the like
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                          keep_links=False)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise LoadError(f"{name}: cannot open the workbook ({type(err).__name__}: {err}); "
                        f"{SAVE_AS}") from err


def _rows(ws, name: str, max_row: int | None = None) -> list[list[str]]:
    ws.reset_dimensions()  # stored dimensions can be wrong: read every cell there is
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [_row_cells(r) for r in ws.iter_rows(max_row=max_row, values_only=True)]
    except LoadError:
        raise
    except Exception as err:  # noqa: BLE001 - a damaged sheet
        raise LoadError(f"{name}: sheet '{ws.title}': cannot read the sheet "
                        f"({type(err).__name__}: {err}); {SAVE_AS}") from err


def sheet_csv(data: bytes, name: str,
              accepts: Callable[[list[str], str], object]) -> SheetCSV | None:
    """The workbook's spend sheet as CSV bytes, or None when ``data`` is not a workbook.

    ``accepts(lines, where)`` is the header detection (``_find_header``): it is given the
    first rows of a sheet as CSV lines and raises ``LoadError`` when they hold no header.
    When no sheet has one, the first sheet's error is raised (it names the sheet).
    """
    if not is_workbook(data):
        return None
    _refuse_unreadable(data, name)
    wb = _open(data, name)
    try:
        sheets = wb.worksheets
        if not sheets:
            raise LoadError(f"{name}: the workbook has no worksheet")
        ordered = ([s for s in sheets if s.sheet_state == "visible"]
                   + [s for s in sheets if s.sheet_state != "visible"])
        first_error: LoadError | None = None
        for ws in ordered:
            head = _to_csv(_rows(ws, name, HEADER_ROWS)).decode("utf-8").split("\n")
            try:
                accepts(head, f"{name}: sheet '{ws.title}'")
            except LoadError as err:
                first_error = first_error or err
                continue
            body = _to_csv(_rows(ws, name))
            break
        else:
            raise first_error  # type: ignore[misc] - at least one sheet was tried
    finally:
        wb.close()
    notes = []
    if len(sheets) > 1:
        names = ", ".join(repr(s.title) for s in sheets)
        notes.append(f"{name}: read sheet '{ws.title}' of the workbook's {len(sheets)} "
                     f"({names}); line numbers are that sheet's row numbers")
    return SheetCSV(data=body, sheet=ws.title, encoding=f"xlsx workbook, sheet '{ws.title}'",
                    notes=notes)
