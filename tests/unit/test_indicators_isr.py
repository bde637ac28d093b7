"""indicators.isr against every ISR case of PHEindicatormethods (../shared/realdata)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators import isr
from tests.realdata import realdata_path


def _close(got, expected) -> None:
    if pd.isna(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-6)


@pytest.mark.realdata
@pytest.mark.parametrize("confidence,suffix", [(0.95, "95"), (0.998, "998")])
def test_every_phe_isr_case(confidence, suffix):
    inputs = pd.read_csv(realdata_path("phe_methods", "phe_dsr_isr_inputs.csv"))
    cases = pd.read_csv(realdata_path("phe_methods", "phe_isr_expected.csv"))
    assert len(cases) == 12
    for case in cases.itertuples():
        if case.statistic.startswith("indirectly standardised rate per "):
            multiplier = float(case.statistic.rsplit(" ", 1)[1])
            out = isr.isr_frame(inputs, "area", kind="rate", multiplier=multiplier,
                                confidence=confidence)
        else:
            scale = float(case.statistic.rsplit(" ", 1)[1])
            out = isr.isr_frame(inputs, "area", scale=scale, confidence=confidence)
        got = out.set_index("area").loc[case.area]
        assert got["observed"] == case.observed
        _close(got["expected"], case.expected)
        if not pd.isna(case.ref_rate):
            _close(got["ref_rate"], case.ref_rate)
        _close(got["value"], case.expected_value)
        _close(got["lower"], getattr(case, f"expected_lower{suffix}"))
        _close(got["upper"], getattr(case, f"expected_upper{suffix}"))
        assert got["method"] == case.method


def test_isr_by_hand_exact_below_10_and_byar_from_10():
    # 9 observed, 10 expected: exact interval of 9 is chi2(0.025, 18)/2 = 4.1154 to
    # chi2(0.975, 20)/2 = 17.0848; divided by 10.
    small = isr.isr(9, 10.0)
    assert small["value"] == pytest.approx(0.9)
    assert small["method"] == "Exact"
    assert small["lower"] == pytest.approx(0.411537, abs=1e-6)
    assert small["upper"] == pytest.approx(1.708480, abs=1e-6)
    big = isr.isr(100, 80.0, scale=100)
    assert big["method"] == "Byars" and big["value"] == pytest.approx(125.0)
    # Byar's lower for 100: 100 (1 - 1/900 - 1.96/30)^3 = 81.3636
    assert big["lower"] == pytest.approx(81.3636 / 80 * 100, rel=1e-4)
    assert math.isnan(isr.isr(5, 0.0)["value"])
    with pytest.raises(ValueError, match="kind"):
        isr.isr_frame(pd.DataFrame({"area": ["a"]}), "area", kind="odds")
