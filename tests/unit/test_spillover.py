"""Tests for indicators.spillover.

Expected values are worked by hand from the model in the package docstrings:

    Δactivity = Δspend / activity_unit_cost                  (a year, per cohort)
    Δevents_t = -Δactivity * events_per_unit * (1 - RR) * Σ_cohorts persistence
    knock-on  = -Δevents_t * unit_cost, then against the proposal: a saving times
                (1 - ob)(1 - dw), an extra cost times (1 + ob)(1 + dw)
    net_saving = knock-on and -Δspend (direct, to the funder); positive = saving
    discount_t = 1.035 ** -(t - 1) (year 1 undiscounted)
    sustained: a cohort starts every year; one-off: one cohort in year 1
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import spillover as sp

# ----------------------------------------------------------------------------------------
# Builders (small inline frames)
# ----------------------------------------------------------------------------------------

PAYERS = pd.DataFrame(
    {
        "payer_code": ["ASC", "NHS-ICB"],
        "payer_label": ["Adult social care", "NHS integrated care board"],
        "organisation_code": ["E08000003", "QOP"],
        "is_council": [True, False],
    }
)


def link(**overrides) -> dict:
    """One luncheon-club link: 1 place-year costs £1,000 and prevents falls admissions."""
    row = {
        "link_id": "L1",
        "service_code": "LUNCH",
        "activity_unit": "club place-year",
        "activity_unit_cost_gbp": 1000.0,
        "outcome_code": "FALL_ADM",
        "outcome_label": "Falls admission",
        "events_per_unit": 0.5,
        "effect_ratio": 0.8,
        "effect_ratio_low": 0.8,
        "effect_ratio_high": 0.8,
        "cost_item": "NEL_ADM",
        "payer_code": "NHS-ICB",
        "lag_years": 0,
        "drop_off": 0.0,
        "evidence_grade": "high",
        "source": "test",
    }
    row.update(overrides)
    return row


def unit_cost(**overrides) -> dict:
    row = {
        "cost_item": "NEL_ADM",
        "payer_code": "NHS-ICB",
        "unit_cost_gbp": 2000.0,
        "unit_cost_low_gbp": 2000.0,
        "unit_cost_high_gbp": 2000.0,
        "price_year": "2023/24",
        "source": "test",
    }
    row.update(overrides)
    return row


def frames(links=None, costs=None):
    return (
        pd.DataFrame(links if links is not None else [link()]),
        pd.DataFrame(costs if costs is not None else [unit_cost()]),
    )


CUT = {"LUNCH": -100_000.0}
FUNDERS = {"LUNCH": "ASC"}


def payer_row(result, payer_code: str) -> pd.Series:
    return result.by_payer.set_index("payer_code").loc[payer_code]


def yearly(result, payer_code: str, column: str = "net_saving_gbp") -> np.ndarray:
    rows = result.by_payer_year[result.by_payer_year["payer_code"] == payer_code]
    return rows.sort_values("year")[column].to_numpy()


def overall(result, scope: str) -> pd.Series:
    return result.overall.set_index("scope").loc[scope]


# ----------------------------------------------------------------------------------------
# Hand-worked examples
# ----------------------------------------------------------------------------------------


def test_one_link_one_year_no_uncertainty_no_discounting():
    links, costs = frames()
    result = sp.simulate(
        links, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=50, discount_rate=0.0
    )
    # Cut £100,000 at £1,000 a place -> 100 fewer places.
    # Extra falls admissions = 100 * 0.5 * (1 - 0.8) = 10; at £2,000 each = £20,000 to NHS.
    nhs = payer_row(result, "NHS-ICB")
    asc = payer_row(result, "ASC")
    assert nhs["net_saving_gbp"] == pytest.approx(-20_000.0)
    assert nhs["direct_saving_gbp"] == 0.0
    assert asc["net_saving_gbp"] == pytest.approx(100_000.0)
    assert asc["direct_saving_gbp"] == pytest.approx(100_000.0)
    assert asc["spillover_saving_gbp"] == 0.0
    # No uncertainty: mean and both percentiles equal the central value.
    for col in ("net_saving_mean_gbp", "net_saving_p2_5_gbp", "net_saving_p97_5_gbp"):
        assert nhs[col] == pytest.approx(-20_000.0)
        assert asc[col] == pytest.approx(100_000.0)
    assert overall(result, "council")["net_saving_gbp"] == pytest.approx(100_000.0)
    assert overall(result, "public_purse")["net_saving_gbp"] == pytest.approx(80_000.0)
    link_row = result.by_link.iloc[0]
    assert link_row["delta_activity_units"] == pytest.approx(-100.0)
    assert link_row["delta_events"] == pytest.approx(10.0)
    assert link_row["spillover_saving_gbp"] == pytest.approx(-20_000.0)
    assert result.price_years == ("2023/24",)


def test_discounting_over_three_years_year_one_undiscounted():
    # drop-off 1: a year's activity changes events in that year only, so a sustained cut
    # has the same knock-on effect every year
    links, costs = frames([link(drop_off=1.0)])
    result = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=3, draws=10)
    factors = np.array([1.0, 1 / 1.035, 1 / 1.035**2])  # 1, 0.966184, 0.933511
    np.testing.assert_allclose(yearly(result, "NHS-ICB"), -20_000.0 * factors)
    np.testing.assert_allclose(yearly(result, "ASC"), 100_000.0 * factors)
    # -20,000 * (1 + 0.966184 + 0.933511) = -57,993.9
    assert payer_row(result, "NHS-ICB")["net_saving_gbp"] == pytest.approx(-57_993.9, abs=0.1)
    assert overall(result, "public_purse")["net_saving_gbp"] == pytest.approx(
        80_000.0 * (1 + 1 / 1.035 + 1 / 1.035**2)
    )


def test_discount_first_year_option_and_health_rate():
    links, costs = frames([link(drop_off=1.0)])
    result = sp.simulate(
        links, costs, PAYERS, CUT, funders=FUNDERS, years=2, draws=10, discount_first_year=True
    )
    np.testing.assert_allclose(yearly(result, "NHS-ICB"), [-20_000 / 1.035, -20_000 / 1.035**2])
    health = sp.simulate(
        links,
        costs,
        PAYERS,
        CUT,
        funders=FUNDERS,
        years=2,
        draws=10,
        discount_rate=sp.GREEN_BOOK_HEALTH_DISCOUNT_RATE,
    )
    np.testing.assert_allclose(yearly(health, "NHS-ICB"), [-20_000.0, -20_000.0 / 1.015])


def test_lag_and_drop_off_one_off_is_one_cohort():
    links, costs = frames([link(lag_years=2, drop_off=0.25)])
    result = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=5, draws=10,
                         persistence="oneoff")
    # Lag 2: nothing in years 1-2, full effect in year 3, then 75% and 56.25%.
    persistence = np.array([0.0, 0.0, 1.0, 0.75, 0.5625])
    discount = 1.035 ** -np.arange(5)
    expected = -20_000.0 * persistence * discount
    np.testing.assert_allclose(yearly(result, "NHS-ICB"), expected)
    # Year 3: -20,000 / 1.035^2 = -18,670.21; year 5: -11,250 / 1.147523 = -9,803.73
    assert yearly(result, "NHS-ICB")[2] == pytest.approx(-18_670.21, abs=0.01)
    assert yearly(result, "NHS-ICB")[4] == pytest.approx(-9_803.73, abs=0.01)
    # Events (undiscounted, summed): 10 * (1 + 0.75 + 0.5625) = 23.125
    assert result.by_link["delta_events"].iloc[0] == pytest.approx(23.125)
    # The direct saving is not lagged, and a one-off change saves in year 1 only.
    np.testing.assert_allclose(yearly(result, "ASC"), [100_000.0, 0, 0, 0, 0])
    assert result.persistence == "oneoff"


def test_sustained_change_starts_a_cohort_every_year_each_with_its_own_drop_off():
    links, costs = frames([link(lag_years=2, drop_off=0.25)])
    result = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=5, draws=10)
    # Cohorts start in years 1..5; each is felt from 2 years after its start, then decays:
    # year 3: 1 (cohort 1); year 4: 0.75 + 1; year 5: 0.5625 + 0.75 + 1 = 2.3125.
    persistence = np.array([0.0, 0.0, 1.0, 1.75, 2.3125])
    discount = 1.035 ** -np.arange(5)
    np.testing.assert_allclose(yearly(result, "NHS-ICB"), -20_000.0 * persistence * discount)
    assert yearly(result, "NHS-ICB")[4] == pytest.approx(-46_250 / 1.035**4, abs=0.01)
    assert result.by_link["delta_events"].iloc[0] == pytest.approx(10 * 5.0625)
    # the spend change recurs every year
    np.testing.assert_allclose(yearly(result, "ASC"), 100_000.0 * discount)
    # no drop-off: each cohort's effect lasts, so a sustained change accumulates
    flat = sp.simulate(*frames([link(drop_off=0.0)]), PAYERS, CUT, funders=FUNDERS, years=3,
                       draws=10, discount_rate=0.0)
    np.testing.assert_allclose(yearly(flat, "NHS-ICB"), [-20_000.0, -40_000.0, -60_000.0])


def test_full_drop_off_lasts_one_year():
    links, costs = frames([link(lag_years=1, drop_off=1.0)])
    kwargs = {"funders": FUNDERS, "years": 3, "draws": 10, "discount_rate": 0.0}
    once = sp.simulate(links, costs, PAYERS, CUT, persistence="oneoff", **kwargs)
    np.testing.assert_allclose(yearly(once, "NHS-ICB"), [0.0, -20_000.0, 0.0])
    every_year = sp.simulate(links, costs, PAYERS, CUT, **kwargs)
    np.testing.assert_allclose(yearly(every_year, "NHS-ICB"), [0.0, -20_000.0, -20_000.0])
    with pytest.raises(ValueError, match="persistence"):
        sp.simulate(links, costs, PAYERS, CUT, persistence="twice", **kwargs)


def test_care_home_moves_accumulate_as_residents_for_their_length_of_stay():
    stays = pd.DataFrame({"outcome_code": ["care_home_admission"], "stay_years": [2.0],
                          "stay_years_low": [1.5], "stay_years_high": [3.0],
                          "source": ["test"]})
    links, costs = frames([link(outcome_code="falls:care_home_admission", drop_off=1.0)])
    kwargs = {"funders": FUNDERS, "years": 3, "draws": 10, "discount_rate": 0.0,
              "stays": stays}
    # Mean stay 2 years: each further year a resident stays with p = 1 - 1/2 = 0.5.
    # One-off: 10 moves in year 1 -> 10, 5, 2.5 resident-years at £2,000.
    once = sp.simulate(links, costs, PAYERS, CUT, persistence="oneoff", **kwargs)
    np.testing.assert_allclose(yearly(once, "NHS-ICB"), [-20_000.0, -10_000.0, -5_000.0])
    # Sustained: 10 moves a year -> residents 10, 15, 17.5.
    every = sp.simulate(links, costs, PAYERS, CUT, **kwargs)
    np.testing.assert_allclose(yearly(every, "NHS-ICB"), [-20_000.0, -30_000.0, -35_000.0])
    assert every.by_link["stay_years"].iloc[0] == 2.0
    # the tornado swings the stay: 1.5 years -> p = 1/3; 3 years -> p = 2/3
    torn = sp.tornado(links, costs, PAYERS, CUT, funders=FUNDERS, years=3, discount_rate=0.0,
                      stays=stays, scope="NHS-ICB").set_index("input_type")
    low = -2_000 * (10 + 10 * (1 + 1 / 3) + 10 * (1 + 1 / 3 + 1 / 9))
    assert torn.at["stay_years", "net_saving_at_low_gbp"] == pytest.approx(low)
    # without a stays entry the move is costed once
    plain = sp.simulate(*frames([link(drop_off=1.0)]), PAYERS, CUT, funders=FUNDERS, years=3,
                        draws=10, discount_rate=0.0, stays=stays)
    np.testing.assert_allclose(yearly(plain, "NHS-ICB"), [-20_000.0] * 3)


def test_adjustments_work_against_a_cut_and_against_an_expansion():
    links, costs = frames([link(evidence_grade="Very low")])
    kwargs = {"funders": FUNDERS, "years": 1, "draws": 10, "discount_rate": 0.0}
    # Very low = GM grade 5: optimism bias 40%; deadweight 20%.
    # A cut of £100,000: 10 extra admissions (unadjusted -£20,000); an extra cost is scaled
    # up by (1 + 0.4)(1 + 0.2) = 1.68: -£33,600.
    cut = sp.simulate(links, costs, PAYERS, CUT, **kwargs)
    assert cut.by_link["delta_events"].iloc[0] == pytest.approx(10.0)
    assert payer_row(cut, "NHS-ICB")["net_saving_gbp"] == pytest.approx(-33_600.0)
    assert cut.by_link["spillover_saving_gbp"].iloc[0] == pytest.approx(-33_600.0)
    assert cut.by_link["spillover_saving_unadjusted_gbp"].iloc[0] == pytest.approx(-20_000.0)
    # The same service expanded by £100,000: 10 fewer admissions (unadjusted +£20,000); a
    # claimed saving is scaled down by (1 - 0.4)(1 - 0.2) = 0.48: +£9,600.
    grow = sp.simulate(links, costs, PAYERS, {"LUNCH": 100_000.0}, **kwargs)
    assert payer_row(grow, "NHS-ICB")["net_saving_gbp"] == pytest.approx(9_600.0)
    assert grow.by_link["spillover_saving_unadjusted_gbp"].iloc[0] == pytest.approx(20_000.0)
    # The direct effect is a budget figure and is not adjusted.
    assert payer_row(cut, "ASC")["net_saving_gbp"] == pytest.approx(100_000.0)
    assert payer_row(grow, "ASC")["net_saving_gbp"] == pytest.approx(-100_000.0)
    row = cut.by_link.iloc[0]
    assert (row["optimism_bias"], row["deadweight"]) == (0.4, 0.2)
    assert row["cost_uplift"] == pytest.approx(1.68)


def test_grade_table_matches_documented_gm_values_and_is_monotone():
    table = sp.GRADE_ADJUSTMENTS
    assert list(table) == ["high", "moderate", "low", "very low"]
    assert [table[g].optimism_bias for g in table] == [0.0, 0.10, 0.30, 0.40]
    assert [table[g].gm_confidence_grade for g in table] == [1, 2, 4, 5]
    kept = [table[g].retained for g in table]
    assert kept == sorted(kept, reverse=True)
    assert kept[0] == 1.0 and kept[-1] < 0.6
    frame = sp.grade_adjustments_frame()
    assert frame["share_retained"].tolist() == pytest.approx([1.0, 0.9, 0.63, 0.48])
    assert frame["cost_uplift"].tolist() == pytest.approx([1.0, 1.1, 1.43, 1.68])


# ----------------------------------------------------------------------------------------
# Sign and story
# ----------------------------------------------------------------------------------------


def luncheon_club_case():
    """Cut luncheon clubs: falls (A&E, admissions) hit the NHS; home care hits ASC later."""
    links = pd.DataFrame(
        [
            link(
                link_id="AE",
                outcome_code="FALL_AE",
                outcome_label="A&E attendance after a fall",
                events_per_unit=0.3,
                effect_ratio=0.77,
                effect_ratio_low=0.71,
                effect_ratio_high=0.83,
                cost_item="AE_ATT",
            ),
            link(
                link_id="ADM",
                events_per_unit=0.05,
                effect_ratio=0.77,
                effect_ratio_low=0.71,
                effect_ratio_high=0.83,
                evidence_grade="moderate",
            ),
            link(
                link_id="HC",
                outcome_code="HOMECARE",
                outcome_label="Home care package",
                events_per_unit=0.04,
                effect_ratio=0.8,
                effect_ratio_low=0.6,
                effect_ratio_high=0.95,
                cost_item="HC_YEAR",
                payer_code="ASC",
                lag_years=2,
                drop_off=0.2,
                evidence_grade="low",
            ),
        ]
    )
    costs = pd.DataFrame(
        [
            unit_cost(
                cost_item="AE_ATT", unit_cost_gbp=250, unit_cost_low_gbp=180, unit_cost_high_gbp=400
            ),
            unit_cost(unit_cost_gbp=3500, unit_cost_low_gbp=2500, unit_cost_high_gbp=5000),
            unit_cost(
                cost_item="HC_YEAR",
                payer_code="ASC",
                unit_cost_gbp=9000,
                unit_cost_low_gbp=7000,
                unit_cost_high_gbp=12000,
            ),
        ]
    )
    return links, costs


def test_cutting_a_preventive_service_saves_the_funder_and_costs_the_nhs():
    links, costs = luncheon_club_case()
    result = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=5, draws=2000)
    asc_years = yearly(result, "ASC")
    nhs_years = yearly(result, "NHS-ICB")
    assert asc_years[0] == pytest.approx(100_000.0)  # year 1: the whole cut, no knock-on yet
    assert (nhs_years < 0).all()  # the NHS pays from year 1
    # Home care (lag 2) starts to cost ASC in year 3.
    asc_spill = yearly(result, "ASC", "spillover_saving_gbp")
    assert asc_spill[0] == 0.0 and asc_spill[1] == 0.0 and asc_spill[2] < 0.0
    nhs = payer_row(result, "NHS-ICB")
    assert nhs["net_saving_p97_5_gbp"] < 0.0
    assert nhs["prob_net_saving"] == 0.0
    assert result.prob_net_saving("NHS-ICB") == 0.0
    assert payer_row(result, "ASC")["prob_net_saving"] == 1.0
    # Who pays: the public purse saves less than the council does.
    assert (
        overall(result, "public_purse")["net_saving_gbp"]
        < overall(result, "council")["net_saving_gbp"]
    )


def test_investment_mirrors_a_cut_only_when_the_evidence_is_high_certainty():
    links, costs = luncheon_club_case()
    kwargs = {"funders": FUNDERS, "years": 5, "draws": 500}
    strong = links.assign(evidence_grade="high")
    cut = sp.simulate(strong, costs, PAYERS, {"LUNCH": -50_000.0}, **kwargs)
    invest = sp.simulate(strong, costs, PAYERS, {"LUNCH": 50_000.0}, **kwargs)
    np.testing.assert_allclose(
        invest.by_payer_year["net_saving_gbp"], -cut.by_payer_year["net_saving_gbp"]
    )
    np.testing.assert_allclose(
        invest.by_payer_year["net_saving_mean_gbp"], -cut.by_payer_year["net_saving_mean_gbp"]
    )
    assert payer_row(invest, "NHS-ICB")["net_saving_gbp"] > 0
    # With weaker evidence the adjustments go against each proposal: the cut's extra costs
    # are larger than the expansion's savings.
    cut = sp.simulate(links, costs, PAYERS, {"LUNCH": -50_000.0}, **kwargs)
    invest = sp.simulate(links, costs, PAYERS, {"LUNCH": 50_000.0}, **kwargs)
    cut_knock = cut.by_link.set_index("link_id")["spillover_saving_gbp"]
    invest_knock = invest.by_link.set_index("link_id")["spillover_saving_gbp"]
    assert cut_knock["HC"] < 0 < invest_knock["HC"]
    assert -cut_knock["HC"] / invest_knock["HC"] == pytest.approx(1.43 / 0.63, rel=0.02)


# ----------------------------------------------------------------------------------------
# Monte Carlo behaviour
# ----------------------------------------------------------------------------------------

RR, RR_LO, RR_HI = 0.77, 0.71, 0.83
UC_LO, UC_MODE, UC_HI = 1500.0, 2000.0, 3500.0


def uncertain_frames():
    return frames(
        [link(effect_ratio=RR, effect_ratio_low=RR_LO, effect_ratio_high=RR_HI)],
        [unit_cost(unit_cost_low_gbp=UC_LO, unit_cost_high_gbp=UC_HI)],
    )


def nhs_draw_moments(distribution: str) -> tuple[float, float]:
    """Analytic mean and sd of the NHS saving for a £100k cut, one year, no discount.

    saving = k * (1 - RR) * UC with k = Δactivity * events_per_unit = -100 * 0.5 = -50,
    ln RR ~ N(ln 0.77, s), s = (ln 0.83 - ln 0.71) / 3.92, and UC independent.
    """
    k = -50.0
    s = (math.log(RR_HI) - math.log(RR_LO)) / (2 * 1.959964)
    e_rr = RR * math.exp(s**2 / 2)
    e_rr2 = RR**2 * math.exp(2 * s**2)
    e_x, e_x2 = 1 - e_rr, 1 - 2 * e_rr + e_rr2
    a, c, b = UC_LO, UC_MODE, UC_HI
    if distribution == "triangular":
        e_y = (a + b + c) / 3
        var_y = (a * a + b * b + c * c - a * b - a * c - b * c) / 18
    else:  # PERT, lambda = 4
        e_y = (a + 4 * c + b) / 6
        var_y = (e_y - a) * (b - e_y) / 7
    mean = k * e_x * e_y
    var = k**2 * (e_x2 * (var_y + e_y**2) - (e_x * e_y) ** 2)
    return mean, math.sqrt(var)


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_monte_carlo_mean_converges_to_the_analytic_mean(distribution):
    links, costs = uncertain_frames()
    mean, sd = nhs_draw_moments(distribution)
    central = -50.0 * (1 - RR) * UC_MODE  # -23,000: the point-estimate value
    assert abs(mean - central) > 1000  # skewed inputs: mean differs from central

    def error(draws: int, seed: int) -> float:
        res = sp.simulate(
            links,
            costs,
            PAYERS,
            CUT,
            funders=FUNDERS,
            years=1,
            draws=draws,
            seed=seed,
            discount_rate=0.0,
            unit_cost_distribution=distribution,
        )
        row = payer_row(res, "NHS-ICB")
        assert row["net_saving_point_gbp"] == pytest.approx(central)
        return row["net_saving_mean_gbp"] - mean

    small = [error(1_000, seed) for seed in range(8)]
    large = [error(100_000, seed) for seed in range(8)]
    assert np.mean(np.abs(large)) < np.mean(np.abs(small)) / 3
    # Within 4 standard errors of the analytic mean at 100k draws.
    assert max(abs(e) for e in large) < 4 * sd / math.sqrt(100_000)


def test_interval_reproduces_the_effect_ratio_ci_and_narrows_with_it():
    # RR 0.6 with a CI symmetric on the log scale (0.6 / 1.2, 0.6 * 1.2), unit cost fixed:
    # saving = -50 * (1 - RR) * 2,000 is increasing in RR, so its 2.5th and 97.5th
    # percentiles are at RR = 0.5 and RR = 0.72.
    def run(factor: float):
        links, costs = frames(
            [link(effect_ratio=0.6, effect_ratio_low=0.6 / factor, effect_ratio_high=0.6 * factor)]
        )
        res = sp.simulate(
            links, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=200_000, discount_rate=0.0
        )
        return payer_row(res, "NHS-ICB")

    wide = run(1.2)
    assert wide["net_saving_p2_5_gbp"] == pytest.approx(-50 * 0.5 * 2000, rel=0.01)  # -50,000
    assert wide["net_saving_p97_5_gbp"] == pytest.approx(-50 * 0.28 * 2000, rel=0.01)  # -28,000
    narrow = run(math.sqrt(1.2))
    width_wide = wide["net_saving_p97_5_gbp"] - wide["net_saving_p2_5_gbp"]
    width_narrow = narrow["net_saving_p97_5_gbp"] - narrow["net_saving_p2_5_gbp"]
    # Width is proportional to RR_high - RR_low = 0.6 (f - 1/f):
    # 0.6 * (1.0954 - 0.9129) / (0.6 * (1.2 - 0.8333)) = 0.4977
    assert width_narrow / width_wide == pytest.approx(0.4977, rel=0.03)


def test_percentiles_are_numpy_percentiles_of_the_draws():
    links, costs = luncheon_club_case()
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, draws=4001)
    for i, code in enumerate(res.by_payer["payer_code"]):
        draws = res.payer_draws[:, i]
        row = payer_row(res, code)
        assert row["net_saving_p2_5_gbp"] == pytest.approx(np.quantile(draws, 0.025))
        assert row["net_saving_p97_5_gbp"] == pytest.approx(np.quantile(draws, 0.975))
        assert row["net_saving_mean_gbp"] == pytest.approx(draws.mean())
        assert row["prob_net_saving"] == pytest.approx((draws > 0).mean())
        # the central figure is the median of the draws, not the point value
        assert row["net_saving_gbp"] == pytest.approx(np.median(draws))
    council_cols = res.by_payer["is_council"].to_numpy(dtype=bool)
    for scope, draws in (
        ("council", res.payer_draws[:, council_cols].sum(axis=1)),
        ("public_purse", res.payer_draws.sum(axis=1)),
    ):
        row = overall(res, scope)
        assert row["net_saving_p2_5_gbp"] == pytest.approx(np.quantile(draws, 0.025))
        assert row["net_saving_p97_5_gbp"] == pytest.approx(np.quantile(draws, 0.975))
        assert row["net_saving_mean_gbp"] == pytest.approx(draws.mean())
        assert row["net_saving_gbp"] == pytest.approx(np.median(draws))


def test_same_seed_same_results_different_seed_different_draws():
    links, costs = uncertain_frames()
    kwargs = {"funders": FUNDERS, "years": 3, "draws": 2000}
    a = sp.simulate(links, costs, PAYERS, CUT, seed=7, **kwargs)
    b = sp.simulate(links, costs, PAYERS, CUT, seed=7, **kwargs)
    c = sp.simulate(links, costs, PAYERS, CUT, seed=8, **kwargs)
    np.testing.assert_array_equal(a.payer_draws, b.payer_draws)
    pd.testing.assert_frame_equal(a.by_payer_year, b.by_payer_year)
    nhs = list(a.by_payer["payer_code"]).index("NHS-ICB")
    assert not np.array_equal(a.payer_draws[:, nhs], c.payer_draws[:, nhs])
    # ...but the same distribution: means within a few standard errors of each other.
    se = a.payer_draws[:, nhs].std() / math.sqrt(2000)
    assert abs(a.payer_draws[:, nhs].mean() - c.payer_draws[:, nhs].mean()) < 6 * se


def test_links_sharing_service_and_outcome_share_the_effect_draw():
    # Same service and outcome, two payers: one effect-ratio draw -> perfectly correlated.
    links, costs = frames(
        [
            link(link_id="A", effect_ratio=0.8, effect_ratio_low=0.6, effect_ratio_high=1.0),
            link(
                link_id="B",
                effect_ratio=0.8,
                effect_ratio_low=0.6,
                effect_ratio_high=1.0,
                cost_item="HC",
                payer_code="ASC",
            ),
        ],
        [unit_cost(), unit_cost(cost_item="HC", payer_code="ASC")],
    )
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=5000)
    corr = np.corrcoef(res.payer_draws[:, 0], res.payer_draws[:, 1])[0, 1]
    assert corr == pytest.approx(1.0, abs=1e-9)
    # A different outcome gets its own draw: correlation near zero.
    links.loc[1, "outcome_code"] = "OTHER"
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=5000)
    assert abs(np.corrcoef(res.payer_draws[:, 0], res.payer_draws[:, 1])[0, 1]) < 0.1
    assert res.by_link["tied_event"].tolist() == ["", ""]


def test_two_links_tied_to_the_same_event_share_one_draw_of_the_effect():
    # Falls -> admissions (NHS) and falls -> home care (ASC): different effect ratios and
    # intervals, one underlying event. Tied, each RR is exp(ln RR + sd z) with the same z.
    links, costs = frames(
        [
            link(link_id="ADM", outcome_code="falls:admission", effect_ratio=0.77,
                 effect_ratio_low=0.71, effect_ratio_high=0.83),
            link(link_id="HC", outcome_code="falls:home_care", effect_ratio=0.8,
                 effect_ratio_low=0.6, effect_ratio_high=1.05, cost_item="HC",
                 payer_code="ASC"),
        ],
        [unit_cost(), unit_cost(cost_item="HC", payer_code="ASC")],
    )
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=4000,
                      discount_rate=0.0)
    assert res.by_link.set_index("link_id")["tied_event"].to_dict() == {
        "ADM": "falls", "HC": "falls"}
    # Knock-on draws (NHS; ASC less its fixed direct saving) are monotone in the same z:
    # Spearman's rank correlation is exactly 1.
    nhs = res.payer_draws[:, 1]
    asc_knock = res.payer_draws[:, 0] - 100_000.0
    ranks = [pd.Series(x).rank().to_numpy() for x in (nhs, asc_knock)]
    assert np.corrcoef(*ranks)[0, 1] == pytest.approx(1.0)
    # Tied draws add up their uncertainty: the public purse's interval is wider than with
    # independent draws.
    declared = links.assign(outcome_code=["a", "b"], draw_group=["falls", "falls"])
    same = sp.simulate(declared, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=4000,
                       discount_rate=0.0)
    np.testing.assert_allclose(same.payer_draws, res.payer_draws)  # a declared group ties too
    untied = links.assign(outcome_code=["falls_admission", "home_care"])
    free = sp.simulate(untied, costs, PAYERS, CUT, funders=FUNDERS, years=1, draws=4000,
                       discount_rate=0.0)
    assert free.by_link["tied_event"].tolist() == ["", ""]

    def width(r):
        row = overall(r, "public_purse")
        return row["net_saving_p97_5_gbp"] - row["net_saving_p2_5_gbp"]

    assert width(res) > 1.1 * width(free)


# ----------------------------------------------------------------------------------------
# Probability of a net saving
# ----------------------------------------------------------------------------------------


def test_probability_of_saving_is_a_probability_and_half_when_rr_straddles_one():
    # RR 1.0 (0.8-1.25), symmetric on the log scale: the NHS saves iff RR > 1 -> P = 0.5.
    links, costs = frames(
        [link(effect_ratio=1.0, effect_ratio_low=0.8, effect_ratio_high=1.25)],
    )
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=2, draws=20_000)
    frame = res.to_frame()
    assert frame["prob_net_saving"].between(0.0, 1.0).all()
    assert payer_row(res, "NHS-ICB")["prob_net_saving"] == pytest.approx(0.5, abs=0.02)
    assert res.prob_net_saving_council == 1.0


def test_probability_is_one_or_zero_without_uncertainty():
    links, costs = frames()
    saving = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, draws=100)
    assert saving.prob_net_saving_public_purse == 1.0
    assert saving.prob_net_saving_council == 1.0
    assert saving.prob_net_saving("NHS-ICB") == 0.0
    # An expensive knock-on: each admission costs £200,000, so the cut is a net cost.
    costly = pd.DataFrame(
        [unit_cost(unit_cost_gbp=2e5, unit_cost_low_gbp=2e5, unit_cost_high_gbp=2e5)]
    )
    cost = sp.simulate(links, costly, PAYERS, CUT, funders=FUNDERS, years=1, draws=100)
    # 10 admissions * £200,000 = £2m against a £100k saving.
    assert overall(cost, "public_purse")["net_saving_gbp"] == pytest.approx(-1_900_000.0)
    assert cost.prob_net_saving_public_purse == 0.0


# ----------------------------------------------------------------------------------------
# Tornado
# ----------------------------------------------------------------------------------------


def test_tornado_ranks_the_widest_uncertainty_first():
    links, costs = frames(
        [
            # Wide evidence: RR 0.8 (0.5 to 1.28)
            link(link_id="WIDE", effect_ratio=0.8, effect_ratio_low=0.5, effect_ratio_high=1.28),
            # Narrow evidence, different outcome: RR 0.8 (0.78 to 0.82)
            link(
                link_id="NARROW",
                outcome_code="FALL_AE",
                effect_ratio=0.8,
                effect_ratio_low=0.78,
                effect_ratio_high=0.82,
                cost_item="AE",
            ),
        ],
        [
            unit_cost(unit_cost_low_gbp=1900.0, unit_cost_high_gbp=2100.0),
            unit_cost(cost_item="AE", unit_cost_low_gbp=1950.0, unit_cost_high_gbp=2050.0),
        ],
    )
    out = sp.tornado(links, costs, PAYERS, CUT, funders=FUNDERS, years=1)
    assert out.iloc[0]["input_type"] == "effect_ratio"
    assert out.iloc[0]["key"] == "WIDE"
    # Swing by hand: 50 events-per-(1-RR) * £2,000 * (1.28 - 0.5) = £78,000.
    assert out.iloc[0]["swing_gbp"] == pytest.approx(78_000.0)
    # RR low (bigger effect) -> the cut costs more -> lower net saving.
    assert out.iloc[0]["net_saving_at_low_gbp"] < out.iloc[0]["net_saving_at_high_gbp"]
    assert out.iloc[0]["central_net_saving_gbp"] == pytest.approx(100_000 - 2 * 20_000)
    assert (out["swing_gbp"].diff().dropna() <= 0).all()  # sorted, largest first
    # One year with year 1 undiscounted: the discount rate cannot matter and is dropped.
    assert "discount_rate" not in set(out["input_type"])
    with_zero = sp.tornado(links, costs, PAYERS, CUT, funders=FUNDERS, years=1, drop_zero=False)
    assert with_zero.loc[with_zero["input_type"] == "discount_rate", "swing_gbp"].iloc[0] == 0


def test_tornado_timing_inputs_and_discount_rate():
    links, costs = frames([link(lag_years=1, drop_off=0.5)])
    out = sp.tornado(
        links, costs, PAYERS, CUT, funders=FUNDERS, years=3, include_timing=True,
        scope="NHS-ICB", persistence="oneoff",
    )
    assert {"discount_rate", "lag_years", "drop_off"} <= set(out["input_type"])
    lag = out.set_index("input_type").loc["lag_years"]
    # Central NHS: -20,000 * (0, 1/1.035, 0.5/1.035^2); lag 0: (1, 0.5/1.035, 0.25/1.035^2);
    # lag 2: (0, 0, 1/1.035^2).
    central = -20_000 * (1 / 1.035 + 0.5 / 1.035**2)
    assert lag["central_net_saving_gbp"] == pytest.approx(central)
    assert lag["net_saving_at_low_gbp"] == pytest.approx(
        -20_000 * (1 + 0.5 / 1.035 + 0.25 / 1.035**2)
    )
    assert lag["net_saving_at_high_gbp"] == pytest.approx(-20_000 / 1.035**2)


# ----------------------------------------------------------------------------------------
# Payer matrix
# ----------------------------------------------------------------------------------------


def test_payer_matrix_pounds_per_pound():
    links, costs = frames([link(drop_off=1.0)])
    matrix = sp.payer_matrix(links, costs, PAYERS, FUNDERS, years=3)
    # £1 more a year buys 1/1000 place: 0.5 * 0.2 / 1000 = 0.0001 falls admissions avoided,
    # * £2,000 = £0.20 saved by the NHS per £1 ASC spends, every year -> 0.20 in PV terms.
    assert matrix.loc["ASC", "NHS-ICB"] == pytest.approx(0.20)
    assert matrix.loc["ASC", "ASC"] == 0.0
    assert list(matrix.columns) == ["ASC", "NHS-ICB"]
    # With a 2-year lag only year 3 counts: 0.2 / 1.035^2 / (1 + 1/1.035 + 1/1.035^2).
    lagged = sp.payer_matrix(*frames([link(lag_years=2, drop_off=1.0)]), PAYERS, FUNDERS,
                             years=3)
    expected = 0.2 / 1.035**2 / (1 + 1 / 1.035 + 1 / 1.035**2)
    assert lagged.loc["ASC", "NHS-ICB"] == pytest.approx(expected)
    by_service = sp.payer_matrix(links, costs, PAYERS, FUNDERS, years=3, by="service")
    assert by_service.loc["LUNCH", "funder_payer_code"] == "ASC"


# ----------------------------------------------------------------------------------------
# Changes: empty, co-funded, formats
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [None, {}, pd.DataFrame(columns=["service_code", "payer_code", "spend_change_gbp"])],
)
def test_empty_changes_give_all_zeros(changes):
    links, costs = uncertain_frames()
    res = sp.simulate(links, costs, PAYERS, changes, draws=100)
    frame = res.to_frame()
    values = frame[
        [
            "direct_saving_gbp",
            "spillover_saving_gbp",
            "net_saving_gbp",
            "net_saving_mean_gbp",
            "net_saving_p2_5_gbp",
            "net_saving_p97_5_gbp",
            "prob_net_saving",
        ]
    ]
    assert (values.to_numpy() == 0).all()
    assert (res.by_link["spillover_saving_gbp"] == 0).all()
    # 2 payers and 2 aggregates (council, public purse), each 5 years + total.
    assert len(frame) == 4 * (5 + 1)


def test_changes_as_dataframe_and_co_funding():
    links, costs = frames()
    changes = pd.DataFrame(
        {
            "service_code": ["LUNCH", "LUNCH"],
            "payer_code": ["ASC", "NHS-ICB"],
            "spend_change_gbp": [-60_000.0, -40_000.0],
        }
    )
    res = sp.simulate(links, costs, PAYERS, changes, years=1, draws=10)
    # Activity falls by the whole £100k (100 places) -> NHS knock-on -£20,000;
    # the NHS also saves its own £40k contribution.
    assert payer_row(res, "NHS-ICB")["net_saving_gbp"] == pytest.approx(40_000 - 20_000)
    assert payer_row(res, "ASC")["net_saving_gbp"] == pytest.approx(60_000)
    normal = sp.normalise_changes({"LUNCH": -1.0}, {"LUNCH": "ASC"})
    assert normal.to_dict("records") == [
        {"service_code": "LUNCH", "payer_code": "ASC", "spend_change_gbp": -1.0}
    ]


def test_to_frame_and_sankey_are_consistent():
    links, costs = luncheon_club_case()
    res = sp.simulate(links, costs, PAYERS, CUT, funders=FUNDERS, years=4, draws=500)
    frame = res.to_frame()
    assert list(frame["scope"].unique()) == ["payer", "council", "public_purse"]
    totals = frame[(frame["scope"] == "payer") & frame["year"].isna()]
    np.testing.assert_allclose(
        totals["net_saving_gbp"].to_numpy(), res.by_payer["net_saving_gbp"].to_numpy()
    )
    # point values add up across payers and years; medians of parts need not
    yearly_sum = frame[frame["scope"] == "payer"].dropna(subset=["year"])
    assert yearly_sum["net_saving_point_gbp"].sum() == pytest.approx(
        overall(res, "public_purse")["net_saving_point_gbp"]
    )
    for scope in ("council", "public_purse"):
        rows = frame[frame["scope"] == scope]
        assert rows["year"].isna().sum() == 1
        assert rows.dropna(subset=["year"])["net_saving_point_gbp"].sum() == pytest.approx(
            overall(res, scope)["net_saving_point_gbp"]
        )
    # every row: net = direct + knock-on (the median of a constant plus draws)
    np.testing.assert_allclose(frame["net_saving_gbp"],
                               frame["direct_saving_gbp"] + frame["spillover_saving_gbp"])
    sankey = res.sankey()
    into_payers = sankey[sankey["target"].str.startswith("payer:")]
    assert into_payers["net_saving_gbp"].sum() == pytest.approx(
        res.by_link["spillover_saving_gbp"].sum()
    )
    assert (sankey["value_gbp"] >= 0).all()


# ----------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link_overrides", "field"),
    [
        (
            {"effect_ratio_low": 0.9, "effect_ratio_high": 0.7, "effect_ratio": 0.8},
            "effect_ratio_low",
        ),
        ({"effect_ratio": 0.95}, "effect_ratio"),  # outside its CI (0.8, 0.8)
        ({"effect_ratio_low": 0.0, "effect_ratio": 0.0}, "effect_ratio_low"),
        ({"activity_unit_cost_gbp": 0.0}, "activity_unit_cost_gbp"),
        ({"events_per_unit": -1.0}, "events_per_unit"),
        ({"events_per_unit": float("nan")}, "events_per_unit"),
        ({"drop_off": 1.5}, "drop_off"),
        ({"lag_years": -1}, "lag_years"),
        ({"lag_years": 1.5}, "lag_years"),
        ({"evidence_grade": "medium"}, "evidence_grade"),
        ({"cost_item": "NOPE"}, "cost_item"),
        ({"payer_code": "ASC"}, "payer_code"),  # differs from its cost item's payer
        ({"service_code": None}, "service_code"),
    ],
)
def test_validation_names_the_link_and_field(link_overrides, field):
    links, costs = frames([link(link_id="LC-FALLS-7", **link_overrides)])
    with pytest.raises(ValueError, match=f"'LC-FALLS-7'.*'{field}'"):
        sp.simulate(links, costs, PAYERS, {}, draws=10)


@pytest.mark.parametrize(
    ("cost_overrides", "field"),
    [
        ({"unit_cost_gbp": -5.0}, "unit_cost_gbp"),
        ({"unit_cost_low_gbp": 2500.0, "unit_cost_high_gbp": 3000.0}, "unit_cost_low_gbp"),
        ({"unit_cost_high_gbp": 1000.0}, "unit_cost_high_gbp"),
        ({"payer_code": "DWP"}, "payer_code"),
    ],
)
def test_validation_names_the_cost_item_and_field(cost_overrides, field):
    links, costs = frames(costs=[unit_cost(**cost_overrides)])
    with pytest.raises(ValueError, match=f"'NEL_ADM'.*'{field}'"):
        sp.simulate(links, costs, PAYERS, {}, draws=10)


def test_validation_of_changes_and_settings():
    links, costs = frames()
    with pytest.raises(ValueError, match="'SWIMMING'.*'service_code'"):
        sp.simulate(links, costs, PAYERS, {"SWIMMING": -1.0}, funders={"SWIMMING": "ASC"})
    with pytest.raises(ValueError, match="'LUNCH'.*'payer_code'"):
        sp.simulate(links, costs, PAYERS, {"LUNCH": -1.0})  # no funder given
    with pytest.raises(ValueError, match="'LUNCH'.*'payer_code'"):
        sp.simulate(links, costs, PAYERS, {"LUNCH": -1.0}, funders={"LUNCH": "MARS"})
    with pytest.raises(ValueError, match="'LUNCH'.*'spend_change_gbp'"):
        sp.simulate(links, costs, PAYERS, {"LUNCH": float("inf")}, funders=FUNDERS)
    with pytest.raises(ValueError, match="'L1'.*'link_id'.*duplicated"):
        sp.simulate(pd.concat([links, links]), costs, PAYERS, {})
    with pytest.raises(ValueError, match="missing required column.*effect_ratio_high"):
        sp.simulate(links.drop(columns="effect_ratio_high"), costs, PAYERS, {})
    with pytest.raises(ValueError, match="years"):
        sp.simulate(links, costs, PAYERS, {}, years=0)
    with pytest.raises(ValueError, match="draws"):
        sp.simulate(links, costs, PAYERS, {}, draws=0)
    with pytest.raises(ValueError, match="unit_cost_distribution"):
        sp.simulate(links, costs, PAYERS, {}, unit_cost_distribution="normal")
    with pytest.raises(ValueError, match="'SWIMMING'.*'service_code'"):
        sp.payer_matrix(links, costs, PAYERS, {"SWIMMING": "ASC"})


# ----------------------------------------------------------------------------------------
# Property: linearity in the spend change
# ----------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    spend=st.floats(min_value=-5e6, max_value=5e6).filter(lambda x: abs(x) > 1.0),
    rr=st.floats(min_value=0.2, max_value=1.5),
    spread=st.floats(min_value=1.0, max_value=2.0),
    events=st.floats(min_value=0.0, max_value=3.0),
    lag=st.integers(min_value=0, max_value=4),
    drop=st.floats(min_value=0.0, max_value=1.0),
    grade=st.sampled_from(["high", "moderate", "low", "very low"]),
)
def test_doubling_the_spend_change_doubles_every_effect(
    spend, rr, spread, events, lag, drop, grade
):
    links, costs = frames(
        [
            link(
                effect_ratio=rr,
                effect_ratio_low=rr / spread,
                effect_ratio_high=rr * spread,
                events_per_unit=events,
                lag_years=lag,
                drop_off=drop,
                evidence_grade=grade,
            ),
            link(link_id="L2", cost_item="HC", payer_code="ASC", outcome_code="HC"),
        ],
        [
            unit_cost(unit_cost_low_gbp=1000.0, unit_cost_high_gbp=5000.0),
            unit_cost(cost_item="HC", payer_code="ASC"),
        ],
    )
    kwargs = {"funders": FUNDERS, "years": 5, "draws": 64}
    once = sp.simulate(links, costs, PAYERS, {"LUNCH": spend}, **kwargs)
    twice = sp.simulate(links, costs, PAYERS, {"LUNCH": 2 * spend}, **kwargs)
    for col in (
        "direct_saving_gbp",
        "spillover_saving_gbp",
        "net_saving_gbp",
        "net_saving_mean_gbp",
    ):
        np.testing.assert_allclose(
            twice.by_payer_year[col], 2 * once.by_payer_year[col], rtol=1e-9, atol=1e-6
        )
    for col in ("delta_activity_units", "delta_events", "spillover_saving_gbp"):
        np.testing.assert_allclose(twice.by_link[col], 2 * once.by_link[col], rtol=1e-9, atol=1e-9)



def test_draws_do_not_depend_on_row_order():
    """The same links and unit costs in another row order give identical intervals."""
    links = [
        link(link_id="L1", effect_ratio=0.77, effect_ratio_low=0.71, effect_ratio_high=0.83),
        link(link_id="L2", outcome_code="AE", cost_item="AE", effect_ratio=0.61,
             effect_ratio_low=0.47, effect_ratio_high=0.79),
    ]
    costs = [
        unit_cost(unit_cost_low_gbp=1500.0, unit_cost_high_gbp=4000.0),
        unit_cost(cost_item="AE", unit_cost_gbp=200.0, unit_cost_low_gbp=150.0,
                  unit_cost_high_gbp=260.0),
    ]
    a = sp.simulate(*frames(links, costs), PAYERS, CUT, funders=FUNDERS, draws=2000)
    b = sp.simulate(*frames(links[::-1], costs[::-1]), PAYERS, CUT, funders=FUNDERS,
                    draws=2000)
    cols = ["net_saving_p2_5_gbp", "net_saving_p97_5_gbp", "prob_net_saving"]
    pd.testing.assert_frame_equal(a.overall[cols], b.overall[cols])


def test_unlinked_services_count_with_their_direct_effect_only():
    links, costs = frames()
    changes = {"LUNCH": -100_000.0, "PARKS": -50_000.0}
    funders = {"LUNCH": "ASC", "PARKS": "ASC"}
    with pytest.raises(ValueError, match="PARKS"):
        sp.simulate(links, costs, PAYERS, changes, funders=funders, years=1, draws=50)
    both = sp.simulate(links, costs, PAYERS, changes, funders=funders, years=1, draws=50,
                       discount_rate=0.0, allow_unlinked=True)
    lunch = sp.simulate(links, costs, PAYERS, {"LUNCH": -100_000.0}, funders=funders, years=1,
                        draws=50, discount_rate=0.0)
    # the park cut adds its £50,000 to the funder's direct saving and nothing else
    assert payer_row(both, "ASC")["direct_saving_gbp"] == pytest.approx(150_000.0)
    assert payer_row(both, "NHS-ICB")["net_saving_gbp"] == pytest.approx(
        payer_row(lunch, "NHS-ICB")["net_saving_gbp"])
    # ... but its knock-on effects are unknown, not zero: no probability or interval for the
    # payer that funds it, the council or the public purse
    assert both.unmodelled_services == ("PARKS",)
    assert lunch.unmodelled_services == ()
    for row in (payer_row(both, "ASC"), overall(both, "council"),
                overall(both, "public_purse")):
        assert not row["knock_on_complete"]
        assert math.isnan(row["prob_net_saving"])
        assert math.isnan(row["net_saving_p2_5_gbp"])
    nhs = payer_row(both, "NHS-ICB")
    assert nhs["knock_on_complete"] and nhs["prob_net_saving"] == 0.0
    assert overall(lunch, "public_purse")["knock_on_complete"]
