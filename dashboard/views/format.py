"""Words and numbers as the pages show them: money, per cents, probabilities, comparisons.

Pure: no Dash, no Flask, no HTML. Both front ends and the view functions use them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

# Okabe-Ito palette: distinguishable with every common colour-vision deficiency
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"]


# benchmark comparison -> (css class, symbol, words); text, not colour alone, carries meaning
COMPARISON = {
    "better": ("cmp-better", "▲", "Better than England"),
    "worse": ("cmp-worse", "▼", "Worse than England"),
    "similar": ("cmp-similar", "●", "Similar to England"),
    "higher": ("cmp-neutral", "▲", "Higher than England"),
    "lower": ("cmp-neutral", "▼", "Lower than England"),
    "not compared": ("cmp-none", "–", "Not compared"),
    # quintiles (the label with "quintile" after it, see comparison_label): a place among the
    # areas ranked, not a significant difference; without polarity no better or worse
    "best quintile": ("cmp-better", "▲", "Best quintile"),
    "better quintile": ("cmp-better", "△", "Better quintile"),
    "worse quintile": ("cmp-worse", "▽", "Worse quintile"),
    "worst quintile": ("cmp-worse", "▼", "Worst quintile"),
    **{f"{q} quintile": ("cmp-neutral", "◆", f"{q.capitalize()} quintile")
       for q in ("lowest", "low", "middle", "high", "highest")},
}
QUINTILE_ORDER = {  # quintile label -> its fifth, 1 the lowest values (by polarity)
    "higher is better": ("worst", "worse", "middle", "better", "best"),
    "lower is better": ("best", "better", "middle", "worse", "worst"),
    "no judgement": ("lowest", "low", "middle", "high", "highest"),
}


def comparison_label(label, kind) -> str:
    """The mart's comparison label as the pages and CSVs give it: a quintile label says it is
    a quintile ("better quintile"), so it never reads as a significant difference."""
    if not isinstance(label, str) or not label:
        return "not compared"
    if kind == "quintiles" and label != "not compared" and not label.endswith(" quintile"):
        return f"{label} quintile"
    return label


def with_comparison_labels(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its ``comparison`` column as ``comparison_label`` gives it."""
    out = df.copy()
    out["comparison"] = [comparison_label(c, k) for c, k in
                         zip(df["comparison"], df["comparison_method"], strict=True)]
    return out


def method_name(kind, level) -> str:
    """The indicator's own comparison method, in words (the CSVs' ``comparison_method``)."""
    if kind == "quintiles":
        return "quintiles"
    if kind == "none":
        return "not compared"
    return f"{float(level) * 100:g}% confidence interval"


def method_words(kind, level, label, polarity) -> str:
    """The method named beside a comparison: "compared at 99.8%", "quintile 2 of 5"."""
    if kind == "none":
        return "its method: no comparison"
    if kind == "quintiles":
        base = str(label).removesuffix(" quintile")
        order = QUINTILE_ORDER.get(polarity, QUINTILE_ORDER["no judgement"])
        if base in order:
            return f"quintile {order.index(base) + 1} of 5"
        return "quintiles: too few areas to rank"
    if label == "not compared":
        return f"its method: {float(level) * 100:g}% interval; nothing to compare"
    return f"compared at {float(level) * 100:g}%"


def comparison_badge(label, benchmark: str = "England", kind: str = "interval",
                     level: float = 0.95, polarity: str | None = None) -> dict:
    """A comparison as a badge: css class, symbol, words and the method beside them (text,
    never colour alone). ``label`` as ``comparison_label`` gives it."""
    key = label if label in COMPARISON else "not compared"
    css, symbol, words = COMPARISON[key]
    return {"css": css, "symbol": symbol, "words": words.replace("England", benchmark),
            "method": method_words(kind, level, key, polarity)}


def plain(figure):
    """A go.Figure as the plain dict Dash sends anyway: cheap to cache and to unpickle
    (a cached go.Figure re-validates every property when it is loaded)."""
    return figure.to_dict() if hasattr(figure, "to_dict") else figure


def money(value: float | None, digits: int = 0) -> str:
    """£ with thousands separators; £m above a million; a dash for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f}m"
    return f"£{value:,.{digits}f}"


def number(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def pct_change(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no change figure"
    word = "up" if value > 0 else "down"
    return f"{word} {abs(value):.1f}%" if abs(value) >= 0.05 else "unchanged"


def trend_text(label: str | None) -> str:
    if not label or label == "cannot be calculated":
        return "Trend: not enough data to test"
    return f"Trend: {label}"


# the indicator comparisons the area and director pages offer (value, label)
BENCHMARK_OPTIONS = [("england", "England"), ("region", "Region")]


LEVEL_OPTIONS = [("95", "95%"), ("998", "99.8%")]


LEVEL_WORDS = dict(LEVEL_OPTIONS)


BENCHMARK_WORDS = {"england": "England", "region": "the region"}


def indicator_value_columns(df: pd.DataFrame, level: str, benchmark: str) -> dict:
    """An indicator's value, interval and benchmark comparison as every indicator CSV gives
    them (``level`` and ``benchmark`` are allow-listed codes): the interval at the chosen
    level, the comparison by the indicator's own method, and that method."""
    return {
        "value": df["value"].round(2),
        "lower_ci": df["lower_ci"].round(2),
        "upper_ci": df["upper_ci"].round(2),
        "confidence_level": LEVEL_WORDS[level],
        "benchmark": dict(BENCHMARK_OPTIONS)[benchmark],
        "benchmark_value": df["benchmark_value"].round(2),
        "compared_with_benchmark": [comparison_label(c, k) for c, k in
                                    zip(df["comparison"], df["comparison_method"], strict=True)],
        # the interval shown is at the chosen level; the comparison is by the indicator's own
        # method, named here
        "comparison_method": [method_name(k, v) for k, v in
                              zip(df["comparison_method"], df["comparison_level"], strict=True)],
    }


# recent trend (Fingertips wording) -> (css class, symbol); the words are shown too
TREND = {
    "increasing and getting better": ("trend-better", "▲"),
    "decreasing and getting better": ("trend-better", "▼"),
    "increasing and getting worse": ("trend-worse", "▲"),
    "decreasing and getting worse": ("trend-worse", "▼"),
    "increasing": ("trend-neutral", "▲"),
    "decreasing": ("trend-neutral", "▼"),
    "no significant change": ("trend-none", "►"),
}


# --- spill-over and scenario helpers --------------------------------------------------------
MINUS = "\u2212"  # a true minus sign: screen readers say "minus", and it lines up with "+"


def money_signed(value: float | None, digits: int = 0) -> str:
    """£ with a true minus sign for negatives ("−£34,477"); £m above a million."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = money(abs(value), digits)
    return f"{MINUS}{text}" if round(value, digits) < 0 else text


def money_interval(low: float | None, high: float | None) -> str:
    """A 95% interval of money, as "−£63,557 to −£24,652"."""
    return f"{money_signed(low)} to {money_signed(high)}"


class SpilloverInputs(NamedTuple):
    """What the spill-over model needs, from the named queries."""

    links: pd.DataFrame
    unit_costs: pd.DataFrame
    payers: pd.DataFrame
    funders: dict[str, str]  # service_code -> the department (payer) that funds it
    services: pd.DataFrame  # one row per service, with its latest year's spend


def spillover_inputs() -> SpilloverInputs:
    """The model's inputs, through the cache (frames are shared: do not mutate them)."""
    from dashboard import data

    services = data.query("service_spend_latest")
    return SpilloverInputs(
        links=data.query("spillover_links"),
        unit_costs=data.query("unit_costs"),
        payers=data.query("payers"),
        funders=dict(zip(services["service_code"], services["dept_code"], strict=True)),
        services=services,
    )


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A chart's table as a reader sees it: £ (``*_gbp``) and counts to the unit, other numbers
    to one place, ids as text, a dash for gaps. The CSV serves the unformatted frame."""
    whole = ("count", "payments", "outcome_units", "n_payments")
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            out[col] = series.fillna("–").astype(str)
        elif col.endswith("_id"):
            out[col] = series.astype(str)
        elif col.endswith("_gbp") or col in whole:
            out[col] = [number(v, 0) for v in series]
        else:
            out[col] = [number(v, 1) for v in series]
    return out
