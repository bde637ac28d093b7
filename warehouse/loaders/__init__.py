"""Source adapters, one per real file format; ``LOADERS`` maps each kind to its loader."""

import dataclasses
from pathlib import Path

from warehouse.loaders import ascof, fingertips, mapping, nhs_costs, outturn, spend, tabular
from warehouse.loaders.base import Loader, LoadError, LoadResult, load_file


def _choose_unit_costs(path: Path) -> Loader:
    """'unit-costs' takes the National Cost Collection table or the simple unit-cost CSV."""
    if nhs_costs.looks_like_ncc(path):
        return dataclasses.replace(nhs_costs.LOADER, kind="unit-costs")
    return tabular.UNIT_COSTS


UNIT_COSTS = dataclasses.replace(tabular.UNIT_COSTS, choose=_choose_unit_costs)

LOADERS = {
    "mapping": mapping.LOADER,
    "indicator-metadata": tabular.INDICATORS,
    "unit-costs": UNIT_COSTS,
    "spillover-links": tabular.SPILLOVER,
    "budget": tabular.BUDGET,
    "activity": tabular.ACTIVITY,
    "spend": spend.LOADER,
    "fingertips": fingertips.LOADER,
    "scenarios": tabular.SCENARIOS,
    "outturn": outturn.LOADER,
    "ascof": ascof.LOADER,
    "nhs-costs": nhs_costs.LOADER,
}

__all__ = ["LOADERS", "LoadError", "LoadResult", "load_file"]
