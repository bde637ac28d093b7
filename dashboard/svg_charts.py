"""A plotly figure drawn on the server as SVG, so the chart is painted with the page and is
there without JavaScript; plotly.js then draws the same figure over it for hover values.

Only what the dashboard's own bar and line figures use is drawn (``figures.py`` and the
scenario planner's): scatter lines, markers and ``tonexty`` bands, vertical and horizontal
bars (grouped, stacked or overlaid, with bases and hatching), error bars on upright bars,
category and linear axes side by side with their titles, a zero line where asked, an upright
reference line. For anything else (``draw`` returns None) the page waits for plotly.js as
before. See docs/adr/0009-charts-drawn-on-the-server.md.

The page's width is not known on the server, so the picture stretches: horizontal positions
are CSS ``calc()`` of a percentage and pixels (``x``, ``width`` and ``cx`` are CSS geometry
properties of SVG 2), text is placed by ``x`` in percent plus ``dx`` in pixels, and lines are
drawn in an SVG placed by CSS over the plot area, stretched, with strokes that do not scale.
Heights are the figure's own pixels.

``draw`` also gives the layout changes that make plotly.js draw the same axes: the margins
worked out here, each linear axis's range, and a y axis's ticks. So when plotly.js takes over,
the chart does not move (an x axis of numbers may gain or lose a grid line: plotly.js fits its
ticks to the width it finds).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

log = logging.getLogger(__name__)

FONT_SIZE = 13
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"  # figures.FONT
LINE_HEIGHT = 1.3
TICK_GAP = 6           # px between an axis line and its tick labels
TITLE_SIZE = 15.6      # px: an axis title (plotly.js: 1.2 times the layout's font size)
TITLE_GAP = 8          # px between tick labels and an axis title
LONG_LABELS = 150      # px: a left margin wider than this is left to plotly.js
LEGEND_HEIGHT = 41     # px: plotly.js's horizontal legend, one row
LEGEND_LIFT = 0.02     # its gap over the plot, a fraction of the plot's height (y=1.02)
BAR_GAP = 0.2          # plotly's default bargap
HATCH = {"/": "slash", "\\": "back", "x": "cross", ".": "dot", "-": "dash", "|": "bar",
         "+": "plus"}
HATCH_PATHS = {"/": "M0 8 L8 0 M-2 2 L2 -2 M6 10 L10 6", "\\": "M0 0 L8 8 M-2 6 L2 10 M6 -2 L10 2",
               "x": "M0 8 L8 0 M0 0 L8 8", "-": "M0 4 H8", "|": "M4 0 V8", "+": "M0 4 H8 M4 0 V8"}
SI = {-4: "p", -3: "n", -2: "µ", -1: "m", 0: "", 1: "k", 2: "M", 3: "G", 4: "T"}


class Unsupported(Exception):
    """A figure this module does not draw (plotly.js alone draws it)."""


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font (so margins made
    from it hold the real text in the fonts readers have)."""
    em = 0.0
    for ch in text:
        if ch in " .,:;'|!il":
            em += 0.32
        elif ch.isdigit() or ch in "£$€-−+":
            em += 0.64
        elif ch.isupper() or ch in "mwMW%":
            em += 0.78
        else:
            em += 0.58
    return em * size


def nice_step(span: float, count: int) -> float:
    """d3's tick step: 1, 2 or 5 times a power of ten giving about ``count`` intervals."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else \
        2 if error >= math.sqrt(2) else 1
    return factor * power


def tick_label(value: float, spec: str | None, prefix: str = "") -> str:
    """A tick label as plotly.js writes it for the d3 formats the figures use (``,.0f``,
    ``.3~s``, ``,.3~s``: comma, precision, ``~`` trims zeros, ``s`` SI or ``f`` fixed). Tick
    values are whole multiples of a step no finer than the format shows, so no value is
    rounded at a half (where Python and JavaScript differ)."""
    sign = "−" if value < 0 else ""
    v = abs(value)
    match = re.fullmatch(r"(,)?(?:\.(\d+))?(~)?([sf])", spec or "")
    if not match:  # plotly.js's own format (15k, 1000) is not followed here
        raise Unsupported(f"tick format {spec!r}")
    if match and match[4] == "s":
        digits = int(match[2] or 6)
        if v == 0:
            body = "0"
        else:
            rounded = float(f"{v:.{digits}g}")
            group = max(-4, min(4, math.floor(math.log10(rounded) / 3)))
            scaled = float(f"{rounded / 1000 ** group:.{digits}g}")
            places = max(0, digits - 1 - math.floor(math.log10(scaled)))
            body = f"{scaled:.{places}f}"
            if match[3]:
                body = body.rstrip("0").rstrip(".") if "." in body else body
            body += SI[group]
    else:
        body = f"{v:{match[1] or ''}.{int(match[2] or 6)}f}"
        if match[3] and "." in body:
            body = body.rstrip("0").rstrip(".")
    return f"{prefix}{sign}{body}"  # plotly.js puts the prefix first: £−1.5M


@dataclass
class Axis:
    """One axis: category (slots of 1 from -0.5) or linear, and its ticks."""
    spec: dict
    letter: str                      # "x" or "y"
    categories: list = field(default_factory=list)
    values: list = field(default_factory=list)
    low: float = 0.0
    high: float = 1.0
    ticks: list = field(default_factory=list)   # (value, label)
    domain: tuple = (0.0, 1.0)
    patch: dict = field(default_factory=dict)    # layout changes for plotly.js
    bars_from_zero: bool = False                 # bars on it start at 0

    @property
    def category(self) -> bool:
        return self.spec.get("type") == "category" or (
            bool(self.categories) and not self.values)

    @property
    def reversed(self) -> bool:
        return self.spec.get("autorange") == "reversed"

    def fraction(self, value) -> float:
        """Where ``value`` is along the axis, 0 at its start (left, or bottom) and 1 at its end."""
        if self.category:
            f = (self.categories.index(value) + 0.5) / len(self.categories)
        else:
            f = (value - self.low) / ((self.high - self.low) or 1.0)
        return 1 - f if self.reversed else f

    def settle(self, length: int) -> None:
        """Range and ticks from the values the traces put on it (``length``: px, a guess for x)."""
        if self.category:
            if not self.categories:
                raise Unsupported("an empty category axis")
            self.ticks = [(c, str(c)) for c in self.categories]
            ends = [-0.5, len(self.categories) - 0.5]  # plotly.js's slots, drawn alike
            self.patch = {"range": ends[::-1] if self.reversed else ends, "autorange": False}
            return
        if self.spec.get("type") not in (None, "linear", "-") or self.reversed:
            raise Unsupported(f"a {self.spec.get('type')} or reversed axis of numbers")
        spec = self.spec.get("tickformat")
        tick_label(0.0, spec)  # a format it does not write is left to plotly.js
        known = [v for v in self.values if v is not None]
        if not known:
            raise Unsupported("an axis with no values")
        low, high = min(known), max(known)
        if self.spec.get("rangemode") == "tozero" or self.bars_from_zero:
            low, high = min(low, 0.0), max(high, 0.0)
        if high == low:  # one value (all zeros, say): a unit of room above it
            high = low + (abs(low) or 1.0)
        span = high - low
        pad = span * 0.05  # plotly pads an automatic range
        low = low if low == 0 and self.spec.get("rangemode") == "tozero" else low - pad
        low = 0.0 if low < 0 <= min(known) and self.bars_from_zero else low
        high = high + pad
        step = nice_step(high - low, max(2, min(8, length // 55)))
        places = re.fullmatch(r",?(?:\.(\d+))?~?f", spec or "")
        if places:  # no step finer than the format writes (",.0f": whole numbers)
            step = max(step, 10.0 ** -int(places[1] or 6))
        first = math.ceil(low / step) * step
        self.low, self.high = low, high
        prefix = self.spec.get("tickprefix") or ""
        count = int(math.floor((high - first) / step + 1e-9)) + 1
        values = [round(first + i * step, 10) for i in range(count)]
        if spec.endswith("s") and any(0 < abs(v) < 1 for v in values):
            raise Unsupported("SI ticks below 1 (m is milli, read as millions)")
        self.ticks = [(v, tick_label(v, spec, prefix)) for v in values]
        # plotly.js draws the same range; on a y axis (its height is known here) the same
        # ticks too. An x axis's ticks are left to plotly.js, which fits them to the width the
        # page has; the picture has about as many as it would on a wide screen, and every other
        # one gives way on a phone (as plotly.js's would).
        self.patch = {"range": [low, high], "autorange": False}
        if self.letter == "y":
            self.patch.update(tick0=0, dtick=step)


def _dark(colour: str) -> bool:
    """Whether a #rrggbb colour is dark (tinycolor's brightness, as plotly.js asks)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise Unsupported(f"colour {colour}")
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return (r * 299 + g * 587 + b * 114) / 1000 < 128


class Picture:
    """The SVG being written: coordinates are px from the top left, except horizontal ones,
    which are a fraction of the plot width (0 at the left margin, 1 at the right)."""

    def __init__(self, height: int, margin: dict, key: str, css: str = ""):
        self.height, self.m, self.key, self.css = height, margin, key, css
        self.parts: list[str] = []   # under the lines: grid, bars, axes, words
        self.lines: list[str] = []   # stretched SVGs of lines and bands
        self.marks: list[str] = []   # over the lines: markers
        self.defs: dict[str, str] = {}

    def _x(self, f: float) -> tuple[float, float]:
        """A fraction of the plot width as (percent of the picture, px)."""
        left, right = self.m["l"], self.m["r"]
        return round(100 * f, 4), round(left - f * (left + right), 2)

    def calc_x(self, f: float, shift: float = 0.0) -> str:
        """CSS for the horizontal place of plot fraction ``f`` (``shift``: px more)."""
        pct, px = self._x(f)
        return f"calc({pct}% + {round(px + shift, 2)}px)"

    def calc_width(self, f0: float, f1: float) -> str:
        d = abs(f1 - f0)
        return f"calc({round(100 * d, 4)}% - {round(d * (self.m['l'] + self.m['r']), 2)}px)"

    def rect(self, f0: float, f1: float, y0: float, y1: float, fill: str, extra: str = "") -> None:
        f0, f1 = min(f0, f1), max(f0, f1)
        top, bottom = min(y0, y1), max(y0, y1)
        self.parts.append(
            f'<rect style="x: {self.calc_x(f0)}; width: {self.calc_width(f0, f1)}" '
            f'y="{top:.2f}" height="{max(bottom - top, 0):.2f}" fill="{escape(fill)}"{extra}/>')

    def upright(self, f: float, width: float, top: float, height: float, fill: str,
                over: bool = False) -> None:
        """A rectangle ``width`` px wide centred on plot fraction ``f``: a grid, zero or axis
        line across x, an error bar's parts, a reference line (``over``: above the lines)."""
        (self.marks if over else self.parts).append(
            f'<rect style="x: {self.calc_x(f, -width / 2)}" y="{top:.2f}" width="{width}" '
            f'height="{height:.2f}" fill="{escape(fill)}"/>')

    def text(self, f: float, y: float, words: str, anchor: str = "middle", dx: float = 0,
             extra: str = "") -> None:
        pct, px = self._x(f)
        self.parts.append(
            f'<text x="{pct}%" dx="{round(px + dx, 2)}" y="{y:.2f}" text-anchor="{anchor}"'
            f'{extra}>{escape(words)}</text>')

    def text_px(self, x: float, y: float, words: str, anchor: str = "start",
                extra: str = "") -> None:
        self.parts.append(f'<text x="{x:.2f}" y="{y:.2f}" text-anchor="{anchor}"{extra}>'
                          f'{escape(words)}</text>')

    def stretched(self, f0: float, f1: float, inner: list[str]) -> None:
        """Shapes in an SVG stretched over plot fractions f0..f1, with the plot's own height:
        inside it x runs 0..1000 and y is px from the plot's top. It is placed by CSS ``left``
        and ``width`` (an inner <svg> cannot be: browsers take no CSS ``x`` on it)."""
        top = self.m["t"]
        plot_h = self.height - self.m["t"] - self.m["b"]
        self.lines.append(
            f'<svg class="chart-lines" style="left: {self.calc_x(f0)}; '
            f'width: {self.calc_width(f0, f1)}; top: {top}px; height: {plot_h}px" '
            f'viewBox="0 0 1000 {plot_h}" preserveAspectRatio="none">{"".join(inner)}</svg>')

    def hatch(self, shape: str, colour: str) -> str:
        """The id of a hatching pattern of ``shape`` over ``colour`` (as plotly's patterns)."""
        if shape not in HATCH:
            raise Unsupported(f"pattern {shape}")
        key = f"{self.key}-hatch-{HATCH[shape]}-{colour.lstrip('#')}"  # one page, many charts
        if key not in self.defs:
            # as plotly.js: the bar's colour under lines of white (dark colours) or dark grey
            ink = "#ffffff" if _dark(colour) else "#444444"
            mark = (f'<circle cx="4" cy="4" r="1.6" fill="{ink}"/>' if shape == "." else
                    f'<path d="{HATCH_PATHS[shape]}" stroke="{ink}" stroke-width="1.4"/>')
            self.defs[key] = (f'<pattern id="{key}" width="8" height="8" '
                              f'patternUnits="userSpaceOnUse"><rect width="8" height="8" '
                              f'fill="{escape(colour)}"/>{mark}</pattern>')
        return key

    def markup(self) -> Markup:
        """The picture: an SVG of shapes and words, the stretched SVGs of lines over it, and
        an SVG of markers over those, in a box of the figure's height (app.css places them)."""
        defs = f"<defs>{''.join(self.defs.values())}</defs>" if self.defs else ""
        layer = (f'<svg class="chart-layer" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" '
                 'fill="#1b1b1b">')
        marks = f'{layer}{"".join(self.marks)}</svg>' if self.marks else ""
        return Markup(  # noqa: S704 - every text and colour above went through escape()
            f'<div class="chart-static{self.css}" style="height: {self.height}px">'
            f'{layer}{defs}{"".join(self.parts)}</svg>{"".join(self.lines)}{marks}</div>')


# ---- the figure ----------------------------------------------------------------------------

DASHES = {"solid": None, "dot": 1, "dash": 3, "longdash": 5}
# axis settings the picture does not follow: a figure that sets one is left to plotly.js
AXIS_LEFT_TO_PLOTLY = ("range", "ticksuffix", "tickvals", "ticktext", "dtick", "tick0",
                       "nticks", "tickmode", "exponentformat", "matches", "scaleanchor")


def draw(figure: dict, key: str = "chart") -> tuple[Markup, dict] | None:
    """The figure as SVG and the layout changes for plotly.js; None if it is not drawn here.
    ``key`` (letters, digits and dashes) makes the picture's ids unique on the page."""
    if not re.fullmatch(r"[A-Za-z][\w-]*", key):
        raise ValueError(f"not an id: {key!r}")
    try:
        return _Chart(figure).draw(key)
    except Unsupported:
        return None
    except Exception:  # noqa: BLE001 - the picture is a head start, not the chart:
        # plotly.js still draws the figure, and the page must not fail for want of a picture
        log.warning("no picture drawn of a %s figure", _kinds(figure), exc_info=True)
        return None


def _kinds(figure: dict) -> str:
    return "+".join(sorted({str(t.get("type", "scatter")) for t in figure.get("data") or []}))


def _axis_key(ref: str) -> str:
    """"x2" -> "xaxis2"."""
    return f"{ref[0]}axis{ref[1:]}"


def _num(value) -> float | None:
    """A plotted number, or None for a gap (None, NaN, infinity, text)."""
    if value is None or isinstance(value, str | bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class _Chart:
    def __init__(self, figure: dict):
        self.layout = figure.get("layout") or {}
        self.traces = [t for t in figure.get("data") or [] if t.get("visible", True) is True]
        layout = self.layout
        if layout.get("images") or layout.get("width") or \
                layout.get("bargap") is not None or layout.get("bargroupgap") is not None:
            raise Unsupported("images, a fixed width or bar gaps of its own")
        self.shapes = [_reference_line(shape) for shape in layout.get("shapes") or []]
        if not self.traces or not isinstance(layout.get("height"), int | float):
            raise Unsupported("no traces or no height")
        self.height = int(layout["height"])
        self.barmode = layout.get("barmode") or "group"
        if self.barmode not in ("group", "stack", "relative", "overlay"):
            raise Unsupported(f"barmode {self.barmode}")
        self.axes: dict[str, Axis] = {}
        for t in self.traces:
            if t.get("type", "scatter") not in ("scatter", "bar") or t.get("error_x") \
                    or t.get("text") or t.get("texttemplate"):
                raise Unsupported(f"a {t.get('type')} trace, or one with text or x error bars")
            if t.get("error_y") and (t.get("type") != "bar" or t.get("orientation") == "h"
                                     or t["error_y"].get("type", "data") != "data"):
                raise Unsupported("error bars other than given ones on upright bars")
            if (t.get("line") or {}).get("dash") not in (None, *DASHES):
                raise Unsupported("a line dash it does not draw")
            for ref in (t.get("xaxis", "x"), t.get("yaxis", "y")):
                spec = layout.get(_axis_key(ref)) or {}
                if spec.get("overlaying") or spec.get("side") in ("top", "right") or \
                        spec.get("type") in ("log", "date") or \
                        any(spec.get(k) is not None for k in AXIS_LEFT_TO_PLOTLY) or \
                        spec.get("showticklabels") is False:
                    raise Unsupported("an axis drawn in a way this module does not draw")
                self.axes.setdefault(ref, Axis(spec, ref[0], domain=tuple(
                    spec.get("domain") or (0.0, 1.0))))
        if any(a.letter == "y" and a.domain != (0.0, 1.0) for a in self.axes.values()):
            raise Unsupported("a y axis on part of the height")

    # -- which values sit on which axis --
    def _orient(self, t: dict) -> tuple[Axis, Axis, list, list]:
        """(category-or-position axis, value axis, positions, values) of a trace."""
        x, y = self.axes[t.get("xaxis", "x")], self.axes[t.get("yaxis", "y")]
        xs, ys = list(t.get("x") or []), list(t.get("y") or [])
        if t.get("type") == "bar" and t.get("orientation") == "h":
            return y, x, ys, xs
        return x, y, xs, ys

    def _gather(self) -> None:
        stacks: dict = {}
        for t in self.traces:
            pos_axis, val_axis, positions, values = self._orient(t)
            for p in positions:
                if isinstance(p, str):
                    if p not in pos_axis.categories:
                        pos_axis.categories.append(p)
                else:
                    raise Unsupported("numbers on a position axis")
            values = [_num(v) for v in values]
            base = t.get("base")
            if t.get("type") == "bar":
                val_axis.bars_from_zero = base is None
                if self.barmode == "stack" and any(v is not None and v < 0 for v in values):
                    raise Unsupported("stacked bars below zero (plotly.js keeps a running sum)")
                if self.barmode in ("stack", "relative"):
                    for p, v in zip(positions, values, strict=False):
                        key = (id(val_axis), p, (v or 0) < 0)
                        stacks[key] = stacks.get(key, 0.0) + (v or 0)
                        val_axis.values.append(stacks[key])
                    continue
                if base is not None:
                    b = _num(base)
                    if b is None:
                        raise Unsupported("a base per bar")
                    val_axis.values.append(b)
                    values = [None if v is None else v + b for v in values]
                for v, (low, high) in zip(values, _errors(t, len(values)), strict=True):
                    if v is not None:
                        val_axis.values += [v - low, v + high]
            val_axis.values.extend(values)
        for shape in self.shapes:  # a reference line is in the range too
            self.axes.get(shape["xref"], self.axes["x"]).values.append(shape["x"])

    # -- geometry --
    def _margins(self) -> dict:
        given = self.layout.get("margin") or {}
        base = {k: float(given.get(k, default)) for k, default in
                (("l", 10), ("r", 10), ("t", 30), ("b", 10))}
        m = dict(base)
        plot_h = self.height - base["t"] - base["b"] - 40  # before the x labels: a first guess
        for a in self.axes.values():
            if a.letter == "y":
                a.settle(plot_h)
        widest_y = max((text_width(lab) for a in self.axes.values() if a.letter == "y"
                        and self._panel(a)[0] == 0 for _, lab in a.ticks), default=0)
        self.y_title_x = base["l"] + TITLE_SIZE * 0.8  # a y title, turned, left of the labels
        titled_y = any(_title(a) for a in self.axes.values() if a.letter == "y")
        m["l"] = math.ceil(base["l"] + widest_y + TICK_GAP
                           + (TITLE_SIZE * LINE_HEIGHT + TITLE_GAP if titled_y else 0))
        m["r"], m["t"] = math.ceil(m["r"]), math.ceil(m["t"])
        extra_b = 0.0
        for a in self.axes.values():
            if a.letter != "x":
                continue
            a.settle(700)
            angle = a.spec.get("tickangle")
            if isinstance(angle, int | float) and angle:
                widest = max(text_width(lab) for _, lab in a.ticks)
                rad = math.radians(abs(angle))
                extra_b = max(extra_b, widest * math.sin(rad) + FONT_SIZE * math.cos(rad))
            else:
                extra_b = max(extra_b, FONT_SIZE * LINE_HEIGHT)
        self.x_title_gap = extra_b + TICK_GAP + TITLE_GAP  # an x title, under the labels
        titled_x = any(_title(a) for a in self.axes.values() if a.letter == "x")
        m["b"] = math.ceil(base["b"] + extra_b + TICK_GAP
                           + (TITLE_SIZE * LINE_HEIGHT + TITLE_GAP if titled_x else 0))
        if self._legend_items():  # plotly.js's legend, at y=1.02 of the plot, pushes the top
            m["t"] = max(base["t"], math.ceil(
                (LEGEND_HEIGHT + LEGEND_LIFT * (self.height - m["b"])) / (1 + LEGEND_LIFT)))
        return m

    def _legend_items(self) -> list[dict]:
        if self.layout.get("showlegend") is False:
            return []
        named = [t for t in self.traces if t.get("showlegend", True) is not False]
        if self.layout.get("showlegend") is None and len(named) < 2:
            return []
        # plotly.js lists stacked bars and filled areas bottom up
        if self.barmode == "stack" or any(t.get("fill") in ("tonexty", "tonextx")
                                          for t in self.traces):
            named.reverse()
        return named

    # -- drawing --
    def draw(self, key: str) -> tuple[Markup, dict]:
        self._gather()
        self.m = self._margins()
        self.plot_h = self.height - self.m["t"] - self.m["b"]
        for a in self.axes.values():
            if a.letter == "y":
                a.settle(self.plot_h)  # again, now the plot's height is known
        # long labels: plotly.js keeps its own left margin (it fits it to the labels and leaves
        # the plot room on a phone), and the picture, drawn for a wide screen, gives way on a
        # phone to an empty box until plotly.js draws (app.css)
        long_labels = self.m["l"] > LONG_LABELS
        pic = self.pic = Picture(self.height, self.m, key, " wide-labels" if long_labels else "")
        self._grid()
        self._bars()
        self._scatters()
        self._zero_lines()
        self._reference_lines()
        self._axis_lines_and_labels()
        self._legend()
        self._annotations()
        margin = {k: v for k, v in self.m.items() if not (k == "l" and long_labels)}
        patch = {"margin": {**margin, "autoexpand": True}}
        for ref, a in self.axes.items():
            if a.patch:
                patch[_axis_key(ref)] = a.patch
        return pic.markup(), patch

    def _panel(self, axis: Axis) -> tuple[float, float]:
        """The plot-width fractions of an axis's panel (the x domain of its pair)."""
        if axis.letter == "x":
            return axis.domain
        anchor = axis.spec.get("anchor")
        x = self.axes.get(anchor) if anchor else self.axes.get("x")
        return x.domain if x else (0.0, 1.0)

    def _hx(self, axis: Axis, value) -> float:
        d0, d1 = self._panel(axis)
        return d0 + axis.fraction(value) * (d1 - d0)

    def _py(self, axis: Axis, value) -> float:
        return self.m["t"] + (1 - axis.fraction(value)) * self.plot_h

    def _grid(self) -> None:
        """Grid lines at every tick, as plotly.js's ``showgrid`` default: on, except on the
        category axis of bars, unless the figure gives it a grid colour."""
        bar_axes = {id(self._orient(t)[0]) for t in self.traces if t.get("type") == "bar"}
        for a in self.axes.values():
            if a.spec.get("showgrid") is False or (
                    id(a) in bar_axes and not a.spec.get("showgrid")
                    and not a.spec.get("gridcolor")):
                continue
            colour = a.spec.get("gridcolor") or "#eeeeee"
            d0, d1 = self._panel(a)
            for value, _ in a.ticks:
                if a.letter == "y":
                    y = self._py(a, value)
                    self.pic.rect(d0, d1, y - 0.5, y + 0.5, colour)
                else:
                    self.pic.upright(self._hx(a, value), 1, self.m["t"], self.plot_h, colour)

    def _bars(self) -> None:
        bars = [t for t in self.traces if t.get("type") == "bar"]
        if not bars:
            return
        stacks: dict = {}
        for t in bars:
            pos_axis, val_axis, positions, values = self._orient(t)
            n = len(pos_axis.categories)
            group = (1 - BAR_GAP) / n
            if self.barmode == "group":  # side by side with the other bars of its panel
                beside = [b for b in bars if self._orient(b)[0] is pos_axis]
                i, k = beside.index(t), len(beside)
                width, offset = group / k, -group / 2 + group / k * i
            else:
                width, offset = group, -group / 2
            marker = t.get("marker") or {}
            errors = _errors(t, len(values))
            colours = marker.get("color")
            shapes = (marker.get("pattern") or {}).get("shape") or ""
            base = _num(t.get("base")) or 0.0
            for j, (p, v) in enumerate(zip(positions, values, strict=False)):
                v = _num(v)
                if v is None:
                    continue
                colour = colours[j] if isinstance(colours, list) else colours or "#0072B2"
                shape = shapes[j] if isinstance(shapes, list) else shapes
                fill = f"url(#{self.pic.hatch(shape, colour)})" if shape else colour
                start = base
                if self.barmode in ("stack", "relative"):
                    key = (id(val_axis), p, v < 0)
                    start = stacks.get(key, 0.0)
                    stacks[key] = start + v
                index = pos_axis.categories.index(p)
                c0 = (index + 0.5 + offset * n) / n  # fraction of the category axis
                c1 = c0 + width
                if pos_axis.reversed:
                    c0, c1 = 1 - c0, 1 - c1
                if pos_axis.letter == "x":
                    d0, d1 = self._panel(pos_axis)
                    y0, y1 = self._py(val_axis, start), self._py(val_axis, start + v)
                    self.pic.rect(d0 + c0 * (d1 - d0), d0 + c1 * (d1 - d0), y0, y1, fill)
                    if t.get("error_y") and t["error_y"].get("visible") is not False:
                        low, high = errors[j]
                        self._error_bar(d0 + (c0 + c1) / 2 * (d1 - d0),
                                        self._py(val_axis, start + v - low),
                                        self._py(val_axis, start + v + high), t["error_y"])
                else:
                    y0 = self.m["t"] + (1 - c0) * self.plot_h
                    y1 = self.m["t"] + (1 - c1) * self.plot_h
                    self.pic.rect(self._hx(val_axis, start), self._hx(val_axis, start + v),
                                  y0, y1, fill)

    def _scatters(self) -> None:
        previous = None
        for t in self.traces:
            if t.get("type", "scatter") != "scatter":
                continue
            x, y = self.axes[t.get("xaxis", "x")], self.axes[t.get("yaxis", "y")]
            d0, d1 = self._panel(x)
            points = [(x.fraction(px), self._py(y, _num(v)) - self.m["t"])
                      if _num(v) is not None else None
                      for px, v in zip(t.get("x") or [], t.get("y") or [], strict=False)]
            line = t.get("line") or {}
            mode = t.get("mode") or "lines+markers"
            colour = line.get("color") or "#0072B2"
            inner = []
            if t.get("fill") == "tonexty" and previous is not None:
                pairs = [(a, b) for a, b in zip(points, previous, strict=False) if a and b]
                ring = [a for a, _ in pairs] + [b for _, b in reversed(pairs)]
                if ring:
                    inner.append(f'<polygon points="{_points(ring)}" '
                                 f'fill="{escape(t.get("fillcolor") or colour)}"/>')
            elif t.get("fill") not in (None, "none"):
                raise Unsupported(f"fill {t.get('fill')}")
            width = float(line.get("width", 2))
            if "lines" in mode and width:
                dash = DASHES.get(line.get("dash") or "solid", 3)
                pattern = (f' stroke-dasharray="{max(width, 3) * dash} {max(width, 3) * dash}"'
                           if dash else "")
                for run in _runs(points):
                    inner.append(f'<polyline points="{_points(run)}" fill="none" '
                                 f'stroke="{escape(colour)}" stroke-width="{width}"{pattern} '
                                 'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>')
            self.pic.stretched(d0, d1, inner)
            if "markers" in mode:
                marker = t.get("marker") or {}
                size = float(marker.get("size", 6))
                symbol = marker.get("symbol") or "circle"
                for p in points:
                    if p is None:
                        continue
                    self._marker(d0 + p[0] * (d1 - d0), p[1] + self.m["t"], size, symbol,
                                 marker.get("color") or colour)
            previous = points

    def _marker(self, f: float, y: float, size: float, symbol: str, colour: str) -> None:
        r = size / 2
        if symbol == "circle":
            self.pic.marks.append(f'<circle style="cx: {self.pic.calc_x(f)}" cy="{y:.2f}" '
                                  f'r="{r}" fill="{escape(colour)}"/>')
        elif symbol == "diamond":  # a square turned about its centre
            side = size * 0.92
            self.pic.marks.append(
                f'<rect class="turned" style="x: {self.pic.calc_x(f, -side / 2)}" '
                f'y="{y - side / 2:.2f}" width="{side:.2f}" height="{side:.2f}" '
                f'fill="{escape(colour)}"/>')
        else:
            raise Unsupported(f"marker {symbol}")

    def _error_bar(self, f: float, y_low: float, y_high: float, spec: dict) -> None:
        """An error bar at plot fraction ``f``: a stem and a cross-bar at each end (as
        plotly.js: 2 px thick, 4 px either side, unless the figure says)."""
        colour = escape(spec.get("color") or "#444444")
        thick, half = float(spec.get("thickness", 2)), float(spec.get("width", 4))
        top, bottom = min(y_low, y_high), max(y_low, y_high)
        self.pic.upright(f, thick, top, bottom - top, colour, over=True)
        for y in (top, bottom):
            self.pic.upright(f, 2 * half, y - thick / 2, thick, colour, over=True)

    def _zero_lines(self) -> None:
        """The zero line, where the figure asks for one and 0 is inside the range (as drawn,
        plotly.js shows none unless asked)."""
        for a in self.axes.values():
            if a.category or a.spec.get("zeroline") is not True or not a.low < 0 < a.high:
                continue
            colour = a.spec.get("zerolinecolor") or "#444444"
            width = float(a.spec.get("zerolinewidth", 1))
            d0, d1 = self._panel(a)
            if a.letter == "y":
                y = self._py(a, 0.0)
                self.pic.rect(d0, d1, y - width / 2, y + width / 2, colour)
            else:
                self.pic.upright(self._hx(a, 0.0), width, self.m["t"], self.plot_h, colour)

    def _reference_lines(self) -> None:
        for shape in self.shapes:
            axis = self.axes.get(shape["xref"], self.axes["x"])
            top = self.m["t"] + (1 - shape["y1"]) * self.plot_h
            bottom = self.m["t"] + (1 - shape["y0"]) * self.plot_h
            self.pic.upright(self._hx(axis, shape["x"]), shape["width"], min(top, bottom),
                             abs(bottom - top), shape["colour"], over=True)

    def _axis_lines_and_labels(self) -> None:
        pic, top, bottom = self.pic, self.m["t"], self.m["t"] + self.plot_h
        for a in self.axes.values():
            d0, d1 = self._panel(a)
            colour = escape(a.spec.get("linecolor") or "#444444")
            if a.letter == "x":
                if a.spec.get("showline"):
                    pic.rect(d0, d1, bottom - 0.5, bottom + 0.5, colour)
                angle = a.spec.get("tickangle")
                for i, (value, label) in enumerate(a.ticks):
                    f = self._hx(a, value)
                    # every other category label gives way on a phone (app.css)
                    alt = " tick-alt" if i % 2 and (len(a.ticks) > 4 or not a.category) \
                        else ""
                    if isinstance(angle, int | float) and angle:  # turned about its end
                        pic.text(f, bottom + TICK_GAP, label, anchor="end", extra=(
                            f' dy="0.7em" class="xtick tick-turned{alt}" '
                            f'style="transform: rotate({float(angle)}deg)"'))
                    else:
                        pic.text(f, bottom + TICK_GAP + FONT_SIZE * 0.9, label,
                                 extra=f' class="xtick{alt}"')
                if _title(a):
                    pic.text((d0 + d1) / 2, bottom + self.x_title_gap + TITLE_SIZE * 0.9,
                             _title(a), extra=f' font-size="{TITLE_SIZE}" class="xtitle"')
            else:
                if a.spec.get("showline"):
                    pic.upright(d0, 1, top, self.plot_h, colour)
                for value, label in a.ticks:
                    pic.text(d0, self._py(a, value), label, anchor="end", dx=-TICK_GAP,
                             extra=' dy="0.35em" class="ytick"')
                if _title(a):
                    x, y = self.y_title_x, top + self.plot_h / 2
                    pic.text_px(x, y, _title(a), anchor="middle", extra=(
                        f' font-size="{TITLE_SIZE}" class="ytitle" '
                        f'transform="rotate(-90 {x:.2f} {y:.2f})"'))

    def _legend(self) -> None:
        items = self._legend_items()
        if not items:
            return
        y = self.m["t"] - LEGEND_LIFT * self.plot_h - LEGEND_HEIGHT / 2
        x = float(self.m["l"])
        parts = self.pic.parts
        for t in items:
            name = str(t.get("name") or "")
            line = t.get("line") or {}
            if t.get("type") == "bar" or t.get("fill") not in (None, "none"):
                marker = t.get("marker") or {}
                colour = t.get("fillcolor") or marker.get("color") or "#0072B2"
                colour = colour if isinstance(colour, str) else "#0072B2"
                shape = (marker.get("pattern") or {}).get("shape") or ""
                shape = shape if isinstance(shape, str) else ""
                fill = f"url(#{self.pic.hatch(shape, colour)})" if shape else colour
                if t.get("type") == "bar":  # plotly.js's swatches: a square for a bar
                    parts.append(f'<rect x="{x + 14:.2f}" y="{y - 6:.2f}" width="12" '
                                 f'height="12" fill="{escape(fill)}"/>')
                else:  # a band for a filled area
                    parts.append(f'<rect x="{x + 5:.2f}" y="{y - 3:.2f}" width="30" '
                                 f'height="6" fill="{escape(fill)}"/>')
            else:
                colour = escape(line.get("color") or "#0072B2")
                parts.append(f'<line x1="{x + 5:.2f}" x2="{x + 35:.2f}" y1="{y:.2f}" '
                             f'y2="{y:.2f}" stroke="{colour}" '
                             f'stroke-width="{float(line.get("width", 2))}"/>')
                if "markers" in (t.get("mode") or ""):
                    parts.append(f'<circle cx="{x + 20:.2f}" cy="{y:.2f}" r="3.5" '
                                 f'fill="{colour}"/>')
            self.pic.text_px(x + 40, y, name, extra=' dy="0.35em"')
            x += 40 + text_width(name) + 10

    def _annotations(self) -> None:
        for note in self.layout.get("annotations") or []:
            if note.get("xref") != "paper" or note.get("yref") != "paper" or \
                    note.get("showarrow", True):
                raise Unsupported("an annotation not placed on the paper")
            y = self.m["t"] + (1 - float(note.get("y", 0.5))) * self.plot_h
            y = y - 4 if note.get("yanchor") == "bottom" else y
            anchor = {"left": "start", "right": "end"}.get(note.get("xanchor"), "middle")
            self.pic.text(float(note.get("x", 0.5)), y, str(note.get("text") or ""), anchor)


def _points(points) -> str:
    return " ".join(f"{1000 * f:.1f},{y:.1f}" for f, y in points)


def _runs(points: list) -> list[list]:
    runs, run = [], []
    for p in points:
        if p is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(p)
    return runs + ([run] if run else [])


def _title(axis: Axis) -> str:
    title = axis.spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    return str(text) if text else ""


def _errors(trace: dict, count: int) -> list[tuple[float, float]]:
    """(below, above) of each point's error bar; (0, 0) where it has none."""
    spec = trace.get("error_y")
    if not spec or spec.get("visible") is False:
        return [(0.0, 0.0)] * count
    above = [_num(v) or 0.0 for v in spec.get("array") or []]
    below = above if spec.get("symmetric", True) else \
        [_num(v) or 0.0 for v in spec.get("arrayminus") or []]
    if len(above) != count or len(below) != count:
        raise Unsupported("error bars not given for every point")
    return [(abs(b), abs(a)) for b, a in zip(below, above, strict=True)]


def _reference_line(shape: dict) -> dict:
    """An upright line at an x value over the plot's height (the tornado's central result):
    the one shape drawn here."""
    if shape.get("type") != "line" or shape.get("yref") != "paper" or \
            shape.get("xref", "x") not in ("x", "x2") or shape.get("layer") == "below":
        raise Unsupported("a shape other than an upright reference line")
    x0, x1 = _num(shape.get("x0")), _num(shape.get("x1"))
    if x0 is None or x0 != x1:
        raise Unsupported("a line that is not upright")
    line = shape.get("line") or {}
    return {"x": x0, "xref": shape.get("xref", "x"), "y0": float(shape.get("y0", 0)),
            "y1": float(shape.get("y1", 1)), "width": float(line.get("width", 2)),
            "colour": str(line.get("color") or "#444444")}
