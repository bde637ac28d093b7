"""CSV (and JSON) downloads of exactly the tables the charts show, by allow-listed name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from flask import Response, abort, request

from dashboard import spreadsheet


@dataclass(frozen=True)
class Dataset:
    name: str
    params: tuple[str, ...]
    table: Callable[..., pd.DataFrame]  # validated params -> the table a chart shows
    validate: Callable[..., dict]  # raw params -> validated params, or ValueError


DATASETS: dict[str, Dataset] = {}


def dataset(name: str, params: tuple[str, ...], validate: Callable[..., dict]):
    """Register a chart's table under ``name`` so /download/<name>.csv serves it."""

    def wrap(fn):
        DATASETS[name] = Dataset(name, params, fn, validate)
        return fn

    return wrap


def register(server, modules: tuple[str, ...] | None = None) -> None:
    """Serve /download/<name>.csv|json: every registered dataset, or (public mode) only those
    registered by ``modules`` (the site's view modules: never a staff page's data)."""

    @server.route("/download/<name>.<fmt>")
    def download(name: str, fmt: str):
        ds = DATASETS.get(name)
        if ds is not None and modules is not None and ds.table.__module__ not in modules:
            ds = None
        if ds is None or fmt not in ("csv", "json"):
            abort(404)
        raw = {p: request.args.get(p, "") for p in ds.params}
        try:
            params = ds.validate(**raw)
        except ValueError:
            abort(400)
        frame = ds.table(**params)
        suffix = "-".join(str(v).replace("/", "-") for v in params.values())
        filename = f"{name}{'-' + suffix if suffix else ''}.{fmt}"
        if fmt == "csv":
            body, mime = spreadsheet.to_csv(frame), spreadsheet.CSV_MIME
        else:
            body, mime = frame.to_json(orient="records", force_ascii=False), "application/json"
        return Response(body, mimetype=mime, headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})
