"""The result of a spill-over run: frames by payer, year and link."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

STAT_COLUMNS = [
    "net_saving_gbp",
    "net_saving_point_gbp",
    "net_saving_mean_gbp",
    "net_saving_p2_5_gbp",
    "net_saving_p97_5_gbp",
    "prob_net_saving",
]


@dataclass(frozen=True, eq=False)
class SpilloverResult:
    """Discounted net savings by payer, year and link, with Monte Carlo intervals.

    Sign convention: ``net_saving_gbp`` > 0 is a saving for the payer, < 0 an extra cost.
    **Central figure: the median of the draws** (``net_saving_gbp``), everywhere; the Monte
    Carlo mean is ``net_saving_mean_gbp``; ``net_saving_p2_5_gbp`` and
    ``net_saving_p97_5_gbp`` are the 2.5th and 97.5th percentiles; ``prob_net_saving`` is
    the share of draws with ``net_saving_gbp > 0`` (strictly); ``net_saving_point_gbp`` has
    every input at its point value (what the tornado starts from). Medians of parts do not
    add up to the median of the whole; each row is the median of its own total.
    ``direct_saving_gbp`` is the funding payer's saving from the spend change itself (no
    uncertainty) and ``spillover_saving_gbp`` the median knock-on saving (both discounted),
    so ``net_saving_gbp = direct_saving_gbp + spillover_saving_gbp`` on every row.

    Unknown is not zero: when a changed service has no spill-over link
    (``unmodelled_services``), its knock-on effects are unknown. The rows of the payers that
    fund it, of the council (if one of them is a council payer) and of the public purse have
    ``knock_on_complete`` False, and their ``prob_net_saving`` and percentiles are NaN: the
    net figure there is the direct effect plus the *modelled* knock-on effects only.

    Attributes
    ----------
    by_payer_year
        One row per payer and year (1..years): ``payer_code, payer_label,
        organisation_code, is_council, year, direct_saving_gbp, spillover_saving_gbp,
        knock_on_complete`` and the statistics columns.
    by_payer
        The same, summed over the horizon (no ``year`` column).
    overall
        Two rows, ``scope`` = ``"council"`` (payers with ``is_council``) and
        ``"public_purse"`` (all payers), summed over the horizon, same columns
        (``is_council`` is True for the council row and <NA> for the public purse).
    overall_by_year
        The council and public purse by year: ``scope``, ``payer_label``,
        ``is_council``, ``year`` and the same value columns.
    by_link
        One row per link: ``link_id, service_code, outcome_code, outcome_label,
        cost_item, payer_code, payer_label, evidence_grade, optimism_bias, deadweight,
        share_retained`` (factor on a saving), ``cost_uplift`` (factor on an extra cost),
        ``tied_event`` (the event it shares a draw on with other links, or ""),
        ``stay_years``, ``delta_activity_units`` (per year and cohort), ``delta_events``
        (point value, unadjusted, undiscounted, over the horizon), ``spillover_saving_gbp``
        (median, discounted, adjusted against the proposal),
        ``spillover_saving_unadjusted_gbp`` (median, no optimism bias or deadweight),
        ``spillover_saving_point_gbp``, ``spillover_saving_mean_gbp``,
        ``spillover_saving_p2_5_gbp``, ``spillover_saving_p97_5_gbp``.
    by_link_year
        One row per link and year: ``link_id, year, spillover_saving_gbp`` (median,
        adjusted, discounted) and ``spillover_saving_unadjusted_gbp``.
    payer_draws
        ``(draws, payers)`` array of discounted net savings over the horizon, columns
        in the order of ``by_payer``.
    unmodelled_services
        Changed services with no spill-over link: their knock-on effects are unknown.
    persistence
        ``"sustained"`` (a cohort every year) or ``"oneoff"`` (one cohort in year 1).
    """

    by_payer_year: pd.DataFrame
    by_payer: pd.DataFrame
    overall: pd.DataFrame
    overall_by_year: pd.DataFrame
    by_link: pd.DataFrame
    payer_draws: np.ndarray = field(repr=False)
    years: int
    draws: int
    seed: int | None
    discount_rate: float
    discount_first_year: bool
    unit_cost_distribution: str
    price_years: tuple[str, ...]
    by_link_year: pd.DataFrame | None = None
    unmodelled_services: tuple[str, ...] = ()
    persistence: str = "sustained"

    @property
    def prob_net_saving_public_purse(self) -> float:
        """P(net saving summed over all payers and years > 0)."""
        return float(self.overall.set_index("scope").at["public_purse", "prob_net_saving"])

    @property
    def prob_net_saving_council(self) -> float:
        """P(net saving summed over council payers and years > 0)."""
        return float(self.overall.set_index("scope").at["council", "prob_net_saving"])

    def prob_net_saving(self, payer_code: str | None = None) -> float:
        """P(net saving > 0) for one payer over the horizon, or the public purse if None."""
        if payer_code is None:
            return self.prob_net_saving_public_purse
        rows = self.by_payer.loc[self.by_payer["payer_code"] == payer_code, "prob_net_saving"]
        if rows.empty:
            raise KeyError(f"unknown payer_code {payer_code!r}")
        return float(rows.iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """Tidy table for display: one row per (scope, payer, year).

        Columns: ``scope`` ("payer", "council", "public_purse"), ``payer_code`` (missing
        for the aggregates), ``payer_label``, ``is_council``, ``year`` (nullable Int64; <NA>
        = total over the horizon), ``direct_saving_gbp``, ``spillover_saving_gbp`` and
        the statistics columns described on the class. Rows are ordered payer by payer
        (years, then total), then council (years, total), then public purse.
        """
        value_cols = ["direct_saving_gbp", "spillover_saving_gbp", *STAT_COLUMNS]
        parts = []
        for i, code in enumerate(self.by_payer["payer_code"]):
            yearly = self.by_payer_year.loc[self.by_payer_year["payer_code"] == code]
            parts.append(yearly.assign(scope="payer"))
            parts.append(self.by_payer.iloc[[i]].assign(scope="payer", year=pd.NA))
        for i, scope in enumerate(self.overall["scope"]):
            parts.append(self.overall_by_year.loc[self.overall_by_year["scope"] == scope])
            parts.append(self.overall.iloc[[i]].assign(year=pd.NA))
        cols = ["scope", "payer_code", "payer_label", "is_council", "year",
                "knock_on_complete", *value_cols]
        out = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
        out["year"] = out["year"].astype("Int64")
        out["is_council"] = out["is_council"].astype("boolean")
        out["knock_on_complete"] = out["knock_on_complete"].astype(bool)
        for col in value_cols:
            out[col] = out[col].astype(float)
        return out

    def sankey(self) -> pd.DataFrame:
        """Flows for a Sankey diagram: service -> outcome -> payer, central values.

        Columns ``source, target, value_gbp, net_saving_gbp``: ``value_gbp`` is the
        absolute amount (Sankey widths must be positive) and ``net_saving_gbp`` keeps the
        sign. Node names are prefixed ``service:``, ``outcome:`` and ``payer:``.
        """
        links = self.by_link
        first = (
            links.assign(
                source="service:" + links["service_code"],
                target="outcome:" + links["outcome_label"],
            )
            .groupby(["source", "target"], as_index=False, sort=False)["spillover_saving_gbp"]
            .sum()
        )
        second = (
            links.assign(
                source="outcome:" + links["outcome_label"],
                target="payer:" + links["payer_label"],
            )
            .groupby(["source", "target"], as_index=False, sort=False)["spillover_saving_gbp"]
            .sum()
        )
        out = pd.concat([first, second], ignore_index=True).rename(
            columns={"spillover_saving_gbp": "net_saving_gbp"}
        )
        out["value_gbp"] = out["net_saving_gbp"].abs()
        return out[["source", "target", "value_gbp", "net_saving_gbp"]]
