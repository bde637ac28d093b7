"""The data-quality view of the spend: what is allocated to a service, what is not yet, and
which labels are waiting for a mapping, largest first.

Pure: frames of ``spend_allocation_totals`` and ``unallocated_spend`` in, a table and sentences
out. Pounds arrive in whole pence (exact integers) and are written to the penny; nothing
unknown is shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

COLUMNS = {  # column -> heading, in the order shown
    "label": "Label in the spend files",
    "n_payments": "Payments",
    "amount": "Amount",
    "n_files": "Files",
    "first_payment": "First payment",
    "last_payment": "Last payment",
}


@dataclass(frozen=True)
class DataQuality:
    sentences: list[str]
    table: pd.DataFrame  # one row per label not yet allocated, largest first (COLUMNS)
    # the same rows as data, for CSV and JSON: amount_pence exact, amount_gbp its text
    download: pd.DataFrame


def pounds(pence: int) -> str:
    """Whole pence written as pounds to the penny: 123456 -> '£1,234.56', -99210 -> '-£992.10'."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "no spend"


def label_text(department: str, service_area: str) -> str:
    """'Department / service area'; '(blank)' for a payment published with no label."""
    parts = [p for p in (department, service_area) if isinstance(p, str) and p.strip()]
    return " / ".join(parts) or "(blank)"


def data_quality(totals: pd.DataFrame, unallocated: pd.DataFrame) -> DataQuality:
    """Sentences and the table of labels not yet allocated (see the module's docstring)."""
    t = totals.iloc[0] if len(totals) else None
    sentences: list[str] = []
    if t is None or int(t["n_allocated"]) + int(t["n_unallocated"]) == 0:
        sentences.append("No spend has been loaded yet.")
    else:
        n_all = int(t["n_allocated"]) + int(t["n_unallocated"])
        p_all = int(t["allocated_pence"]) + int(t["unallocated_pence"])
        sentences.append(
            f"{n_all:,} payments worth {pounds(p_all)} are loaded: "
            f"{int(t['n_allocated']):,} ({pounds(int(t['allocated_pence']))}) are allocated to a "
            f"service and {int(t['n_unallocated']):,} ({pounds(int(t['unallocated_pence']))}, "
            f"{_share(int(t['unallocated_pence']), p_all)} of the pounds) are not yet allocated.")
        if int(t["n_unallocated"]):
            sentences.append(
                f"{len(unallocated):,} label(s) are waiting for a mapping; map them in the "
                "council's mapping file (python -m warehouse inspect FILE --mapping-template "
                "OUT writes one) and load it: their payments are allocated without reloading "
                "the spend.")
        marks = [(int(t["n_supplier_blank"]), "with a blank supplier"),
                 (int(t["n_supplier_redacted"]), "with a redacted supplier"),
                 (int(t["n_expense_type_blank"]), "with no expense type")]
        said = [f"{n:,} {what}" for n, what in marks if n]
        if said:
            sentences.append("Loaded as published and counted in the totals: "
                             + "; ".join(said) + ".")
        if int(t["n_quarantined"]):
            sentences.append(f"{int(t['n_quarantined']):,} spend line(s) were quarantined "
                             "(not loaded); each is listed with its file, line and reason in "
                             "the load log.")
    download = unallocated.copy()
    download["amount_gbp"] = [pounds(int(p)).replace("£", "").replace(",", "")
                              for p in download["amount_pence"]]
    table = pd.DataFrame({
        "label": [label_text(d, a) for d, a in zip(unallocated["department_label"],
                                                   unallocated["service_area_label"],
                                                   strict=True)],
        "n_payments": [f"{int(n):,}" for n in unallocated["n_payments"]],
        "amount": [pounds(int(p)) for p in unallocated["amount_pence"]],
        "n_files": [f"{int(n):,}" for n in unallocated["n_files"]],
        "first_payment": [str(pd.Timestamp(d).date()) for d in unallocated["first_payment"]],
        "last_payment": [str(pd.Timestamp(d).date()) for d in unallocated["last_payment"]],
    }, columns=list(COLUMNS))
    return DataQuality(sentences, table, download)
