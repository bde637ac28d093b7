"""The director view's state, allow-lists, tables and sentences: pure view functions.

One department's services across every investment area, and the indicators in those areas
that need attention (significantly worse than the benchmark, or significantly getting worse)
first. State lives in the URL (``?dept=ASC&year=2024/25&benchmark=england&level=95``). No
HTML, no Dash, no Flask here: the staff page (``dashboard/staff/pages/director.py``) draws
what these return.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

import pandas as pd

from dashboard import data
from dashboard.views.format import (
    BENCHMARK_OPTIONS,
    BENCHMARK_WORDS,
    LEVEL_OPTIONS,
    indicator_value_columns,
    method_words,
    money,
    with_comparison_labels,
)
from dashboard.views.links import apply_checks


class View(NamedTuple):
    dept: str
    year: str
    benchmark: str = "england"
    level: str = "95"

    def search(self) -> str:
        return "?" + urlencode(self._asdict(), safe="/")


def _choice(value, options: list[tuple[str, str]]) -> str:
    return data.one_of(value, dict(options), "choice")


def _dept(value) -> str:
    return data.one_of(value, data.allowed("department_codes", "dept_code"), "department")


def years() -> list[str]:
    return data.query("financial_years")["financial_year"].tolist()


def _year(value) -> str:
    return data.one_of(value, years(), "year")


def make_view(dept, year, benchmark, level) -> View:
    """A checked view, or ValueError naming the first off-list value."""
    return View(_dept(dept), _year(year), _choice(benchmark, BENCHMARK_OPTIONS),
                _choice(level, LEVEL_OPTIONS))


def view_from_query(query: dict) -> tuple[View, list[str]]:
    """The view a link asks for; off-list values fall back to the default, with a note each."""
    view = View(str(data.query("department_codes")["dept_code"].iloc[0]), years()[-1])
    return apply_checks(view, query, [
        ("dept", _dept), ("year", _year),
        ("benchmark", lambda v: _choice(v, BENCHMARK_OPTIONS)),
        ("level", lambda v: _choice(v, LEVEL_OPTIONS))])


# ---- tables ----------------------------------------------------------------------------

def _areas() -> pd.DataFrame:
    """Investment areas in their display order, with a ``sort_order`` column."""
    areas = data.query("area_codes")[["area_code", "area_name"]]
    return areas.assign(sort_order=range(len(areas)))


def indicators(dept: str, benchmark: str, level: str) -> pd.DataFrame:
    """The department's indicators, those needing attention first: significantly worse than
    the benchmark (by each indicator's own method, named in ``method``: "compared at 99.8%",
    "quintile 2 of 5"), then significantly getting worse, then the rest; areas in display
    order."""
    df = data.query("department_indicators", dept_code=dept, benchmark=benchmark, level=level)
    df = with_comparison_labels(df.merge(_areas(), on="area_code", how="left"))
    # significantly worse by its own interval method ("worse quintile" is a rank, not a test)
    df["is_worse"] = df["comparison"].eq("worse")
    df["method"] = [method_words(k, v, c, p) for k, v, c, p in zip(
        df["comparison_method"], df["comparison_level"], df["comparison"], df["polarity"],
        strict=True)]
    df["is_worsening"] = df["trend"].fillna("").str.endswith("getting worse")
    df["attention"] = df["is_worse"] | df["is_worsening"]
    return df.sort_values(["attention", "is_worse", "is_worsening", "sort_order", "indicator_id"],
                          ascending=[False, False, False, True, True], kind="stable",
                          ignore_index=True)


def validate_alerts(dept="", benchmark="", level="") -> dict:
    return {"dept": _dept(dept), "benchmark": _choice(benchmark, BENCHMARK_OPTIONS),
            "level": _choice(level, LEVEL_OPTIONS)}


def alerts_table(dept: str, benchmark: str, level: str) -> pd.DataFrame:
    df = indicators(dept, benchmark, level)
    return pd.DataFrame({
        "area_code": df["area_code"],
        "investment_area": df["area_name"],
        "indicator_id": df["indicator_id"],
        "indicator": df["indicator_name"],
        "period": df["period"],
        "unit": df["unit_label"],
        "count": df["numerator"],
        **indicator_value_columns(df, level, benchmark),
        "recent_trend": df["trend"].fillna("cannot be calculated"),
        "needs_attention": df["attention"].map({True: "yes", False: "no"}),
    })


def validate_dept_year(dept="", year="") -> dict:
    return {"dept": _dept(dept), "year": _year(year)}


def budget_table(dept: str, year: str) -> pd.DataFrame:
    df = data.query("department_budget_outturn", dept_code=dept, year=year)
    return pd.DataFrame({
        "service_code": df["service_code"],
        "service": df["service_name"],
        "statutory": df["statutory"].map({True: "statutory", False: "non-statutory"}),
        "payments_gbp": df["spend_gbp"].round(2),
        "budget_gbp": df["budget_gbp"].round(2),
        "outturn_gbp": df["outturn_gbp"].round(2),
        "outturn_minus_budget_gbp": (df["outturn_gbp"] - df["budget_gbp"]).round(2),
    })


def services_table(dept: str, year: str) -> pd.DataFrame:
    df = data.query("department_service_spend", dept_code=dept, year=year)
    df = df.merge(_areas(), on="area_code", how="left").sort_values(
        ["service_code", "sort_order"], kind="stable", ignore_index=True)
    return pd.DataFrame({
        "service_code": df["service_code"],
        "service": df["service_name"],
        "statutory": df["statutory"].map({True: "statutory", False: "non-statutory"}),
        "area_code": df["area_code"],
        "investment_area": df["area_name"],
        "allocation_share_pct": (df["share"] * 100).round(1),
        "allocated_spend_gbp": df["allocated_spend_gbp"].round(2),
        "allocated_budget_gbp": df["allocated_budget_gbp"].round(2),
        "allocated_outturn_gbp": df["allocated_outturn_gbp"].round(2),
    })



# ---- words -----------------------------------------------------------------------------

def dept_name(dept: str) -> str:
    depts = data.query("department_codes")
    return str(depts.loc[depts["dept_code"] == dept, "dept_name"].iloc[0])


def alerts_summary(view: View, name: str, df: pd.DataFrame) -> str:
    """Which indicators need attention, in one sentence (``df`` from ``indicators``)."""
    flagged = df[df["attention"]]
    bench = BENCHMARK_WORDS[view.benchmark]
    if len(flagged):
        listed = "; ".join(f"{r.indicator_name} ({r.area_name}: {_state(r, bench)})"
                           for r in flagged.itertuples())
        return (f"{len(flagged)} of the {len(df)} indicators in the areas {name} funds need "
                f"attention (significantly worse than {bench} by the indicator's own method, "
                f"or significantly getting worse): {listed}.")
    return (f"None of the {len(df)} indicators in the areas {name} funds is significantly "
            f"worse than {bench} by its own method or significantly getting worse.")


def _state(r, bench: str) -> str:
    """Why an indicator needs attention, its comparison method named."""
    parts = []
    if r.is_worse:
        parts.append(f"worse than {bench}, {r.method}")
    if r.is_worsening:
        parts.append(str(r.trend))
    return "; ".join(parts)


def budget_words(view: View, name: str, table: pd.DataFrame) -> tuple[str, str]:
    """The budget chart's title (outturn against budget) and summary (who overspent)."""
    budget, outturn = table["budget_gbp"].sum(), table["outturn_gbp"].sum()
    gap = table["outturn_minus_budget_gbp"]
    over = table.loc[gap > 0].sort_values("outturn_minus_budget_gbp", ascending=False)
    if budget:
        pct = (outturn / budget - 1) * 100
        title = (f"{name}: outturn {money(outturn)} against a budget of {money(budget)} in "
                 f"{view.year}, {abs(pct):.1f}% {'over' if pct > 0 else 'under'}")
    else:
        title = f"{name}: no budget recorded for {view.year}"
    summary = (f"{len(over)} of {len(table)} services spent more than their budget"
               + (f", the most {over.iloc[0]['service']} "
                  f"({money(over.iloc[0]['outturn_minus_budget_gbp'])} over)" if len(over) else "")
               + ". Whole services in cash, before allocation to investment areas; "
               "non-statutory services are hatched.")
    return title, summary


def services_series(table: pd.DataFrame) -> tuple[list[str], dict[str, list[float]]]:
    """Services, and each investment area's allocated spend per service (NaN where none)."""
    services = list(dict.fromkeys(table["service"]))
    series = {}
    for area in dict.fromkeys(table["investment_area"]):
        part = table[table["investment_area"] == area].set_index("service")
        series[area] = [part["allocated_spend_gbp"].get(s, float("nan")) for s in services]
    return services, series


def services_words(view: View, name: str, table: pd.DataFrame) -> tuple[str, str]:
    by_area = table.groupby("investment_area", sort=False)["allocated_spend_gbp"].sum()
    title = (f"{name}'s services fund {len(by_area)} investment areas; most goes to "
             f"{by_area.idxmax()} ({money(by_area.max())} in {view.year})") if len(by_area) \
        else f"{name} funds no investment area in {view.year}"
    summary = ("Each service's spend split by its allocation shares across the investment "
               "areas it serves (cash). "
               + "; ".join(f"{a}: {money(v)}" for a, v in by_area.items()) + ".")
    return title, summary


def headline(view: View, name: str) -> str:
    """The department's position in one sentence: budget against outturn, and how many of the
    indicators in the areas it funds need attention."""
    budget = budget_table(view.dept, view.year)
    planned, spent = budget["budget_gbp"].sum(), budget["outturn_gbp"].sum()
    if planned:
        pct = (spent / planned - 1) * 100
        money_part = (f"{name} spent {money(spent)} against a budget of {money(planned)} in "
                      f"{view.year} ({abs(pct):.1f}% {'over' if pct > 0 else 'under'})")
    else:
        money_part = f"{name} has no budget recorded for {view.year}"
    ind = indicators(view.dept, view.benchmark, view.level)
    n = int(ind["attention"].sum())
    return (f"{money_part}; {n} of the {len(ind)} indicators in the areas it funds "
            f"{'needs' if n == 1 else 'need'} attention.")

