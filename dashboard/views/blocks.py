"""A chart block: a chart with its finding as a title, a text summary, the table it shows and the
CSV behind it. Both front ends draw one from this (the site in ``templates/macros.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
from plotly.io.json import to_json_plotly


def csv_url(name: str, params: dict | None = None) -> str:
    """The address of a registered dataset's CSV (``downloads.dataset``)."""
    return f"/download/{name}.csv" + (f"?{urlencode(params, safe='/')}" if params else "")


@dataclass(frozen=True)
class ChartBlock:
    id: str
    title: str
    summary: str
    figure: dict | None  # a plotly figure dict (``figure.to_dict()``), or None for a table only
    table: pd.DataFrame  # what the chart shows, as a reader reads it
    csv: str | None = None  # the CSV behind the chart
    # made once with the block (and kept with it in the cache), not on every page drawn
    figure_json: str | None = None  # the figure as JSON, "<" escaped for a script block
    cells: list[list[str]] | None = None  # the table's cells as text

    def __post_init__(self):
        if self.figure is not None and self.figure_json is None:
            object.__setattr__(self, "figure_json",
                               to_json_plotly(self.figure).replace("<", "\\u003c"))
        if self.cells is None:
            object.__setattr__(self, "cells", self.table.astype(str).values.tolist())

    @property
    def height(self) -> int:
        return int(((self.figure or {}).get("layout") or {}).get("height") or 450)
