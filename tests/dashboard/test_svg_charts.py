"""The server's SVG pictures of charts (dashboard/svg_charts.py): they draw the dashboard's bar
and line figures to scale, write ticks as plotly.js does, escape every text, give plotly.js the
same margins and axes, and leave to plotly.js what they do not draw."""

from __future__ import annotations

import re
import sys

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
    (2.5, ".1f", "", "2.5"),
])
def test_tick_labels_read_as_plotly_writes_them(value, spec, prefix, text):
    assert svg_charts.tick_label(value, spec, prefix) == text


@pytest.mark.parametrize("spec", ["%Y", None, "", ".2e"])
def test_a_tick_format_it_does_not_write_is_left_to_plotly(spec):
    # plotly.js's own format (no tickformat) writes 15k but 1000: not followed here
    with pytest.raises(svg_charts.Unsupported):
        svg_charts.tick_label(1.0, spec, "")


def test_whole_number_ticks_are_whole_numbers():
    # values of 0-2 would give a step of 0.5, which ",.0f" writes as 0, 0, 1, 2, 2 (Python
    # rounds halves to even, JavaScript up): the step is never finer than the format shows
    _, patch = draw(figures.spend_and_units(YEARS, [1e6] * 5, [0, 1, 1, 2, 1], "Spend", "Units"))
    assert patch["yaxis2"]["dtick"] == 1


def test_all_zero_values_get_a_unit_of_room_and_no_milli_ticks():
    _, patch = draw(figures.spend_and_units(YEARS, [1e6] * 5, [0] * 5, "Spend", "Units"))
    assert patch["yaxis2"]["range"][1] >= 1
    # pounds in SI form below £1 would read £500m: "m" is milli, read as millions
    assert svg_charts.draw(plain(figures.bars(["a", "b"], [0.0, 0.0]))) is None


def test_category_axes_get_plotlys_slots():
    _, patch = draw(figures.cost_per_outcome(YEARS, [5, 6, 7, 6, 8], [4, 5, 6, 5, 7],
                                             [6, 7, 8, 7, 9], "Cost"))
    assert patch["xaxis"] == {"range": [-0.5, 4.5], "autorange": False}
    _, patch = draw(figures.bars(["a", "b", "c"], [3e6, 2e6, 1e6]))
    assert patch["yaxis"] == {"range": [2.5, -0.5], "autorange": False}  # first at the top


def test_grouped_bars_share_their_slot():
    picture, _ = draw(figures.budget_outturn(["Home care", "Lunch clubs"], [4e6, 1e6],
                                             [5e6, 2e6], [True, True]))
    rects = re.findall(r'<rect style="x: calc\(([\d.]+)% \+ (-?[\d.]+)px\); width: calc\('
                       r'([\d.]+)% - [\d.]+px\)" y="([\d.]+)" height="([\d.]+)" '
                       r'fill="(#[0-9A-F]{6})"', picture)
    bars = [r for r in rects if r[5] in (figures.SKY, figures.BLUE)]
    assert len(bars) == 4
    tops = sorted(float(r[3]) for r in bars)
    heights = {round(float(r[4]), 2) for r in bars}
    assert len(heights) == 1  # budget and outturn: half a slot each, side by side
    height = heights.pop()
    assert tops[1] - tops[0] == pytest.approx(height, abs=0.02)


def test_numbers_from_the_figure_are_written_as_numbers():
    fig = plain(figures.cost_per_outcome(YEARS, [5, 6, 7, 6, 8], [4, 5, 6, 5, 7],
                                         [6, 7, 8, 7, 9], "Cost"))
    fig["data"][2]["line"]["width"] = '2" onmouseover="alert(1)'
    assert svg_charts.draw(fig) is None  # not a number: no picture, and nothing written
    fig["data"][2]["line"]["width"] = 3
    fig["layout"]["margin"]["t"] = '30px" onload="x'
    assert svg_charts.draw(fig) is None


def test_hatching_ids_are_the_charts_own():
    fig = plain(figures.budget_outturn(["Lunch clubs"], [1e6], [2e6], [False]))
    one, two = str(svg_charts.draw(fig, "one")[0]), str(svg_charts.draw(fig, "two")[0])
    ids = set(re.findall(r'id="([^"]+)"', one))
    assert ids and not ids & set(re.findall(r'id="([^"]+)"', two))
    with pytest.raises(ValueError):
        svg_charts.draw(fig, 'x" onload="y')


def test_long_labels_leave_the_left_margin_to_plotly():
    long = "Northbridge Community Kitchens and Luncheon Clubs CIC (trading as Lunch Club)"
    picture, patch = draw(figures.bars([long, "Short"], [2e6, 1e6]))
    assert "l" not in patch["margin"]
    assert 'class="chart-static wide-labels"' in picture  # hidden on a phone (app.css)
    _, patch = draw(figures.bars(["Agency", "Short"], [2e6, 1e6]))
    assert patch["margin"]["l"] < 150


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
    picture, _ = draw(figures.bars(["First", "Second"], [1e6, 2e6]))
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
                                layout={"height": 300, "yaxis": {"tickformat": ",.1f"}}))
    assert "inf" not in picture.lower()


def test_a_picture_that_fails_leaves_the_chart_to_plotly(caplog):
    broken = plain(figures.bars(["Agency"], [1.0]))
    broken["data"][0]["x"] = 5  # not the list of values every trace has
    assert svg_charts.draw(broken) is None
    assert "no picture drawn of a bar figure" in caplog.text


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>'
    picture, _ = draw(figures.stacked_bars([evil, "Fine"],
                                           {evil: [1e6, 2e6], "Other": [1e6, 1e6]}))
    assert "<script>" not in picture
    assert "&lt;script&gt;" in picture


@pytest.mark.parametrize("fig", [
    go.Figure(go.Sankey(node={"label": ["a", "b"]}, link={"source": [0], "target": [1],
                                                          "value": [1]}), layout={"height": 300}),
    go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]), layout={"height": 300}),
    go.Figure(go.Bar(y=["a"], x=[1e6], orientation="h", error_x={"array": [1e5]}),
              layout={"height": 300, "xaxis": {"tickformat": ",.0f"}}),
    go.Figure(go.Scatter(x=["a"], y=[1e6], error_y={"array": [1e5]}),
              layout={"height": 300, "yaxis": {"tickformat": ",.0f"}}),
    go.Figure(go.Bar(x=["a", "b"], y=[1e6, 2e6], error_y={"array": [1e5]}),  # one of two
              layout={"height": 300, "yaxis": {"tickformat": ",.0f"}}),
    go.Figure(go.Bar(x=["a"], y=[1e6]), layout={"height": 300, "yaxis": {"tickformat": ",.0f"},
                                                "shapes": [{"type": "line", "x0": 0, "x1": 1,
                                                            "y0": 0, "y1": 1}]}),
    go.Figure(go.Bar(x=["a"], y=[1e6]), layout={"height": 300, "yaxis": {"tickformat": ",.0f"},
                                                "shapes": [{"type": "rect", "x0": 0, "x1": 1,
                                                            "y0": 0, "y1": 1, "yref": "paper"}]}),
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300, "yaxis": {"type": "log"}}),
    go.Figure(go.Bar(x=["a"], y=[1], marker={"color": "rgba(0,0,0,0.5)",
                                             "pattern": {"shape": "/"}}),
              layout={"height": 300}),
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300,
                                                  "yaxis": {"tickformat": "%Y"}}),
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300}),  # plotly's own ticks
    go.Figure(go.Scatter(x=["a"], y=[1]), layout={"height": 300, "yaxis": {
        "tickformat": ",.0f", "range": [0, 5]}}),
    go.Figure(go.Scatter(x=["a"], y=[1], line={"dash": "dashdot"}),
              layout={"height": 300, "yaxis": {"tickformat": ",.0f"}}),
    go.Figure(go.Bar(x=["a"], y=[1e6]), layout={"height": 300, "bargap": 0.5,
                                                "yaxis": {"tickformat": ",.0f"}}),
    go.Figure([go.Bar(x=["a"], y=[1e6]), go.Bar(x=["a"], y=[-1e6])],
              layout={"height": 300, "barmode": "stack", "yaxis": {"tickformat": ",.0f"}}),
    go.Figure(go.Bar(y=["a"], x=[1e6], orientation="h"), layout={"height": 300, "xaxis": {
        "tickformat": ",.0f", "autorange": "reversed"}}),
])
def test_what_it_does_not_draw_is_left_to_plotly(fig):
    assert svg_charts.draw(plain(fig)) is None


def _planner_table():
    import pandas as pd

    rows = []
    for code, payer in (("ASC", "Adult Social Care"), ("NHS", "NHS hospital care")):
        for year, net in (("1", 100_000.0), ("2", -40_000.0), ("total", 60_000.0)):
            rows.append({"payer_code": code, "payer": payer, "year": year,
                         "net_saving_gbp": net if code == "ASC" else -net / 2,
                         "net_lower95_gbp": (net if code == "ASC" else -net / 2) - 30_000,
                         "net_upper95_gbp": (net if code == "ASC" else -net / 2) + 20_000})
    return pd.DataFrame(rows)


def test_the_planners_years_chart_has_error_bars_a_zero_line_and_its_title(dash_app):
    years_figure = sys.modules["pages.scenarios"].years_figure  # as Dash loaded it

    picture, patch = draw(years_figure(_planner_table()))
    low, high = patch["yaxis"]["range"]
    assert low < -30_000 - 40_000 and high > 120_000  # the intervals are inside the range
    assert 'class="ytitle"' in picture and "Net saving (− = extra cost)" in picture
    stems = re.findall(r'<rect style="x: calc\([^)]*\)" y="([\d.]+)" width="2.0" '
                       r'height="([\d.]+)" fill="#1b1b1b"/>', picture)
    assert len(stems) == 4  # one a bar, each with its cross-bars beside it
    plot_h = 380 - patch["margin"]["t"] - patch["margin"]["b"]
    px_per_pound = plot_h / (high - low)
    assert float(stems[0][1]) == pytest.approx(50_000 * px_per_pound, abs=0.05)
    zero = re.findall(r'height="1\.00" fill="#1b1b1b"', picture)
    assert len(zero) == 1  # the zero line the figure asks for


def test_the_tornado_has_its_reference_line_at_the_central_result(dash_app):
    import pandas as pd

    tornado_figure = sys.modules["pages.scenarios"].tornado_figure  # as Dash loaded it

    table = pd.DataFrame({"input": ["Effect size", "Unit cost"],
                          "central_net_saving_gbp": [20_000.0, 20_000.0],
                          "net_saving_at_low_gbp": [-60_000.0, 5_000.0],
                          "net_saving_at_high_gbp": [90_000.0, 35_000.0]})
    picture, patch = draw(tornado_figure(table))
    low, high = patch["xaxis"]["range"]
    assert low <= -60_000 and high >= 90_000
    central = (20_000 - low) / (high - low)
    assert f"x: calc({round(100 * central, 4)}% " in picture  # the line at the central result
    assert 'class="xtitle"' in picture


def test_a_zero_line_only_where_the_figure_asks():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[-1e6, 2e6]),
                    layout={"height": 300, "yaxis": {"tickformat": ",.0f"}})
    without, _ = draw(fig)
    fig.layout.yaxis.zeroline = True
    fig.layout.yaxis.zerolinecolor = "#123456"
    with_line, _ = draw(fig)
    assert "#123456" not in without and with_line.count('fill="#123456"') == 1


def test_a_figure_without_a_height_is_left_to_plotly():
    assert svg_charts.draw(plain(go.Figure(go.Bar(x=["a"], y=[1])))) is None
