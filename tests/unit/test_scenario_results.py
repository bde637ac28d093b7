"""The planner's plain-data view of a model run: hand-worked figures on small frames."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard.views import scenario_results as sr

PAYERS = pd.DataFrame({"payer_code": ["ASC", "NHS"], "payer_label": ["Adult social care", "NHS"],
                       "is_council": [True, False]})
SERVICES = pd.DataFrame({
    "service_code": ["CLUB", "RESCARE", "PARKS"],
    "service_name": ["Lunch club", "Residential care for older people", "Parks"],
    "dept_code": ["ASC", "ASC", "ASC"],
    "statutory": [False, True, False],
})
COSTS = pd.DataFrame({
    "cost_item": ["ADM", "HC"], "label": ["Admission", "Home care hour"],
    "payer_code": ["NHS", "ASC"], "unit_cost_gbp": [2000.0, 20.0],
    "unit_cost_low_gbp": [2000.0, 20.0], "unit_cost_high_gbp": [2000.0, 20.0],
    "price_year": ["2023/24"] * 2, "source": ["test"] * 2,
})


def _link(**kw):
    row = {"link_id": "CLUB-ADM", "service_code": "CLUB", "activity_unit_cost_gbp": 1000.0,
           "outcome_code": "falls:admission", "outcome_label": "Admissions after a fall",
           "events_per_unit": 0.5, "effect_ratio": 0.8, "effect_ratio_low": 0.8,
           "effect_ratio_high": 0.8, "cost_item": "ADM", "payer_code": "NHS", "lag_years": 0,
           "drop_off": 1.0, "evidence_grade": "low", "source": "test"}
    row.update(kw)
    return row


LINKS = pd.DataFrame([
    _link(),
    _link(link_id="CLUB-HC", outcome_code="falls:home_care", outcome_label="Home care",
          events_per_unit=50.0, cost_item="HC", payer_code="ASC", evidence_grade="high"),
])


def run(changes, **kw):
    kw.setdefault("draws", 20)
    return sr.scenario_results(changes, links=LINKS, unit_costs=COSTS, payers=PAYERS,
                               services=SERVICES, **kw)


@pytest.mark.parametrize(("value", "text"), [
    (116_319.0, "£116k"), (-116_319.0, "\u2212£116k"), (1_023_456.0, "£1.02m"),
    (5_432.0, "£5.43k"), (950.4, "£950"), (999_999.0, "£1m"), (0.0, "£0"),
    (2_540_000_000.0, "£2.54bn"), (float("nan"), "unknown"),
])
def test_money_in_sentences_has_three_significant_figures(value, text):
    assert sr.money_prose(value) == text


@pytest.mark.parametrize(("p", "text"), [
    (0.0, "<1%"), (0.004, "<1%"), (0.01, "1%"), (0.5, "50%"), (0.99, "99%"), (0.995, ">99%"),
    (1.0, ">99%"), (None, "not given"), (float("nan"), "not given"),
])
def test_probabilities_never_claim_certainty(p, text):
    assert sr.probability_text(p) == text


def test_a_cut_and_an_expansion_of_the_same_service_by_hand():
    # £100,000 at £1,000 a place = 100 places; 0.5 * (1 - 0.8) = 0.1 admissions a place:
    # 10 admissions at £2,000 = £20,000 a year (unadjusted). Home care: 100 * 50 * 0.2 = 1,000
    # hours at £20 = £20,000 a year, high certainty (not adjusted).
    cut = run({"CLUB": -100_000.0}, years=1)
    adm = next(r for r in cut["links"] if r["link_id"] == "CLUB-ADM")
    # low certainty: an extra cost is scaled up by (1 + 0.3)(1 + 0.1) = 1.43
    assert adm["knock_on_5y_unadjusted"] == pytest.approx(-20_000.0)
    assert adm["knock_on_5y"] == pytest.approx(-28_600.0)
    assert adm["years"] == [pytest.approx(-28_600.0)]
    assert (adm["optimism_bias_pct"], adm["deadweight_pct"]) == (30.0, 10.0)
    assert adm["extra_cost_scaled_pct"] == pytest.approx(143.0)
    assert adm["saving_kept_pct"] == pytest.approx(63.0)
    grow = run({"CLUB": 100_000.0}, years=1)
    adm = next(r for r in grow["links"] if r["link_id"] == "CLUB-ADM")
    # a claimed saving is scaled down by (1 - 0.3)(1 - 0.1) = 0.63
    assert adm["knock_on_5y"] == pytest.approx(12_600.0)
    # public purse: cut 100,000 - 28,600 - 20,000 = 51,400; expansion -100,000 + 12,600 + 20,000
    assert cut["public_purse"]["net_5y"]["central"] == pytest.approx(51_400.0)
    assert grow["public_purse"]["net_5y"]["central"] == pytest.approx(-67_400.0)
    assert cut["public_purse"]["p_net_saving_text"] == ">99%"
    assert grow["public_purse"]["p_net_saving_text"] == "<1%"
    assert cut["headline"][-1].startswith("Over 1 years (discounted; medians")
    json.dumps(cut, allow_nan=False)  # plain data, no NaN


def test_sustained_and_one_off_changes_by_hand():
    links = LINKS.assign(drop_off=0.5)
    kwargs = {"links": links, "unit_costs": COSTS, "payers": PAYERS, "services": SERVICES,
              "years": 2, "draws": 10}
    sustained = sr.scenario_results({"CLUB": -100_000.0}, **kwargs)
    once = sr.scenario_results({"CLUB": -100_000.0}, persistence="oneoff", **kwargs)
    hc = {o["settings"]["persistence"]: next(r for r in o["links"] if r["link_id"] == "CLUB-HC")
          for o in (sustained, once)}
    # one cohort: -20,000 then -10,000 / 1.035; a cohort each year: -20,000 then -30,000 / 1.035
    assert hc["oneoff"]["years"] == [pytest.approx(-20_000.0), pytest.approx(-10_000 / 1.035)]
    assert hc["sustained"]["years"] == [pytest.approx(-20_000.0),
                                        pytest.approx(-30_000 / 1.035)]
    # the direct saving recurs only when the change is sustained
    asc = {o["settings"]["persistence"]: next(p for p in o["payers"] if p["payer_code"] == "ASC")
           for o in (sustained, once)}
    assert [y["direct"] for y in asc["oneoff"]["years"]] == [100_000.0, 0.0]
    assert [y["direct"] for y in asc["sustained"]["years"]] == pytest.approx(
        [100_000.0, 100_000 / 1.035])
    with pytest.raises(ValueError, match="persistence"):
        sr.scenario_results({"CLUB": -1.0}, persistence="forever", **kwargs)


def test_tied_links_are_named_in_the_evidence_rows():
    out = run({"CLUB": -100_000.0})
    rows = {r["link_id"]: r for r in out["links"]}
    assert rows["CLUB-ADM"]["tied_event"] == "falls"
    assert rows["CLUB-ADM"]["tied_with"] == ["CLUB-HC"]
    assert rows["CLUB-HC"]["tied_with"] == ["CLUB-ADM"]


def test_an_unlinked_statutory_service_is_unknown_and_warned_about():
    out = run({"RESCARE": -1_000_000.0})
    assert out["unmodelled_services"] == ["RESCARE"]
    assert out["headline"][0].startswith("Knock-on effects unknown: Residential care")
    for scope in (out["public_purse"], out["council"], out["payers"][0]):
        assert scope["p_net_saving"] is None and scope["p_net_saving_text"] == "not given"
        assert scope["net_5y"]["low"] is None and scope["net_5y"]["high"] is None
        assert scope["complete"] is False
        # unknown is never shown as zero, nor the modelled part as the whole
        assert scope["net_5y"]["central"] is None and scope["net_5y_mean"] is None
        assert scope["knock_on_5y"] is None and scope["knock_on_5y_modelled"] == 0.0
        assert scope["net_5y_modelled"] == pytest.approx(scope["direct_5y"])
        assert all(y["knock_on"] is None and y["net"]["central"] is None
                   and y["net_modelled"] == pytest.approx(y["direct"]) for y in scope["years"])
    assert "not known" in out["headline"][-1]
    purse_rows = [r for r in sr.years_rows(out) if r["payer_code"] == "public_purse"]
    assert all(r["net_saving_gbp"] is None and r["knock_on_saving_gbp"] is None
               and r["net_modelled_saving_gbp"] is not None for r in purse_rows)
    assert out["warnings"] and "statutory, demand-led" in out["warnings"][0]
    assert "overspend or unmet need" in out["warnings"][0]
    # a non-statutory unlinked service is unknown too, without the statutory warning
    parks = run({"PARKS": -10_000.0})
    assert parks["unmodelled_services"] == ["PARKS"] and parks["warnings"] == []
    # an expansion of a demand-led service carries no cut warning
    assert run({"RESCARE": 10_000.0})["warnings"] == []
    # a linked service alone is complete
    club = run({"CLUB": -10_000.0})
    assert club["public_purse"]["complete"] and club["public_purse"]["p_net_saving"] == 1.0
    with pytest.raises(ValueError, match="NOPE"):
        run({"NOPE": -1.0})


def test_years_rows_keep_full_precision_and_the_totals():
    out = run({"CLUB": -123_456.78}, years=2)
    rows = sr.years_rows(out)
    purse = [r for r in rows if r["payer_code"] == "public_purse"]
    assert [r["year"] for r in purse] == ["1", "2", "2-year total"]
    assert purse[-1]["net_saving_gbp"] == out["public_purse"]["net_5y"]["central"]
    # nothing unknown here: the modelled part is the whole
    assert all(r["net_modelled_saving_gbp"] == r["net_saving_gbp"] for r in purse)
    assert purse[0]["direct_saving_gbp"] == pytest.approx(123_456.78)
