"""Chart builders: what a figure claims is what the data hold."""

from __future__ import annotations

from dashboard import figures


def test_cost_per_outcome_band_only_where_an_interval_exists():
    # an administrative count has no interval: no band, and no legend entry promising one
    none = figures.cost_per_outcome(["2023/24", "2024/25"], [10.0, 11.0],
                                    [float("nan"), None], [None, float("nan")], "Cost")
    assert [t.name for t in none.data] == ["Cost"]
    # an event count's interval is drawn as a band beneath the line
    some = figures.cost_per_outcome(["2023/24", "2024/25"], [10.0, 11.0], [8.0, None],
                                    [12.0, None], "Cost")
    assert [t.name for t in some.data] == ["upper limit", "95% interval", "Cost"]
    assert some.data[1].fill == "tonexty"
