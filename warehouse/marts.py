"""Marts whose columns come from the statistics in ``indicators/`` (benchmarks, trends, cost
per outcome with intervals). They are computed once at build, never per request.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from indicators import compare, cost, trend

POST = Path(__file__).resolve().parent / "marts" / "post"

TREND_TYPE = {
    "proportion": "proportion",
    "crude rate": "rate",
}


def _indicator_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        select iv.indicator_id, i.indicator_name, i.value_type, i.polarity, i.unit_label,
               i.multiplier, i.comparison_method, i.comparison_level, iv.geo_code,
               coalesce(g.geo_name, iv.geo_name) as geo_name,
               g.geo_role, iv.period, iv.numerator, iv.denominator, iv.value, iv.lower95,
               iv.upper95, iv.lower998, iv.upper998, iv.source_file,
               eng.value as england_value, reg.value as region_value
        from indicator_value as iv
        join indicator as i using (indicator_id)
        left join geography as g on g.geo_code = iv.geo_code
        left join (
            select iv2.indicator_id, iv2.period, iv2.value from indicator_value as iv2
            join geography as g2 on g2.geo_code = iv2.geo_code and g2.geo_role = 'country'
            where iv2.sex = 'Persons' and iv2.category = ''
        ) as eng on eng.indicator_id = iv.indicator_id and eng.period = iv.period
        left join (
            select iv3.indicator_id, iv3.period, iv3.value from indicator_value as iv3
            join geography as g3 on g3.geo_code = iv3.geo_code and g3.geo_role = 'region'
            where iv3.sex = 'Persons' and iv3.category = ''
        ) as reg on reg.indicator_id = iv.indicator_id and reg.period = iv.period
        where iv.sex = 'Persons' and iv.category = '' and g.geo_role is not null
        order by iv.indicator_id, iv.geo_code, iv.period
        """
    ).df()


def _local_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every local area's value (any place that is not the region or the country): the areas
    an indicator benchmarked by quintiles is ranked among."""
    return con.execute(
        """
        select iv.indicator_id, iv.period, iv.geo_code, iv.value
        from indicator_value as iv
        left join geography as g on g.geo_code = iv.geo_code
        where iv.sex = 'Persons' and iv.category = ''
          and coalesce(g.geo_role, 'borough') = 'borough'
        """
    ).df()


def mart_indicator(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per indicator x place x period: value, intervals, and the benchmark comparisons
    at both levels and (``vs_england``, ``vs_region``) by the indicator's own method
    (``comparison_method``, ``comparison_level``)."""
    df = _indicator_frame(con)
    pool = _local_areas(con)
    for bench, col in (("england", "england_value"), ("region", "region_value")):
        # a place is not compared with itself
        same = df["geo_role"] == ("country" if bench == "england" else "region")
        for level, lo, hi in (("95", "lower95", "upper95"), ("998", "lower998", "upper998")):
            out = compare.compare(df["value"], df[lo], df[hi], df[col], df["polarity"])
            labels = np.asarray(out, dtype=object)
            df[f"vs_{bench}_{level}"] = np.where(same, "not compared", labels)
        df[f"vs_{bench}"] = np.where(same, "not compared", _by_method(df, col, pool))
    return df


def _method_of(kind, level) -> compare.ComparisonMethod:
    if kind == "interval":
        return compare.ComparisonMethod("interval", float(level))
    return compare.ComparisonMethod(str(kind))


def _by_method(df: pd.DataFrame, benchmark: str, pool: pd.DataFrame | None = None) -> np.ndarray:
    """Each indicator compared by its own Fingertips method (``comparison_method`` and
    ``comparison_level`` columns, from the metadata's BenchmarkComparisonMethod).

    Quintiles: a local area (geo_role 'borough') is placed in its fifth among every local
    area with a value for the same indicator and period in ``pool`` (default: the rows of
    ``df``); with fewer than 5 such areas there are no fifths and it is "not compared", as
    is the region or the country (a quintile ranks areas of one type)."""
    pool = df if pool is None else pool
    out = np.full(len(df), "not compared", dtype=object)
    kinds = df["comparison_method"].fillna("interval")
    levels = df["comparison_level"].fillna(0.95)
    for (kind, level), rows in df.groupby([kinds, levels], sort=False):
        method = _method_of(kind, level)
        if method.kind == "quintiles":
            local = rows[rows["geo_role"] == "borough"] if "geo_role" in rows else rows
            for (iid, period), g in local.groupby(["indicator_id", "period"], sort=False):
                peers = pool[(pool["indicator_id"] == iid) & (pool["period"] == period)]
                peers = peers.drop_duplicates("geo_code").set_index("geo_code")["value"]
                if peers.notna().sum() < 5:
                    continue
                fifths = compare.quintiles(peers, g["polarity"].iloc[0])
                out[df.index.get_indexer(g.index)] = fifths.reindex(g["geo_code"]).fillna(
                    "not compared").to_numpy()
            continue
        got = compare.compare_by_method(method, rows["value"], rows["lower95"], rows["upper95"],
                                        rows["lower998"], rows["upper998"], rows[benchmark],
                                        rows["polarity"])
        out[df.index.get_indexer(rows.index)] = np.asarray(got, dtype=object)
    return out


def mart_indicator_trend(df: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator x place: the Fingertips recent-trend marker on the latest 5 years."""
    frames = []
    for (iid, geo), g in df.groupby(["indicator_id", "geo_code"], sort=True):
        g = g.sort_values("period")
        vt = str(g["value_type"].iloc[0]).lower()
        kind = TREND_TYPE.get(vt, "value")
        kwargs = {"value_type": kind if kind != "value" else vt,
                  "polarity": g["polarity"].iloc[0]}
        if kind in ("proportion", "rate"):
            res = trend.recent_trend(g["period"], g["numerator"], g["denominator"], **kwargs)
        else:
            res = trend.recent_trend(g["period"], value=g["value"], lower95=g["lower95"],
                                     upper95=g["upper95"], **kwargs)
        row = res.as_dict()
        frames.append({"indicator_id": iid, "geo_code": geo,
                       "latest_period": g["period"].iloc[-1], **row})
    return pd.DataFrame(frames)


def _cost(spend: pd.Series, df: pd.DataFrame) -> pd.DataFrame:
    """Cost per outcome with an interval only where the outcome is a count of events (a
    Poisson count: ``outcome_lower`` set by ``03_mart_area_year_base.sql``); an administrative
    count has none."""
    with_ci = cost.cost_per_outcome(spend, df["outcome_units"], df["outcome_lower"],
                                    df["outcome_upper"]).to_frame()
    without = cost.cost_per_outcome(spend, df["outcome_units"]).to_frame()
    has = df["outcome_lower"].notna().to_numpy()
    return with_ci.where(pd.Series(has, index=with_ci.index), without, axis=0)


def mart_area_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per investment area x year: cost per outcome with interval, cash and real terms."""
    df = con.execute("select * from mart_area_year_base order by area_code, financial_year").df()
    cash = _cost(df["allocated_spend_gbp"], df)
    real = _cost(df["allocated_spend_real_gbp"], df)
    df["cost_per_outcome_gbp"] = np.asarray(cash.value, dtype=float)
    df["cost_per_outcome_lower_gbp"] = np.asarray(cash.lower, dtype=float)
    df["cost_per_outcome_upper_gbp"] = np.asarray(cash.upper, dtype=float)
    df["cost_per_outcome_real_gbp"] = np.asarray(real.value, dtype=float)
    df["cost_per_outcome_real_lower_gbp"] = np.asarray(real.lower, dtype=float)
    df["cost_per_outcome_real_upper_gbp"] = np.asarray(real.upper, dtype=float)
    for col in ("cost_per_outcome_gbp", "cost_per_outcome_real_gbp", "allocated_spend_gbp",
                "allocated_spend_real_gbp", "outcome_units"):
        change = pd.Series(np.nan, index=df.index)
        for _, g in df.groupby("area_code", sort=False):
            yoy = cost.year_on_year(g[col], g["financial_year"])
            change.loc[g.index] = yoy["pct_change"].to_numpy()
        df[f"{col.removesuffix('_gbp')}_change_pct"] = change.astype(float)
    df["real_terms_base_year"] = cost.default_base_year()
    return df


def write_python_marts(con: duckdb.DuckDBPyConnection) -> None:
    indicators = mart_indicator(con)
    trends = mart_indicator_trend(indicators)
    area_year = mart_area_year(con)
    for name, frame in (("mart_indicator", indicators), ("mart_indicator_trend", trends),
                        ("mart_area_year", area_year)):
        con.register("_frame", frame)
        con.execute(f"create table {name} as select * from _frame")  # noqa: S608 - fixed names
        con.unregister("_frame")
    for sql_file in sorted(POST.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))

