"""The fingertips kind (the API's CSV export as published) and the fetch that makes such files.

The HTTP layer is tested against a recorded-format response served by a requests adapter:
no test here needs the network.
"""

from __future__ import annotations

import pytest
import requests

from tests.loaders.conftest import FIXTURES, add_indicator, new_warehouse, real
from warehouse.loaders import LOADERS, load_file
from warehouse.loaders import fetch_fingertips as ff

RECORDED = FIXTURES / "fingertips_api" / "by_indicator_id_22401.csv"
HEADER = RECORDED.read_bytes().decode("utf-8-sig").splitlines()[0]


class Recorded(requests.adapters.BaseAdapter):
    """Answers every request with the next recorded (status, body); remembers the requests."""

    def __init__(self, *answers: tuple[int, bytes]):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.url = request.url
        response.request = request
        response.headers["Content-Type"] = "text/csv"
        return response

    def close(self):
        pass


def _session(*answers: tuple[int, bytes]) -> tuple[requests.Session, Recorded]:
    adapter = Recorded(*answers)
    session = requests.Session()
    session.mount("https://", adapter)
    return session, adapter


@pytest.fixture
def falls_db():
    con = new_warehouse()
    add_indicator(con, 22401, "Emergency hospital admissions due to falls, 65+",
                  "Directly standardised rate", 100000)
    return con


def test_the_published_export_header_is_accepted(falls_db):
    r = load_file(falls_db, LOADERS["fingertips"], RECORDED)
    assert (r.status, r.rows_read, r.rows_loaded) == ("loaded", 10, 10)
    row = falls_db.execute(
        "select geo_name, period, sex, age, category, numerator, denominator, value, lower95, "
        "upper95, lower998, upper998 from indicator_value where geo_code = 'E09000007' "
        "and period = '2022/23'").fetchall()
    assert row == [("Camden", "2022/23", "Persons", "65+ yrs", "", 580.0, 27000.0, 2150.0,
                    1979.0, 2331.0, 1896.0, 2426.0)]


def test_values_outside_their_interval_unknown_indicators_and_repeats_are_quarantined(
        falls_db, tmp_path):
    lines = RECORDED.read_bytes().decode("utf-8-sig").splitlines()
    bad_ci = lines[3].replace(",2300.0,2120.0,2490.0,", ",2600.0,2120.0,2490.0,")
    unknown = lines[4].replace("22401,", "99999,", 1)
    path = tmp_path / "fingertips_bad.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[2], bad_ci, unknown, lines[1]]) + "\n",
                    encoding="utf-8")
    r = load_file(falls_db, LOADERS["fingertips"], path, max_bad_share=0.6)
    assert (r.rows_read, r.rows_loaded, r.rows_quarantined) == (5, 2, 3)
    rejected = dict(falls_db.execute("select line_no, reason from rejected_row").fetchall())
    assert "lower 95% limit <= value <= upper 95% limit" in rejected[4]
    assert "an indicator in the indicator metadata" in rejected[5]
    assert "an earlier line has the same" in rejected[6]


def test_real_subset_with_deprivation_categories(falls_db):
    r = load_file(falls_db, LOADERS["fingertips"], real("fingertips_22401_falls65plus_subset.csv"))
    assert (r.status, r.rows_read, r.rows_loaded, r.rows_quarantined) == ("loaded", 1080, 1080,
                                                                          0)
    cats = falls_db.execute("select count(distinct category) from indicator_value "
                            "where category like '%deprivation deciles%'").fetchall()[0][0]
    assert cats == 40  # the same decile names under six category types, kept apart
    england = falls_db.execute(
        "select value from indicator_value where geo_code = 'E92000001' and period = '2018/19' "
        "and sex = 'Male' and category = ''").fetchall()
    assert england == [(1846.25988,)]


def test_fetch_keeps_the_area_its_region_and_england(tmp_path):
    session, adapter = _session((200, RECORDED.read_bytes()))
    out = tmp_path / "indicators" / "fingertips_camden.csv"
    result = ff.fetch("e09000007", [22401], out, session=session)
    sent = adapter.requests[0].url
    assert sent.startswith("https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?")
    assert "indicator_ids=22401" in sent and "child_area_type_id=502" in sent
    assert "parent_area_type_id=6" in sent
    assert result.rows_received == 10 and result.rows_written == 6
    assert result.areas == ["E09000007", "E12000007", "E92000001"]
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == HEADER
    assert not any("Islington" in line or "Manchester" in line for line in text)


def test_a_fetched_file_loads(tmp_path, falls_db):
    session, _ = _session((200, RECORDED.read_bytes()))
    out = tmp_path / "fingertips_camden.csv"
    ff.fetch("E09000007", [22401], out, session=session)
    r = load_file(falls_db, LOADERS["fingertips"], out)
    assert (r.status, r.rows_loaded) == ("loaded", 6)


def test_fetch_retries_a_server_error_then_gives_up(tmp_path, monkeypatch):
    monkeypatch.setattr(ff.time, "sleep", lambda s: None)
    session, adapter = _session((503, b"busy"), (503, b"busy"), (503, b"busy"))
    with pytest.raises(ff.FetchError, match="after 3 tries"):
        ff.fetch("E09000007", [22401], tmp_path / "x.csv", session=session)
    assert len(adapter.requests) == 3
    assert not (tmp_path / "x.csv").exists()


def test_fetch_recovers_after_one_server_error(tmp_path, monkeypatch):
    monkeypatch.setattr(ff.time, "sleep", lambda s: None)
    session, _ = _session((500, b"oops"), (200, RECORDED.read_bytes()))
    result = ff.fetch("E09000007", [22401], tmp_path / "x.csv", session=session)
    assert result.rows_written == 6


@pytest.mark.parametrize(("answer", "message"), [
    ((404, b"Not found"), "HTTP 404"),
    ((200, b""), "empty file"),
    ((200, b"<html>maintenance</html>"), "not a Fingertips CSV export"),
])
def test_fetch_errors_say_what_went_wrong(tmp_path, answer, message):
    session, _ = _session(answer)
    with pytest.raises(ff.FetchError, match=message):
        ff.fetch("E09000007", [22401], tmp_path / "x.csv", session=session)


def test_fetch_for_an_area_not_in_the_answer(tmp_path):
    session, _ = _session((200, RECORDED.read_bytes()))
    with pytest.raises(ff.FetchError, match="no rows for area E09000001"):
        ff.fetch("E09000001", [22401], tmp_path / "x.csv", session=session)


def test_fetch_command_line_reports_failure(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise ff.FetchError("no network in tests")

    monkeypatch.setattr(ff, "fetch", refuse)
    code = ff.main(["--area", "E09000007", "--indicator", "22401", "--out",
                    str(tmp_path / "x.csv")])
    assert code == 1
    assert "fetch failed: no network in tests" in capsys.readouterr().err


def test_a_newer_export_replaces_the_values_it_also_carries(falls_db, tmp_path):
    load_file(falls_db, LOADERS["fingertips"], RECORDED)
    lines = RECORDED.read_bytes().decode("utf-8-sig").splitlines()
    revised = lines[7].replace(",2150.0,1979.0,2331.0,", ",2160.0,1979.0,2331.0,")
    newer = tmp_path / "fingertips_22401_revised.csv"
    newer.write_text(lines[0] + "\n" + revised + "\n", encoding="utf-8")
    assert load_file(falls_db, LOADERS["fingertips"], newer).status == "loaded"
    rows = falls_db.execute("select value, source_file from indicator_value "
                            "where geo_code = 'E09000007' and period = '2022/23'").fetchall()
    assert rows == [(2160.0, "fingertips_22401_revised.csv")]
    assert falls_db.execute("select count(*) from indicator_value").fetchall()[0][0] == 10
