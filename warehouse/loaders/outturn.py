"""MHCLG Revenue Outturn (RS/RO): net current expenditure by authority and service line.

Two published shapes are accepted:

- the workbook as published (``RS_2017-18_data_by_LA.xlsx``): a sheet such as
  "RS LA Data 2017-18" with a title block, a row of RS line numbers, a header row starting
  'E-code, ONS Code, Local authority, ..., Class' and one column per service line, in £ thousand;
  the service-expenditure columns (up to 'TOTAL SERVICE EXPENDITURE') are read, and the rows
  without an E-code (England, class totals, notes) are skipped;
- a long CSV, one row per authority x year x service line: ``financial_year, e_code, ons_code,
  local_authority, class, service, net_current_expenditure_gbp_thousand[, source_file]``.

An authority is picked by its E-code (Camden is E5011) or its ONS code (E09000007); ONS codes
missing in early years are filled from the same E-code's other rows in the file. Amounts are
stored in pounds. A sheet row (or CSV line) with a cell that is not a number is quarantined.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa

from warehouse.loaders.base import (
    Loader,
    LoadError,
    Quarantine,
    fy_check,
    key_schema,
    map_unique,
    not_available,
    parse_amount,
    read_source,
    rows_read_frame,
    to_fy,
    validate,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "financial_year": ("Financial Year", "Year", "Period"),
    "e_code": ("E-code", "E code", "ecode", "LA E-code", "Authority E-code"),
    "ons_code": ("ONS Code", "ONS code", "GSS code", "LA code", "Area Code", "ons_la_code"),
    "authority_name": ("local_authority", "Local authority", "Local Authority Name", "Authority",
                       "LA Name", "LA name"),
    "authority_class": ("class", "Class", "LA class", "Authority class"),
    "service_line": ("service", "Service", "Service line", "RS line", "Line description"),
    "amount_thousand": ("net_current_expenditure_gbp_thousand",
                        "Net current expenditure (£ thousand)", "Net Current Expenditure £000",
                        "Value (£ thousand)", "£ thousand", "value_gbp_thousand"),
    "amount_gbp": ("net_current_expenditure_gbp", "Net current expenditure (£)", "Amount (£)"),
    "published_source": ("source_file", "Source file", "Source"),
}
OPTIONAL = ("ons_code", "authority_class", "amount_thousand", "amount_gbp", "published_source",
            "e_code")
# RS line numbers of the service lines, as in the workbook's line-number row
RS_LINES = {
    "education services": 190, "highways and transport services": 290,
    "children social care": 330, "adult social care": 360, "public health": 390,
    "housing services (gfra only)": 490, "cultural and related services": 509,
    "environmental and regulatory services": 590, "planning and development services": 599,
    "police services": 601, "fire and rescue services": 602, "central services": 690,
    "other services": 698, "total service expenditure": 699,
}
OUT_COLUMNS = ["e_code", "ons_code", "authority_name", "authority_class", "financial_year",
               "rs_line", "service_line", "net_current_expenditure_gbp", "published_source",
               "source_file", "line_no"]


def service_line(label: str | None) -> str | None:
    """One spelling per line: spaces collapsed; 'TOTAL SERVICE EXPENDITURE (...)' shortened."""
    if label is None:
        return None
    text = re.sub(r"\s+", " ", str(label)).strip()
    if text.upper().startswith("TOTAL SERVICE EXPENDITURE"):
        return "TOTAL SERVICE EXPENDITURE"
    return text


SCHEMA = pa.DataFrameSchema(
    {
        "e_code": pa.Column(str, pa.Check.str_matches(
            r"^(E\d{4}|[EWSN]\d{8})$", error="an E-code like E5011 (or an ONS code)"),
            nullable=False),
        "ons_code": pa.Column(str, pa.Check.str_matches(
            r"^[EWSN]\d{8}$", error="an ONS code like E09000007"), nullable=True),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1,
                                                             error="an authority name"),
                                    nullable=False),
        "financial_year": pa.Column(str, fy_check(), nullable=False),
        "service_line": pa.Column(str, pa.Check.str_length(min_value=1, error="a service line"),
                                  nullable=False),
        "net_current_expenditure_gbp": pa.Column(
            float, pa.Check(lambda s: s.abs() < 1e13, error="an amount under £10 trillion"),
            nullable=False),
    },
    strict=False,
)
KEYS = key_schema(["e_code", "financial_year", "service_line"], "authority, year and service line")
PARSE_RULES = {
    "net_current_expenditure_gbp": "a number (£ thousand)",
    "financial_year": "a financial year such as 2017-18",
}


def _fill_ons(frame: pd.DataFrame) -> pd.DataFrame:
    """Early years have no ONS code: take the one the same E-code has in other rows."""
    known = frame[["e_code", "ons_code"]].dropna()
    known = known[known["ons_code"].astype(str).str.strip() != ""]
    if not len(known):
        return frame
    counts = known.value_counts().reset_index()  # the most frequent ONS code of each E-code
    by_e = counts.drop_duplicates("e_code").set_index("e_code")["ons_code"]
    blank = frame["ons_code"].isna() | (frame["ons_code"].astype(str).str.strip() == "")
    frame.loc[blank, "ons_code"] = frame.loc[blank, "e_code"].map(by_e)
    return frame


def _pick(frame: pd.DataFrame, authority: str | None, name: str) -> pd.DataFrame:
    if not authority:
        return frame
    code = authority.strip().upper()
    chosen = frame[(frame["e_code"].astype(str).str.upper() == code)
                   | (frame["ons_code"].astype(str).str.upper() == code)]
    if not len(chosen):
        raise LoadError(f"{name}: no rows for authority {authority} (give its E-code, e.g. "
                        "E5011, or its ONS code, e.g. E09000007)")
    return chosen


def _finish(frame: pd.DataFrame, quarantine: Quarantine, name: str, labels: dict,
            n_rows: int) -> dict:
    good = validate(frame, SCHEMA, quarantine, labels=labels,
                    raw_columns={"net_current_expenditure_gbp": "_amount_text",
                                 "financial_year": "_year_text"},
                    parse_rules=PARSE_RULES)
    good = validate(good, KEYS, quarantine)
    bad_lines = quarantine.lines()
    good = good[~good["_line"].isin(bad_lines)]  # a sheet row loads whole or not at all
    out = pd.DataFrame({
        "e_code": good["e_code"].astype(str),
        "ons_code": good["ons_code"].where(good["ons_code"].notna(), None),
        "authority_name": good["authority_name"].astype(str),
        "authority_class": good["authority_class"].where(good["authority_class"].notna(), None),
        "financial_year": good["financial_year"].astype(str),
        "rs_line": good["rs_line"].astype("Int64"),
        "service_line": good["service_line"].astype(str),
        "net_current_expenditure_gbp": good["net_current_expenditure_gbp"].astype(float),
        "published_source": good["published_source"].where(good["published_source"].notna(),
                                                           None),
        "source_file": name,
        "line_no": good["_line"].astype("int32"),
    }, columns=OUT_COLUMNS)
    return {"outturn": out, "_rows_read": rows_read_frame(n_rows)}


# --- the long CSV ----------------------------------------------------------------------------
def _parse_csv(path: Path, quarantine: Quarantine, authority: str | None) -> dict:
    src = read_source(path, COLUMNS, optional=OPTIONAL)
    quarantine.source = src
    frame = src.frame
    if "e_code" not in src.labels and "ons_code" not in src.labels:
        raise LoadError(f"{path.name}: line {src.header_line}: needs an 'e_code' or an "
                        "'ons_code' column to name each authority")
    if "amount_thousand" in src.labels:
        amount, scale, amount_col = frame["amount_thousand"], 1000.0, "amount_thousand"
    elif "amount_gbp" in src.labels:
        amount, scale, amount_col = frame["amount_gbp"], 1.0, "amount_gbp"
    else:
        raise LoadError(f"{path.name}: line {src.header_line}: missing the amount column "
                        f"(accepted names: {', '.join(COLUMNS['amount_thousand'])}, or in "
                        f"pounds: {', '.join(COLUMNS['amount_gbp'])})")
    frame = frame.assign(
        _amount_text=amount,
        _year_text=frame["financial_year"],
        financial_year=to_fy(frame["financial_year"]),
        service_line=map_unique(frame["service_line"], service_line),
        net_current_expenditure_gbp=parse_amount(amount) * scale,
    )
    frame["ons_code"] = frame["ons_code"].where(~not_available(frame["ons_code"]), None)
    if "e_code" not in src.labels:
        frame["e_code"] = frame["ons_code"]
    frame["rs_line"] = map_unique(
        frame["service_line"], lambda s: RS_LINES.get(s.lower()) if isinstance(s, str) else None)
    frame = _fill_ons(frame)
    frame = _pick(frame, authority, path.name)
    labels = {**src.labels, "net_current_expenditure_gbp": src.labels.get(amount_col, "amount")}
    return _finish(frame, quarantine, path.name, labels, len(frame))


# --- the workbook ----------------------------------------------------------------------------
def _sheet(wb, name: str):
    sheets = [s for s in wb.sheetnames if s.lower().startswith("rs la data")]
    if sheets:
        return wb[sheets[0]]
    for ws in wb.worksheets:  # any sheet with an E-code header near the top
        for row in ws.iter_rows(min_row=1, max_row=20, values_only=True):
            if any(isinstance(v, str) and v.strip().lower() == "e-code" for v in row):
                return ws
    raise LoadError(f"{name}: no sheet named 'RS LA Data ...' and no sheet with an 'E-code' "
                    "header in its first 20 rows")


def _year_from(texts: list[str]) -> str | None:
    for text in texts:
        m = re.search(r"(20\d{2})\s*[-/_]\s*(\d{2})\b", text or "")
        if m and (int(m[1]) + 1) % 100 == int(m[2]):
            return f"{m[1]}/{m[2]}"
    return None


def _parse_workbook(path: Path, quarantine: Quarantine, authority: str | None) -> dict:
    import warnings

    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about print areas and the like
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise LoadError(f"{path.name}: cannot open the workbook ({err})") from err
    try:
        ws = _sheet(wb, path.name)
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    header_idx = next((i for i, row in enumerate(rows[:40]) if any(
        isinstance(v, str) and v.strip().lower() == "e-code" for v in row)), None)
    if header_idx is None:
        raise LoadError(f"{path.name}: sheet '{ws.title}': no header row with 'E-code'")
    header = [("" if v is None else str(v).strip()) for v in rows[header_idx]]
    low = [h.lower() for h in header]
    try:
        e_col = low.index("e-code")
        name_col = next(i for i, h in enumerate(low) if h in ("local authority", "authority"))
        class_col = low.index("class")
    except (ValueError, StopIteration) as err:
        raise LoadError(f"{path.name}: sheet '{ws.title}': line {header_idx + 1}: expected "
                        "'E-code', 'Local authority' and 'Class' columns") from err
    ons_col = next((i for i, h in enumerate(low) if h in ("ons code", "ons_code", "gss code")),
                   None)
    first = class_col + 1
    last = next((i for i in range(first, len(low))
                 if low[i].startswith("total service expenditure")), None)
    if last is None:
        last = next((i - 1 for i in range(first, len(low)) if not low[i]), len(low) - 1)
    lines_row = rows[header_idx - 1] if header_idx else ()
    title = [str(r[0]) for r in rows[:header_idx] if r and r[0]]
    year = _year_from([ws.title, *title, path.name])
    if year is None:
        raise LoadError(f"{path.name}: cannot tell the financial year from the sheet name, "
                        "title or file name (expected e.g. 2017-18)")
    records = []
    n_rows = 0
    for i, row in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        e_code = row[e_col] if e_col < len(row) else None
        named = any(row[c] is not None and str(row[c]).strip()
                    for c in (name_col, class_col) if c < len(row))
        if e_code is None or not str(e_code).strip() or not named:
            continue  # England, class totals, sources and notes
        n_rows += 1
        raw = ",".join("" if v is None else str(v) for v in row[: last + 1])
        for col in range(first, last + 1):
            label = service_line(header[col])
            value = row[col] if col < len(row) else None
            cell = f"{get_column_letter(col + 1)}{i}"
            line_no = lines_row[col] if col < len(lines_row) else None
            records.append({
                "_line": i, "_raw": raw, "e_code": str(e_code).strip(),
                "ons_code": (str(row[ons_col]).strip() if ons_col is not None
                             and row[ons_col] is not None
                             and str(row[ons_col]).strip().lower() not in ("", "n/a", "..")
                             else None),
                "authority_name": (str(row[name_col]).strip()
                                   if row[name_col] is not None else None),
                "authority_class": (str(row[class_col]).strip()
                                    if row[class_col] is not None else None),
                "service_line": label,
                "rs_line": int(line_no) if isinstance(line_no, int | float) else
                RS_LINES.get((label or "").lower()),
                "_amount_text": value, "_cell": cell,
                "financial_year": year, "_year_text": year,
                "published_source": path.name,
            })
    frame = pd.DataFrame.from_records(records)
    if not len(frame):
        return {"outturn": pd.DataFrame(columns=OUT_COLUMNS), "_rows_read": rows_read_frame(0)}
    numeric = frame["_amount_text"].map(lambda v: isinstance(v, int | float)
                                        and not isinstance(v, bool))
    amount = pd.Series(np.nan, index=frame.index)
    amount[numeric] = frame.loc[numeric, "_amount_text"].astype(float) * 1000.0
    text = ~numeric & frame["_amount_text"].notna()
    if text.any():
        parsed = parse_amount(frame.loc[text, "_amount_text"].astype(str)) * 1000.0
        amount[text] = parsed
    frame["net_current_expenditure_gbp"] = amount
    frame["_amount_text"] = [None if v is None else f"{v} (cell {c})"
                             for v, c in zip(frame["_amount_text"], frame["_cell"], strict=True)]
    frame = _pick(frame, authority, path.name)
    n_rows = frame["_line"].nunique() if authority else n_rows
    labels = {"e_code": "E-code", "ons_code": "ONS Code", "authority_name": "Local authority",
              "net_current_expenditure_gbp": f"{ws.title}: service line"}
    return _finish(frame, quarantine, path.name, labels, n_rows)


def _parser(authority: str | None):
    def parse(path: Path, quarantine: Quarantine, con: duckdb.DuckDBPyConnection) -> dict:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _parse_workbook(path, quarantine, authority)
        if path.suffix.lower() == ".xls":
            raise LoadError(f"{path.name}: the old .xls format cannot be read; save it as .xlsx "
                            "or CSV")
        return _parse_csv(path, quarantine, authority)

    return parse


def make_loader(authority: str | None = None) -> Loader:
    """The outturn loader, for every authority in the file or the one named (E- or ONS code)."""
    return dataclasses.replace(LOADER, parse=_parser(authority))


# a workbook and a long CSV may both carry a year: the file loaded last wins, key by key
LOADER = Loader(kind="outturn", tables=("outturn",), parse=_parser(None), upsert=True)

__all__ = ["LOADER", "make_loader", "service_line"]
