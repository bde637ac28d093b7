"""The indicator table's sparklines: small SVG images drawn on the server, not plotly charts."""

from __future__ import annotations

import math
import re
from urllib.parse import unquote

from dashboard import figures


def svg(uri: str) -> str:
    assert uri.startswith("data:image/svg+xml,")
    return unquote(uri.split(",", 1)[1])


def points(text: str) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in m.split()]
            for m in re.findall(r'polyline points="([^"]+)"', text)]


def test_higher_value_is_drawn_higher_and_series_spans_the_width():
    text = svg(figures.sparkline([1.0, 3.0, 2.0], width=100, height=40))
    (line,) = points(text)
    assert [x for x, _ in line] == sorted(x for x, _ in line)
    assert line[0][0] < 10 and line[-1][0] > 90
    ys = [y for _, y in line]
    assert ys[1] < ys[2] < ys[0]  # SVG y grows downwards
    assert all(0 <= y <= 40 for y in ys)


def test_gaps_split_the_line_and_nan_is_a_gap():
    text = svg(figures.sparkline([1.0, math.nan, 2.0, 3.0]))
    assert [len(run) for run in points(text)] == [1, 2]


def test_benchmark_is_dotted_and_shares_the_scale():
    text = svg(figures.sparkline([10.0, 20.0], [0.0, 30.0], width=100, height=40))
    bench, own = points(text)
    assert "stroke-dasharray" in text.split("<polyline")[1]
    assert bench[0][1] > own[0][1] > own[1][1] > bench[1][1]


def test_no_values_gives_an_empty_image():
    text = svg(figures.sparkline([None, math.nan]))
    assert "<polyline" not in text and text.startswith("<svg")


def test_flat_series_stays_inside_the_box():
    (line,) = points(svg(figures.sparkline([5.0, 5.0, 5.0], width=100, height=40)))
    assert all(0 <= y <= 40 for _, y in line)


def test_benchmark_only_draws_the_benchmark():
    text = svg(figures.sparkline([None, None], [1.0, 2.0]))
    assert len(points(text)) == 1 and "<circle" not in text and text.endswith("</svg>")
