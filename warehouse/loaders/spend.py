"""Spend-over-£500 files (Local Government Transparency Code 2015), as councils publish them.

The fast path: the file is read by ``read_source`` (pyarrow, with line numbers), amounts, dates
and financial years are parsed column-wise (each distinct date once), services are looked up
through the council's spend mapping on the distinct labels only. The rules of ``spend_schema``
run column-wise on every row (``rule_failures``); pandera validates the rows they flag and
says which rule each broke. Good rows go to the warehouse as an Arrow table, never as Python
objects, and the spend table's key and service foreign key are checked in the file's
transaction as they go in (``check_keys``; the schema does not declare them).

A row's service is found in this order: (department, service area) in ``spend_mapping``;
(department, expense type) in ``spend_expense_mapping``; the department alone (a
``spend_mapping`` row whose service area is blank). Labels match ignoring case, spacing and
the style of apostrophes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

from warehouse.loaders.allocation import label_key, map_services  # noqa: F401 - re-exported
from warehouse.loaders.base import (
    Loader,
    LoadError,
    Quarantine,
    SourceTable,
    financial_year_arrow,
    parse_amount_arrow,
    parse_date_arrow,
    read_source,
    rows_read_frame,
    validate,
)
from warehouse.loaders.mend import mark_mended, mend_split_cells, mended_note
from warehouse.loaders.spend_report import (
    MAX_TEXT,
    Reconciliation,
    header_rows,
    label_lines,
    no_dates_error,
    note_rows,
    other_bodies,
    pennies,
    text_marks,
    total_rows,
    unallocated_labels,
)

# canonical name -> header spellings seen in published files (Local Government Transparency
# Code 2015 names first, then what councils actually publish). Headers match ignoring case,
# spaces, punctuation and CamelCase ('PaymentDate' is 'Payment Date'); an earlier spelling wins
# when a file has two that match.
COLUMNS: dict[str, tuple[str, ...]] = {
    "body_name": ("Body Name", "Organisation Name", "Body", "Name of Body", "Council Name",
                  "Organisation", "Local Authority", "Authority", "Council"),
    "department_label": ("Department", "Directorate", "Service Area Category", "Department Name",
                         "Service Division", "Portfolio", "Department Area",
                         "Organisational Unit", "Organisatonal Unit", "Organisation Unit",
                         "Directorate Name", "Dept", "Department Description", "Service Block",
                         "Responsible Unit", "Entity", "Directotate", "Strategic Group",
                         "Service Label"),
    "service_area_label": ("Service Area", "Service", "Expense Area", "Cost Centre Description",
                           "Division", "Service Division Label", "Cost Centre Name",
                           "Service Area Name", "Service Description", "Expenditure Area",
                           "Cost Centre", "Cost Centre Desc", "Service Area Description", "Team",
                           "Expense Area Name", "Section", "Business Unit Description",
                           "Business Unit"),
    "expense_type": ("Expenses Type", "Expense Type", "Subj Description", "Subjective Description",
                     "Expenditure Category", "Account Description", "Expense Description",
                     "Expenditure Type", "Subjective", "Category Internal Name",
                     "Proclass Label", "Detailed Expenditure Type", "Expense Category",
                     "Subjective Name", "Account Name", "Category", "Proclass",
                     "Expense Code Description", "Purchase Category", "Merchant Category",
                     "Supplier Category", "Expenditure Account Code Description",
                     "Cost Element", "Expenditure Description", "Service Expenditure Type",
                     "Proclass Description", "G/L Description", "Procurement Classification",
                     "Category Family", "Expenditure Account"),
    "payment_date": ("Payment Date", "Invoice Payment Date", "Date Paid", "Paid Date", "Pay Date",
                     "Date of Payment", "Payment Run Date", "Cheque Date", "Date", "Posting Date",
                     "Transaction Date", "Invoice Creation Date", "Invoice Date",
                     "Document Date", "Effective Date", "Clearing Date", "GL Date",
                     "Invoice GL Date", "Certified Date", "Date Posted", "Posted Date",
                     "Updated", "Payment Month", "Payment Period", "Month", "Period"),
    "transaction_ref": ("Transaction Number", "Transaction No", "Reference", "Invoice Number",
                        "Transaction ID", "Voucher Number", "Document Number", "Trans No",
                        "Transaction Reference", "Invoice No", "Invoice Ref", "Reference No",
                        "Payment Reference", "Doc No", "Unique Transaction ID"),
    # net of VAT first: the Code's amount excludes recoverable VAT ('Amount' beside 'Amount
    # Excl VAT' is the gross)
    "amount_gbp": ("Net Amount", "Amount Excl VAT", "Amount £ (Excl VAT)",
                   "Amount Excluding VAT", "Nett Amount", "Invoice Nett Amount",
                   "Net Amount (£)", "Net Value", "Net", "Net Expenditure",
                   "Total (excludes VAT)", "Amount", "Amount Paid", "Amount (£)", "Value",
                   "Amount £", "Amount GBP", "Amount in Sterling", "Payment Amount",
                   "Transaction Amount", "Paid Amount", "Invoice Amount", "Line Amount",
                   "Value (£)", "Total", "Total Amount", "Sum of Amount", "Expenditure",
                   "Invoiced Value", "Spend", "Grand Total", "Gross", "Gross Amount"),
    "supplier_name": ("Supplier Name", "Beneficiary Name", "Beneficiary", "Supplier", "Payee",
                      "Payee Name", "Vendor Name", "Vendor", "Merchant Name", "Creditor Name",
                      "Creditor", "Recipient", "Recipient Name", "Name",
                      "Supplier Name (redacted where personal data)", "Benificiary Name",
                      "Supplier Text"),
    "purpose": ("Purpose of Expenditure", "Purpose", "Description", "Summary of Purpose",
                "Narrative", "Invoice Description", "Line Description", "Details"),
}
# a column no spelling above names is found by a word its header holds (whole words, after
# the exact names of every column; 'Supplier Name (Redacted)', 'Date of Transaction'): an
# earlier word before a later one ('Posting Date' before 'Period'), the three columns every
# file has first (so 'Net Expenditure' is the amount, not the expense type)
# (Welsh councils' headers are bilingual, 'Date / Dyddiad', or Welsh: 'Dyddiad Talu', 'Enw'r
# Cyflenwr', 'Swm', 'Cyfarwyddiaeth', 'Adran', 'Gwasanaeth', 'Math o Wariant')
KEYWORDS: dict[str, tuple[str, ...]] = {
    "payment_date": ("payment date", "date paid", "paid", "date", "dyddiad", "month", "period"),
    "amount_gbp": ("net amount", "amount", "nett", "net", "value", "gbp", "sterling", "swm",
                   "total", "gross"),
    "supplier_name": ("supplier", "beneficiary", "benificiary", "payee", "vendor", "merchant",
                      "creditor", "recipient", "cyflenwr"),
    "department_label": ("directorate", "department", "portfolio", "division", "cyfarwyddiaeth",
                         "adran"),
    "service_area_label": ("service area", "expense area", "cost centre", "cost center",
                           "service", "gwasanaeth"),
    "expense_type": ("expense type", "expenses type", "expenditure type", "subjective",
                     "expense", "expenditure", "category", "gwariant"),
    "purpose": ("purpose", "narrative"),
}
# any one organisational column is enough: a file with one has it read as the department
ORGANISATIONAL = ("department_label", "service_area_label")
OPTIONAL = ("body_name", "transaction_ref", "purpose", "expense_type", *ORGANISATIONAL)
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)
PARSE_RULES = {
    "payment_date": "a UK date such as 25/06/2012",
    "amount_gbp": "an amount such as 1234.50, £1,234.50, -500 or (500.00)",
}
INSERT_BATCH = 122_880  # rows: DuckDB's row group
TEXT_COLUMNS = ("department_label", "service_area_label", "supplier_name", "expense_type",
                "purpose", "transaction_ref", "body_name")


def _short(name: str) -> pa.Column:
    return pa.Column(str, pa.Check.str_length(max_value=MAX_TEXT,
                                              error=f"text of at most {MAX_TEXT} characters"),
                     nullable=True)


def spend_schema(width: int, named_width: int | None = None) -> pa.DataFrameSchema:
    """The rules a payment line must pass, on the parsed columns (one pandera schema).

    A payment with blank labels, a blank or redacted supplier or no expense type passes: it
    is real spend (marked, and held as not yet allocated when no mapping places it). Cells past
    the last named header column may be missing.
    """
    low = width if named_width is None else named_width
    return pa.DataFrameSchema(
        {
            "_cells": pa.Column(int, pa.Check.in_range(low, width,
                                                       error="as many cells as the header")),
            **{name: _short(name) for name in TEXT_COLUMNS},
            "payment_date": pa.Column(
                "datetime64[ns]",
                pa.Check.in_range(pd.Timestamp(EARLIEST), pd.Timestamp(LATEST),
                                  error="a date between 1990 and 2100"),
                nullable=False),
            "amount_gbp": pa.Column(
                float, pa.Check(lambda s: s.abs() < 1e10, error="an amount under £10bn"),
                nullable=False),
        },
        strict=False,
        coerce=False,
    )


# kept for callers that want the schema of a ten-column file
SCHEMA = spend_schema(10)

def _str_series(col: arrow.ChunkedArray | arrow.Array) -> pd.Series:
    return col.to_pandas(types_mapper={arrow.string(): pd.StringDtype("pyarrow", na_value=np.nan)}
                         .get)


def rule_failures(t: arrow.Table, amount: np.ndarray, pdate: arrow.Array, width: int,
                  named_width: int) -> np.ndarray:
    """The rows breaking a rule of ``spend_schema``, found column-wise with Arrow and numpy.

    The same rules as the pandera schema, written as vectorised tests over the whole file;
    pandera then validates these rows (only) to say which rule each broke. A test holds the
    two to agreement on every fixture (tests/loaders/test_spend.py).
    """
    cells = t.column("_cells").to_numpy()
    bad = (cells < named_width) | (cells > width)
    for name in TEXT_COLUMNS:  # bytes first (no scan): a long text has more bytes than letters
        col = t.column(name)
        long_bytes = np.flatnonzero(np.asarray(
            pc.fill_null(pc.greater(pc.binary_length(col), MAX_TEXT), False), dtype=bool))
        if len(long_bytes):
            chars = pc.utf8_length(col.take(arrow.array(long_bytes)))
            bad[long_bytes[np.asarray(pc.greater(chars, MAX_TEXT), dtype=bool)]] = True
    with np.errstate(invalid="ignore"):
        bad |= ~(np.abs(amount) < 1e10)  # NaN (not an amount) fails too
    if len(pdate):
        outside = pc.or_(pc.less(pdate, arrow.scalar(EARLIEST, arrow.date32())),
                         pc.greater(pdate, arrow.scalar(LATEST, arrow.date32())))
        bad |= np.asarray(pc.fill_null(outside, True), dtype=bool)
    return bad


def spend_frame(t: arrow.Table, amount: np.ndarray, pdate: arrow.Array,
                index: np.ndarray | None = None) -> pd.DataFrame:
    """The parsed columns as the pandas frame ``spend_schema`` validates (row labels: ``index``,
    the rows' positions in the file's table)."""
    frame = pd.DataFrame(
        {
            "_line": t.column("_line").to_numpy(),
            "_cells": t.column("_cells").to_numpy(),
            **{name: _str_series(t.column(name)) for name in TEXT_COLUMNS},
            "payment_date": pdate.cast(arrow.timestamp("ns")).to_pandas(),
            "payment_date_text": _str_series(t.column("payment_date")),
            "amount_gbp": amount,
            "amount_text": _str_series(t.column("amount_gbp")),
        }
    )
    if index is not None:
        frame.index = index
    return frame


def named_width(header: list[str]) -> int:
    """Cells up to the last named header column: a row may stop there (empty trailing
    columns of the header are often left off the rows)."""
    named = [i for i, cell in enumerate(header) if cell.strip()]
    return named[-1] + 1 if named else len(header)


def organisational(src: SourceTable) -> arrow.Table:
    """The file's table with its organisational labels in place: a file with one such column
    (any of the department or service-area names) has it read as the department, with a blank
    service area. A file with none loads too, every payment under a blank label (not yet
    allocated); ``no_organisation_note`` says so."""
    t = src.table
    if "department_label" not in src.labels:
        if "service_area_label" not in src.labels:
            return t.set_column(t.column_names.index("department_label"), "department_label",
                                arrow.array([""] * t.num_rows, arrow.string()))
        src.labels["department_label"] = src.labels.pop("service_area_label")
        t = t.set_column(t.column_names.index("department_label"), "department_label",
                         t.column("service_area_label"))
        t = t.set_column(t.column_names.index("service_area_label"), "service_area_label",
                         arrow.nulls(t.num_rows, arrow.string()))
    if "expense_type" not in src.labels:  # some files publish no expense type at all
        t = t.set_column(t.column_names.index("expense_type"), "expense_type",
                         arrow.array([""] * t.num_rows, arrow.string()))
    return t


def no_organisation_note(src: SourceTable) -> list[str]:
    """A warning for a file with no organisational column (its payments cannot be mapped)."""
    if "department_label" in src.labels:
        return []
    names = "; ".join(", ".join(COLUMNS[c]) for c in ORGANISATIONAL)
    return [f"warning: {src.path.name}: line {src.header_line}: no organisational column (a "
            f"department or service area; accepted names: {names}); every payment is held as "
            "not yet allocated under a blank label"]


def column_map(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int]]:
    """The council's own column map (its mapping file's ``spend_columns``): canonical column
    -> (header text, occurrence), for what synonyms cannot settle."""
    try:
        rows = con.execute(
            "select column_name, header, occurrence from spend_column_map").fetchall()
    except duckdb.CatalogException:  # a warehouse built before column maps existed
        return {}
    return {c: (h, int(n)) for c, h, n in rows}


def _drop(t: arrow.Table, amount: np.ndarray, pdate: arrow.Array, service: arrow.Array,
          marks: arrow.Array, drop: np.ndarray
          ) -> tuple[arrow.Table, np.ndarray, arrow.Array, arrow.Array, arrow.Array]:
    mask = arrow.array(~drop)
    return (t.filter(mask), amount[~drop], pdate.filter(mask), service.filter(mask),
            marks.filter(mask))


def _any_usable(pdate: arrow.Array) -> bool:
    """Whether any date is one a payment can have (between 1990 and 2100)."""
    if pdate.null_count == len(pdate):
        return False
    inside = pc.and_(pc.greater_equal(pdate, arrow.scalar(EARLIEST, arrow.date32())),
                     pc.less_equal(pdate, arrow.scalar(LATEST, arrow.date32())))
    return bool(pc.any(inside).as_py())


def _dates(t: arrow.Table, pdate: arrow.Array, src: SourceTable,
           period: date | None) -> tuple[arrow.Array, list[str]]:
    """The payment dates; a file with no usable date in any row (none, or only Excel's empty
    date, 30/12/1899 or 01/01/1900: none between 1990 and 2100) is refused naming its date
    column, unless the user gave the period of the whole file (then every row has it)."""
    if period is None and (not len(pdate) or _any_usable(pdate)):
        return pdate, []
    if period is None:
        samples = [v for v in pc.unique(t.column("payment_date")).to_pylist()[:3] if v]
        raise no_dates_error(src.path.name, src.labels["payment_date"], samples)
    column = (f"its '{src.labels['payment_date']}' column is not read"
              if "payment_date" in src.labels else "it has no date column")
    note = (f"payment dates: the period {period.isoformat()} given by the user for the whole "
            f"file ({column})")
    return arrow.array([period] * t.num_rows, type=arrow.date32()), [note]


def _body_notes(con: duckdb.DuckDBPyConnection, t: arrow.Table) -> list[str]:
    """A warning for each body named in the file that is not the warehouse's council."""
    if not t.num_rows or t.column("body_name").null_count == t.num_rows:
        return []
    councils = [r[0] for r in con.execute(
        "select org_name from organisation where is_council order by org_code").fetchall()]
    bodies = [b for b in pc.unique(t.column("body_name")).to_pylist() if b and b.strip()]
    others = [b for b in bodies if councils and all(other_bodies([b], c) for c in councils)]
    return [f"warning: body {b!r} in the file is not the warehouse's council "
            f"({', '.join(councils)}); loaded as published" for b in others[:5]]


def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection,
          period: date | None = None) -> dict:
    """Read a spend file as published; every payment is kept, allocated to a service or not.

    ``period`` is the date given to every payment of a file that has no usable date.
    """
    # with the period given, a file with no date column at all loads too
    optional = (*OPTIONAL, "payment_date") if period is not None else OPTIONAL
    src = read_source(path, COLUMNS, optional=optional, trim=False, fixed=column_map(con),
                      keywords=KEYWORDS)
    quarantine.source = src
    t = organisational(src)
    t, mended = mend_split_cells(t, src.header, src.labels, src.raw)
    # the four are independent and mostly let go of the GIL (Arrow and numpy kernels)
    with ThreadPoolExecutor(max_workers=2) as pool:
        amount_job = pool.submit(parse_amount_arrow, t.column("amount_gbp"))
        date_job = pool.submit(parse_date_arrow, t.column("payment_date"))
        marks_job = pool.submit(text_marks, t)
        service = map_services(con, t)
        amount, pdate, marks = amount_job.result(), date_job.result(), marks_job.result()
    marks = mark_mended(t, marks, mended)
    totals = total_rows(t, amount, pdate)
    notes_ = note_rows(t, amount, pdate) | header_rows(t, src.labels, pdate)
    n_totals, totals_pence = int(totals.sum()), int(pennies(amount[totals]).sum())
    if n_totals or notes_.any():
        t, amount, pdate, service, marks = _drop(t, amount, pdate, service, marks,
                                                 totals | notes_)
    pdate, notes = _dates(t, pdate, src, period)
    # src.notes: the sheet of a workbook read
    notes = [*src.notes, *notes, *no_organisation_note(src), *mended_note(mended)]
    keep = ~rule_failures(t, amount, pdate, src.width, named_width(src.header))
    flagged = np.flatnonzero(~keep)
    if len(flagged):
        # pandera validates the flagged rows and quarantines each with the rules it broke
        take = arrow.array(flagged)
        frame = spend_frame(t.take(take), amount[flagged], pdate.take(take), index=flagged)
        passed = validate(frame, spend_schema(src.width, named_width(src.header)), quarantine,
                          labels=src.labels,
                          raw_columns={"payment_date": "payment_date_text",
                                       "amount_gbp": "amount_text"},
                          width=src.width, parse_rules=PARSE_RULES)
        keep[passed.index.to_numpy()] = True
    pence = pennies(amount)
    mapped = ~np.asarray(pc.is_null(service), dtype=bool)
    recon = Reconciliation(
        file_total=int(pence.sum()), allocated=int(pence[keep & mapped].sum()),
        unallocated=int(pence[keep & ~mapped].sum()), quarantined=int(pence[~keep].sum()),
        rows_allocated=int((keep & mapped).sum()), rows_unallocated=int((keep & ~mapped).sum()),
        rows_quarantined=int((~keep).sum()), total_rows=n_totals, total_rows_pence=totals_pence,
        note_rows=int(notes_.sum()), skipped_lines=src.skipped_lines,
        rows_no_amount=int((~keep & np.isnan(amount)).sum()))
    if keep.all():
        kept, dates, services, amounts, kept_marks = t, pdate, service, amount, marks
    else:
        kept, amounts, dates, services, kept_marks = _drop(t, amount, pdate, service, marks,
                                                           ~keep)
    if recon.rows_unallocated:  # only the two label columns of those rows are needed
        waiting = pc.is_null(services)
        labels = unallocated_labels(
            kept.select(["department_label", "service_area_label"]).filter(waiting),
            pennies(amounts)[np.asarray(waiting, dtype=bool)])
    else:
        labels = []
    said = recon.sentences() if t.num_rows or n_totals or recon.note_rows else []
    notes = [*said, *label_lines(labels), *notes, *_body_notes(con, kept)]
    out = _spend_table(path.name, kept, dates, services, amounts, kept_marks)
    return {"spend": out, "_rows_read": rows_read_frame(t.num_rows), "_notes": notes,
            "_summary": {"reconciliation": recon, "unallocated": labels}}


def _spend_table(file_name: str, kept: arrow.Table, dates: arrow.Array, services: arrow.Array,
                 amounts: np.ndarray, marks: arrow.Array) -> arrow.Table:
    n_kept = kept.num_rows
    out = arrow.table(
        {
            "source_file": arrow.DictionaryArray.from_arrays(
                arrow.array(np.zeros(n_kept, dtype=np.int32)), arrow.array([file_name])),
            "line_no": kept.column("_line").cast(arrow.int32()),
            "body_name": kept.column("body_name"),
            "department_label": pc.fill_null(kept.column("department_label"), ""),
            "service_area_label": pc.fill_null(kept.column("service_area_label"), ""),
            "service_code": services,
            "expense_type": pc.fill_null(kept.column("expense_type"), ""),
            "payment_date": dates,
            "financial_year": financial_year_arrow(dates),
            "transaction_ref": kept.column("transaction_ref"),
            # the column's own type: DuckDB then stores it without a cast per row
            # in whole pence first, rounded as the reconciliation rounds (``pennies``)
            "amount_gbp": pc.cast(arrow.array(pennies(amounts) / 100), arrow.decimal128(14, 2)),
            "supplier_name": pc.fill_null(kept.column("supplier_name"), ""),
            "purpose": kept.column("purpose"),
            "text_marks": marks,
        }
    )
    # batches of exactly one DuckDB row group: DuckDB inserts those (in parallel, one per
    # thread) much faster than batches of other sizes, which it merges to keep their order
    if out.num_rows > INSERT_BATCH:
        # each column made one block first, two columns at a time (Arrow lets go of the GIL)
        with ThreadPoolExecutor(max_workers=2) as pool:
            whole = list(pool.map(_one_block, out.columns))
        out = arrow.Table.from_batches(
            arrow.Table.from_arrays(whole, schema=out.schema).to_batches(
                max_chunksize=INSERT_BATCH), schema=out.schema)
    return out


def _one_block(col: arrow.ChunkedArray) -> arrow.ChunkedArray:
    return col if col.num_chunks <= 1 else arrow.chunked_array([col.combine_chunks()])


def check_keys(con: duckdb.DuckDBPyConnection, frames: dict) -> None:
    """The spend table's key and foreign key, checked over the file's rows as they go in.

    Run in the file's transaction (``Loader.before_insert``), after the rows an earlier version
    of the file loaded are deleted, so the file's rows in the table are exactly these: a line
    number twice, or a service code that is not a service, raises ``LoadError`` naming the
    file, line and column, and the file's transaction is rolled back. The schema does not
    declare these keys because DuckDB checks a declared key row by row, at about the cost of
    the whole read; here the lines are checked with numpy (a file's are in order, so one pass
    suffices) and the service codes per distinct code.
    """
    rows = frames.get("spend")
    if rows is None or not rows.num_rows:
        return
    file_name = rows.column("source_file")[0].as_py()
    lines = rows.column("line_no").to_numpy()
    if len(lines) > 1 and not (np.diff(lines) > 0).all():
        uniq, counts = np.unique(lines, return_counts=True)
        dup = uniq[counts > 1]
        if len(dup):
            shown = ", ".join(str(int(x)) for x in dup[:3])
            raise LoadError(
                f"{file_name}: line {int(dup[0])}: column 'line_no': the spend key (source_file, "
                f"line_no) is held by {int(counts[counts > 1][0])} rows (duplicate lines: "
                f"{shown}); nothing was loaded from this file")
    services = rows.column("service_code")
    codes = [c for c in pc.unique(services).to_pylist() if c is not None]
    if not codes:
        return
    known = {r[0] for r in con.execute(
        "select service_code from service where service_code in (select unnest($c))",
        {"c": codes}).fetchall()}
    missing = [c for c in codes if c not in known]
    if missing:
        at = np.flatnonzero(np.asarray(pc.is_in(services, arrow.array(missing)), dtype=bool))
        first = int(at[np.argmin(lines[at])])
        raise LoadError(
            f"{file_name}: line {int(lines[first])}: column 'service_code': "
            f"{services[first].as_py()!r} is not a service in the warehouse (spend.service_code "
            "must name a row of service); nothing was loaded from this file")


LOADER = Loader(kind="spend", tables=("spend",), parse=parse, before_insert=check_keys)
