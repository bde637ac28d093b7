"""The server's SVG pictures of charts (dashboard/svg_charts.py): they draw the dashboard's bar
and line figures to scale, write ticks as plotly.js does, escape every text, give plotly.js the
same margins and axes, and leave to plotly.js what they do not draw."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from dashboard import figures, svg_charts
from dashboard.components import plain

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def draw(fig) -> tuple[str, dict]:
    drawn = svg_charts.draw(plain(fig))
    assert drawn is not None
    return str(drawn[0]), drawn[1]


@pytest.mark.parametrize(("value", "spec", "prefix", "text"), [
    (12345.6, ",.0f", "£", "£12,346"),
    (1_250_000, ".3~s", "£", "£1.25M"),
    (1_200_000, ".3~s", "£", "£1.2M"),
    (500_000, ".3~s", "£", "£500k"),
    (20_000_000, ",.3~s", "£", "£20M"),
    (0, ".3~s", "£", "£0"),
    (-1_500_000, ".3~s", "£", "£−1.5M"),
    (15_000, None, "", "15,000"),
    (2.5, None, "", "2.5"),
])
def test_tick_labels_read_as_plotly_writes_them(value, spec, prefix, text):
    assert svg_charts.tick_label(value, spec, prefix) == text


def test_a_tick_format_it_does_not_know_is_left_to_plotly():
    with pytest.raises(svg_charts.Unsupported):
        svg_charts.tick_label(1.0, "%Y", "")


@pytest.mark.parametrize(("span", "count", "step"), [
    (1000, 5, 200), (1_200_000, 6, 200_000), (9, 4, 2), (0.7, 5, 0.1), (31e6, 8, 5e6)])
def test_tick_steps_are_one_two_or_five_times_a_power_of_ten(span, count, step):
    assert svg_charts.nice_step(span, count) == pytest.approx(step)


def test_each_figure_the_area_page_draws_has_a_picture():
    builders = [
        figures.cost_per_outcome(YEARS, [5, 6, 7, 6, 8], [4, 5, 6, 5, 7], [6, 7, 8, 7, 9], "Cost"),
        figures.spend_and_units(YEARS, [1e6, 2e6, 3e6, 2e6, 1e6], [10, 20, 30, 20, 10],
                                "Spend", "Outcomes"),
        figures.budget_outturn(["Home care", "Lunch clubs"], [5e6, 1e5], [6e6, 9e4],
                               [True, False]),
        figures.bars(["Agency", "Supplies"], [2e6, 1e6]),
        figures.stacked_bars(["Home care", "Lunch clubs"],
                             {"Older": [1e6, 2e5], "Adults": [5e5, 0]}),
    ]
    for fig in builders:
        picture, patch = draw(fig)
        assert picture.startswith('<div class="chart-static"')
        assert patch["margin"]["l"] >= 10 and patch["margin"]["b"] >= 10


def test_bars_are_drawn_to_scale():
    picture, patch = draw(figures.bars(["Agency", "Supplies", "Fees"], [3e6, 1.5e6, 0.75e6]))
    widths = [float(w) for w in re.findall(r"width: calc\(([\d.]+)% - [\d.]+px\)\" y=\"[\d.]+\" "
                                           r"height=\"[\d.]+\" fill=\"#0072B2\"", picture)]
    assert len(widths) == 3
    assert widths[0] == pytest.approx(2 * widths[1], rel=1e-4)
    assert widths[0] == pytest.approx(4 * widths[2], rel=1e-4)
    low, high = patch["xaxis"]["range"]
    assert low == 0 and high > 3e6  # from zero, with room past the longest bar
    assert widths[0] == pytest.approx(100 * 3e6 / high, rel=1e-3)


def test_the_reversed_axis_puts_the_first_bar_at_the_top():
    picture, _ = draw(figures.bars(["First", "Second"], [1.0, 2.0]))
    bars = re.findall(r'y="([\d.]+)" height="[\d.]+" fill="#0072B2"', picture)
    assert float(bars[0]) < float(bars[1])
    labels = re.findall(r">(First|Second)</text>", picture)
    assert labels == ["First", "Second"]


def test_plotly_gets_the_same_axis_as_the_picture():
    picture, patch = draw(figures.cost_per_outcome(YEARS, [800, 900, 950, 870, 1010],
                                                   [700, 800, 850, 770, 900],
                                                   [900, 1000, 1050, 970, 1100], "Cost"))
    axis = patch["yaxis"]
    assert axis["autorange"] is False and axis["tick0"] == 0
    low, high = axis["range"]
    assert low == 0 and high >= 1100
    ticks = [axis["dtick"] * i for i in range(int(high // axis["dtick"]) + 1)]
    for value in ticks:  # each tick the picture writes is one plotly.js will write
        assert f">{svg_charts.tick_label(value, ',.0f', '£')}</text>" in picture


def test_a_gap_in_the_values_is_a_gap_in_the_line():
    picture, _ = draw(figures.cost_per_outcome(YEARS, [5, 6, None, 6, 8], [4, 5, None, 5, 7],
                                               [6, 7, None, 7, 9], "Cost"))
    runs = re.findall(r'<polyline[^>]*stroke="#0072B2"', picture)
    assert len(runs) == 2  # the line in two runs, either side of the gap


def test_infinity_is_a_gap_not_an_error():
    picture, _ = draw(go.Figure(go.Scatter(x=["a", "b", "c"], y=[1.0, float("inf"), 2.0]),
                                layout={"height": 300}))
    assert "inf" not in picture.lower()


def test_a_picture_that_fails_leaves_the_chart_to_plotly(caplog):
    broken = plain(figures.bars(["Agency"], [1.0]))
    broken["data"][0]["x"] = 5  # not the list of values every trace has
    assert svg_charts.draw(broken) is None
    assert "no picture drawn of a bar figure" in caplog.text


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>'
    picture, _ = draw(figures.stacked_bars([evil, "Fine"], {evil: [1.0, 2.0], "Other": [1, 1]}))
    assert "<script>" not in picture
    assert "&lt;script&gt;" in picture


@pytest.mark.parametrize("fig", [
    go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1],
                                                          "value": [1]}), layout={"height": 300}),
    go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]), layout={"height": 300}),
    go.Figure(go.Bar(x=["a"], y=[1], error_y={"array": [0.1]}), layout={"height": 300}),
    go.Figure(go.Bar(x=["a"], y=[1]), layout={"height": 300, "shapes": [
        {"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 1}]}),
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300, "yaxis": {"type": "log"}}),
    go.Figure(go.Bar(x=["a"], y=[1], marker={"color": "rgba(0,0,0,0.5)",
                                             "pattern": {"shape": "/"}}),
              layout={"height": 300}),
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300,
                                                  "yaxis": {"tickformat": "%Y"}}),
])
def test_what_it_does_not_draw_is_left_to_plotly(fig):
    assert svg_charts.draw(plain(fig)) is None


def test_a_figure_without_a_height_is_left_to_plotly():
    assert svg_charts.draw(plain(go.Figure(go.Bar(x=["a"], y=[1])))) is None
