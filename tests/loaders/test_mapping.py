"""The mapping kind and the templates a council starts from (docs/templates/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.loaders.conftest import FIXTURES, add_indicator, new_warehouse, table_state
from warehouse.loaders import LOADERS, LoadError, load_file

TEMPLATES = Path(__file__).resolve().parents[2] / "docs" / "templates"


@pytest.fixture
def templated():
    con = new_warehouse()
    for iid in (900001, 22401, 900020, 900021):
        add_indicator(con, iid)
    return con


def test_the_mapping_template_loads(templated):
    r = load_file(templated, LOADERS["mapping"], TEMPLATES / "mapping.yaml")
    assert (r.status, r.rows_quarantined) == ("loaded", 0)
    shares = templated.execute("select service_code, area_code, share from service_allocation "
                               "order by all").fetchall()
    assert ("REPAIRS", "HOMES", 0.8) in shares and ("REPAIRS", "OLDER", 0.2) in shares
    assert templated.execute("select service_code from spend_expense_mapping").fetchall() == [
        ("HOMECARE",)]


def test_the_spillover_template_loads_after_the_mapping_and_unit_costs(templated):
    load_file(templated, LOADERS["mapping"], TEMPLATES / "mapping.yaml")
    load_file(templated, LOADERS["unit-costs"], FIXTURES / "unit_costs_simple.csv")
    r = load_file(templated, LOADERS["spillover-links"], TEMPLATES / "spillover_links.csv")
    assert (r.status, r.rows_loaded, r.rows_quarantined) == ("loaded", 2, 0)
    link = templated.execute("select effect_ratio, effect_ratio_low, effect_ratio_high, "
                             "evidence_grade, payer_code from spillover_link "
                             "where link_id = 'LUNCH-FALLADM'").fetchall()
    assert link == [(0.77, 0.71, 0.83, "high", "NHS-ACUTE")]


def test_a_bad_item_is_quarantined_with_its_yaml_line(tmp_path):
    text = (TEMPLATES / "mapping.yaml").read_text(encoding="utf-8")
    text = text.replace("  type: nhs\n", "  type: hospital\n")
    text = text.replace("- code: NHS-ACUTE\n  organisation: NHS-ICB\n  name: NHS hospital care\n",
                        "")
    lines = text.splitlines()
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    con = new_warehouse()
    for iid in (900001, 22401, 900020, 900021):
        add_indicator(con, iid)
    r = load_file(con, LOADERS["mapping"], path, max_bad_share=0.2)
    assert r.rows_quarantined == 1
    bad = r.rejected[0]
    assert lines[bad["line_no"] - 1].strip() == "- code: NHS-ICB"
    assert "org_type" in bad["reason"] and "'hospital'" in bad["reason"]


def test_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("organisations:\n- code: [unclosed\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"mapping.yaml: line \d+: not valid YAML"):
        load_file(new_warehouse(), LOADERS["mapping"], path)


def test_loading_a_changed_mapping_again_updates_it_in_place(wh, tmp_path):
    """Services are referred to by spend and shares: they are updated, not replaced."""
    load_file(wh, LOADERS["spend"], FIXTURES / "spend_messy.csv")
    text = (FIXTURES / "mapping_testborough.yaml").read_text(encoding="utf-8")
    text = text.replace("name: Home care\n", "name: Home care and reablement\n")
    text = text.replace("areas: {HOMES: 0.8, OLDER: 0.2}", "areas: {HOMES: 1.0}")
    path = tmp_path / "mapping_testborough.yaml"
    path.write_text(text, encoding="utf-8")
    r = load_file(wh, LOADERS["mapping"], path)
    assert r.status == "loaded", r.message
    assert wh.execute("select service_name from service where service_code = 'HOMECARE'"
                      ).fetchall() == [("Home care and reablement",)]
    shares = wh.execute("select area_code, share from service_allocation "
                        "where service_code = 'REPAIRS'").fetchall()
    assert shares == [("HOMES", 1.0)]  # the old OLDER share went with the restatement


def test_moving_a_referenced_department_is_refused_clearly(wh, tmp_path):
    text = (FIXTURES / "mapping_testborough.yaml").read_text(encoding="utf-8")
    text = text.replace("- code: HOUSING\n  organisation: TBC",
                        "- code: HOUSING\n  organisation: NHS-T")
    path = tmp_path / "mapping_testborough.yaml"
    path.write_text(text, encoding="utf-8")
    before = table_state(wh)
    with pytest.raises(LoadError, match="cannot change org_code of a row other tables refer to"):
        load_file(wh, LOADERS["mapping"], path)
    assert table_state(wh) == before


def test_a_section_written_twice_is_refused_naming_its_line(wh, tmp_path):
    from warehouse.loaders import LOADERS, LoadError, load_file

    path = tmp_path / "twice.yaml"
    path.write_text("spend_mapping:\n- {department: A, service_area: '', service: LUNCH}\n"
                    "spend_mapping:\n- {department: B, service_area: '', service: LUNCH}\n",
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"twice.yaml: line 3: section 'spend_mapping' appears "
                                         "twice"):
        load_file(wh, LOADERS["mapping"], path)
