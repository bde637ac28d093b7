"""The data-quality page: spend not yet allocated, its view, page, JSON and CSV (staff only)."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from dashboard import data
from dashboard.views.data_quality import data_quality, label_text, pounds

TOTALS = pd.DataFrame([{
    "n_allocated": 3, "allocated_pence": 150_000, "n_unallocated": 2,
    "unallocated_pence": 50_000, "n_supplier_blank": 1, "n_supplier_redacted": 0,
    "n_expense_type_blank": 2, "n_quarantined": 4}])
UNALLOCATED = pd.DataFrame([
    {"department_label": "Parks Team", "service_area_label": "", "n_payments": 1,
     "amount_pence": 60_010, "n_files": 1, "first_payment": date(2023, 4, 1),
     "last_payment": date(2023, 4, 1)},
    {"department_label": "<b>Bad</b>", "service_area_label": "=1+1", "n_payments": 1,
     "amount_pence": -10_010, "n_files": 1, "first_payment": date(2023, 4, 2),
     "last_payment": date(2023, 4, 2)},
])


def test_pounds_are_written_to_the_penny():
    assert pounds(123456) == "£1,234.56"
    assert pounds(-99210) == "-£992.10"
    assert pounds(5) == "£0.05"


def test_labels_are_named_and_a_blank_one_says_so():
    assert label_text("Housing", "Repairs") == "Housing / Repairs"
    assert label_text("Housing", "") == "Housing"
    assert label_text("", " ") == "(blank)"


def test_the_view_says_allocated_and_not_yet_allocated_worked_by_hand():
    view = data_quality(TOTALS, UNALLOCATED)
    # 3 + 2 payments; £1,500.00 + £500.00 = £2,000.00; £500 is 25.0% of the pounds
    assert view.sentences[0] == (
        "5 payments worth £2,000.00 are loaded: 3 (£1,500.00) are allocated to a service and "
        "2 (£500.00, 25.0% of the pounds) are not yet allocated.")
    assert "2 label(s) are waiting for a mapping" in view.sentences[1]
    assert view.sentences[2] == ("Loaded as published and counted in the totals: 1 with a "
                                 "blank supplier; 2 with no expense type.")
    assert "4 spend line(s) were quarantined" in view.sentences[3]
    assert view.table["amount"].tolist() == ["£600.10", "-£100.10"]
    assert view.download["amount_gbp"].tolist() == ["600.10", "-100.10"]


def test_no_spend_is_not_shown_as_zero_spend():
    empty = TOTALS.assign(n_allocated=0, allocated_pence=0, n_unallocated=0,
                          unallocated_pence=0)
    assert data_quality(empty, UNALLOCATED.iloc[:0]).sentences == [
        "No spend has been loaded yet."]


@pytest.fixture
def with_unallocated(monkeypatch):
    frames = {"spend_allocation_totals": TOTALS, "unallocated_spend": UNALLOCATED}
    real = data.query
    monkeypatch.setattr(data, "query", lambda name, **kw: frames[name] if name in frames
                        else real(name, **kw))


def test_the_page_lists_the_labels_in_an_accessible_table(client, with_unallocated):
    r = client.get("/data-quality")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="en-GB">' in html and "<h1>" in html
    assert "<caption>Spend labels not yet allocated to a service" in html
    assert '<th scope="col"' in html and '<th scope="row">Parks Team</th>' in html
    assert "&lt;b&gt;Bad&lt;/b&gt; / =1+1" in html  # escaped, never markup
    assert "<b>Bad</b>" not in html
    assert 'href="/api/v1/staff/unallocated-spend.csv"' in html
    # the keyboard's first stop skips to the main content; the table's region takes focus
    skip = html.index('href="#main-content"')
    assert skip < html.index("<a ", skip + 1)
    assert html[:skip].count("<a ") == 1
    assert 'role="region" aria-labelledby="labels-heading" tabindex="0"' in html


def test_the_page_on_the_demo_says_everything_is_allocated(client):
    r = client.get("/data-quality")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Every loaded payment is allocated to a service." in html
    assert "are allocated to a service and 0 (£0.00" in html


def test_json_and_csv_of_the_labels(client, with_unallocated):
    j = client.get("/api/v1/staff/unallocated-spend").get_json()
    assert j["total"] == 2 and j["rows"][0]["department_label"] == "Parks Team"
    assert j["rows"][0]["amount_pence"] == 60_010
    r = client.get("/api/v1/staff/unallocated-spend.csv")
    assert r.mimetype == "text/csv"
    got = pd.read_csv(io.StringIO(r.get_data(as_text=True)), dtype=str, keep_default_na=False)
    assert got["amount_gbp"].tolist() == ["600.10", "-100.10"]


@pytest.mark.parametrize("path", ["/data-quality?x=1", "/api/v1/staff/unallocated-spend?a=b"])
def test_a_forged_parameter_gets_a_4xx(client, path):
    assert 400 <= client.get(path).status_code < 500


def test_a_public_reader_is_refused(client, monkeypatch):
    from dashboard import auth

    monkeypatch.setattr(auth, "current_user", lambda: auth.ANONYMOUS)
    assert client.get("/data-quality").status_code == 403
    assert client.get("/api/v1/staff/unallocated-spend").status_code == 403
