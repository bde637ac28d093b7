"""``python -m warehouse inspect``: how a spend file will be read, the warehouse untouched."""

from __future__ import annotations

import argparse
import hashlib
import io
from pathlib import Path

import duckdb
import yaml

from tests.loaders.test_spend_layouts import FILES
from warehouse.inspection import (
    date_format,
    inspect_file,
    main_inspect,
    mapping_template,
    suggest,
)
from warehouse.loaders import LOADERS, load_file


def _write(tmp_path, name):
    encoding, _, text = FILES[name]
    path = tmp_path / name
    path.write_bytes(text.encode(encoding.replace("-sig", "")))
    return path


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_inspect_says_how_each_column_is_read_and_touches_nothing(live, tmp_path):
    path = _write(tmp_path, "cp1252_pounds.csv")
    before = _sha(live)
    out, err = io.StringIO(), io.StringIO()
    template = tmp_path / "template.yaml"
    args = argparse.Namespace(file=path, target=live, mapping_template=template)
    assert main_inspect(args, out, err) == 0, err.getvalue()
    text = out.getvalue()
    assert "encoding cp1252" in text and "4 payment row(s)" in text
    assert "dates: dd.mm.yyyy (4)" in text
    assert "department_label: from 'Expense Area' (label): 'Adult Social Care', 'Parks Team'" \
        in text
    assert "amount_gbp: from 'Amount' (amount): '£3,400.00', '-£992.10', '120.00'" in text
    assert "file total £259,796.33" in text and "1 total row(s) skipped" in text
    assert "not yet allocated: 'Parks Team': 2 rows, £257,388.43" in text
    assert _sha(live) == before  # read-only: not a byte changed
    assert not list(live.parent.glob(".live.duckdb*"))
    parsed = yaml.safe_load(template.read_text(encoding="utf-8"))
    assert isinstance(parsed["spend_mapping"], list)


def test_a_filled_template_loads_and_allocates(wh, tmp_path):
    path = _write(tmp_path, "cp1252_pounds.csv")
    load_file(wh, LOADERS["spend"], path)
    wh.execute("checkpoint")
    db = wh.execute("select file from pragma_database_list where name = current_database()")
    target = db.fetchall()[0][0]
    wh.close()
    found = inspect_file(path, target=Path(target))
    text = mapping_template(found)
    filled = text.replace("# - {department: Parks Team", "- {department: Parks Team") \
        .replace("service: CODE", "service: REPAIRS")
    if "spend_mapping: []" in filled:
        filled = filled.replace("spend_mapping: []", "spend_mapping:")
    out = tmp_path / "filled.yaml"
    out.write_text(filled, encoding="utf-8")
    con = duckdb.connect(target)
    try:
        r = load_file(con, LOADERS["mapping"], out)
        assert r.status == "loaded", r.message
        got = con.execute("select count(*) from spend where department_label = 'Parks Team' "
                          "and service_code = 'REPAIRS'").fetchall()[0][0]
    finally:
        con.close()
    assert got == 2


def test_date_formats_are_named():
    assert date_format(["01.03.2019", "02.03.2019"]) == "dd.mm.yyyy (2)"
    assert date_format(["30-Oct-13"]) == "dd-Mon-yy (1)"
    assert date_format(["2017-06-01 00:00:00"]) == "yyyy-mm-dd hh:mm:ss (1)"
    assert date_format(["00:00:00", ""]) == "a time alone (no date) (1)"


def test_a_service_is_suggested_only_when_the_label_resembles_it():
    services = [("HOMECARE", "Home care", "Adult social care - home care"),
                ("LIB", "Libraries", None)]
    assert suggest("HOME CARE", services)[0] == "HOMECARE"
    assert suggest("Treasury management", services) is None
