"""``python -m warehouse load``: copy, load, rebuild marts, check, swap - or leave it as it was."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.loaders.conftest import FIXTURES
from warehouse import __main__ as cli
from warehouse import build, load

HEAD = "Body,Department,Supplier Name,Invoice Creation Date,Invoice Nett Amount,Subj Description\n"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _spend_file(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _count(path: Path, sql: str):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


GOOD = ["Lambeth,Adults' and Community Services,Test Co,03/07/2012,1500.00,TEST",
        'Lambeth,"Housing, Regeneration and Environment",Test Co,04/07/2012,(200.00),TEST']


def test_a_good_file_is_loaded_marts_rebuilt_and_swapped_in(live, tmp_path, capsys):
    path = _spend_file(tmp_path, "july.csv", [GOOD[0]])
    before = _count(live, "select sum(spend_gbp) from mart_spend_service_year")
    version = _count(live, "select build_id from build_info")
    assert load.run("spend", [path], target=live) == 0
    assert "july.csv: loaded - 1 read, 1 loaded, 0 quarantined" in capsys.readouterr().out
    after = _count(live, "select sum(spend_gbp) from mart_spend_service_year")
    assert after == pytest.approx(before + 1500.0)
    # a new data version: the dashboard's cached answers (keyed by it) are not served again
    assert _count(live, "select build_id from build_info") != version
    assert not list(live.parent.glob(".live.duckdb.loading-*"))


def test_all_or_nothing_when_one_file_of_several_fails(live, tmp_path, capsys):
    good = _spend_file(tmp_path, "good.csv", [GOOD[0]])
    broken = tmp_path / "broken.csv"
    broken.write_text("Department,Supplier Name\nX,Y\n", encoding="utf-8")
    before = _sha(live)
    assert load.run("spend", [good, broken], target=live) == 1
    err = capsys.readouterr().err
    assert "good.csv: loaded" in err and "broken.csv: FAILED" in err
    assert "nothing was loaded" in err
    assert _sha(live) == before


def test_a_year_with_no_outcome_data_loads_with_a_warning_in_the_load_log(live, tmp_path,
                                                                          capsys):
    # spend in 2015/16, a year with no outcome units for the area: mart_area_year_complete is a
    # completeness check, so it warns (printed, and recorded in load_log) and the load goes on
    path = _spend_file(tmp_path, "later.csv",
                       ["Lambeth,Adults' and Community Services,Test Co,03/07/2015,1500.00,T"])
    assert cli.main(["load", "spend", str(path), "--target", str(live)]) == 0
    out = capsys.readouterr().out
    assert "later.csv: loaded - 1 read, 1 loaded, 0 quarantined" in out
    assert "check warning mart_area_year_complete" in out
    assert "loaded into" in out
    assert _count(live, "select count(*) from spend where financial_year = '2015/16'") == 1
    message = _count(live, "select message from load_log where file_name = 'later.csv'")
    assert "check warning mart_area_year_complete" in message
    assert "2015/16" in message


def test_a_failed_integrity_check_leaves_the_warehouse_as_it_was(live, tmp_path, monkeypatch,
                                                                  capsys):
    # the loaders refuse what the integrity checks look for (keys, shares, intervals), so a
    # failing one is added: every real check, plus one that always finds a row
    checks = tmp_path / "checks"
    checks.mkdir()
    for sql in build.CHECKS.glob("*.sql"):
        shutil.copy(sql, checks / sql.name)
    (checks / "zz_always_fails.sql").write_text("-- integrity (no severity line: an error)\n"
                                                "select 1 as broken\n", encoding="utf-8")
    monkeypatch.setattr(build, "CHECKS", checks)
    path = _spend_file(tmp_path, "july.csv", [GOOD[0]])
    before = _sha(live)
    assert load.run("spend", [path], target=live) == 1
    assert "check FAILED zz_always_fails" in capsys.readouterr().err
    assert _sha(live) == before
    assert not list(live.parent.glob(".live.duckdb.loading-*"))


def test_check_severity_comes_from_the_header_line():
    assert build.check_severity("-- x\n-- severity: warning (why)\nselect 1") == "warning"
    assert build.check_severity("-- x\nselect 1") == "error"
    severities = {sql.stem: build.check_severity(sql.read_text(encoding="utf-8"))
                  for sql in build.CHECKS.glob("*.sql")}
    # integrity stays an error: keys, allocation shares, intervals, ranges
    for name in ("allocation_shares_sum_to_one", "interval_contains_value", "mart_keys_unique",
                 "spend_key_unique", "spend_service_exists", "unit_cost_range",
                 "effect_ratio_range", "spend_year_matches_date"):
        assert severities[name] == "error", name
    assert severities["mart_area_year_complete"] == "warning"


def test_loading_the_same_file_again_changes_no_byte(live, tmp_path, capsys):
    path = _spend_file(tmp_path, "july.csv", GOOD)
    assert load.run("spend", [path], target=live) == 0
    before = _sha(live)
    assert load.run("spend", [path], target=live) == 0
    assert "nothing new to load" in capsys.readouterr().out
    assert _sha(live) == before


def test_a_corrected_reissue_replaces_its_rows_through_the_command(live, tmp_path):
    path = _spend_file(tmp_path, "july.csv", GOOD)
    assert load.run("spend", [path], target=live) == 0
    path.write_text(HEAD + GOOD[0].replace("1500.00", "1400.00") + "\n", encoding="utf-8")
    assert load.run("spend", [path], target=live) == 0
    assert _count(live, "select sum(amount_gbp) from spend where source_file = 'july.csv'") \
        == 1400


@pytest.mark.parametrize(("args", "message"), [
    (["nonsense", "x.csv"], "unknown kind 'nonsense'"),
    (["spend", "missing.csv"], "no such file"),
    (["spend", "x.csv", "--max-bad-share", "5"], "between 0 and 1"),
    (["spend", "x.csv", "--authority", "E5011"], "outturn kind only"),
])
def test_usage_errors(live, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text(HEAD, encoding="utf-8")
    assert load.main([*args, "--target", str(live)]) == 2
    assert message in capsys.readouterr().err


def test_no_warehouse_yet(tmp_path, capsys):
    (tmp_path / "x.csv").write_text(HEAD, encoding="utf-8")
    code = load.run("spend", [tmp_path / "x.csv"], target=tmp_path / "none.duckdb")
    assert code == 2
    assert "run 'python -m warehouse build' first" in capsys.readouterr().err


def test_through_python_m_warehouse(live, tmp_path, capsys):
    path = _spend_file(tmp_path, "july.csv", [GOOD[0]])
    assert cli.main(["load", "spend", str(path), "--target", str(live),
                     "--max-bad-share", "0.1"]) == 0
    assert "loaded into" in capsys.readouterr().out


def test_an_older_warehouse_gets_the_new_tables(live, capsys):
    con = duckdb.connect(str(live))
    con.execute("drop table outturn")
    con.close()
    code = load.main(["outturn", str(FIXTURES / "outturn_long_small.csv"), "--target", str(live),
                      "--authority", "E5099", "--max-bad-share", "0.2"])
    assert code == 0, capsys.readouterr()
    assert _count(live, "select count(distinct e_code) from outturn") == 1


def test_a_second_load_waits_for_the_first(live, tmp_path, capsys):
    path = _spend_file(tmp_path, "july.csv", [GOOD[0]])
    with open(live.with_name(f".{live.name}.lock"), "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        code = load.run("spend", [path], target=live, wait_s=0.3)
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    assert code == 2
    err = capsys.readouterr().err
    assert "is writing this warehouse; waiting up to 0.3 s" in err
    assert "gave up after waiting 0.3 s" in err
