"""Source adapters, one per real file format; ``LOADERS`` maps each kind to its loader."""

from warehouse.loaders import fingertips, mapping, spend, tabular
from warehouse.loaders.base import LoadError, LoadResult, load_file

LOADERS = {
    "mapping": mapping.LOADER,
    "indicator-metadata": tabular.INDICATORS,
    "unit-costs": tabular.UNIT_COSTS,
    "spillover-links": tabular.SPILLOVER,
    "budget": tabular.BUDGET,
    "activity": tabular.ACTIVITY,
    "spend": spend.LOADER,
    "fingertips": fingertips.LOADER,
    "scenarios": tabular.SCENARIOS,
}

__all__ = ["LOADERS", "LoadError", "LoadResult", "load_file"]
