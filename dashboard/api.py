"""The read-only JSON API: /api/v1/datasets and /api/v1/datasets/<name> with paging and
filters on each dataset's allowed columns. Documented on the Open data page (/data)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask import Response, abort, jsonify, request

from dashboard import data, spreadsheet

MAX_LIMIT = 1000


@dataclass(frozen=True)
class ApiDataset:
    name: str
    query: str
    title: str
    description: str
    filters: tuple[str, ...]


DATASETS = {d.name: d for d in (
    ApiDataset("investment-areas", "api_areas", "Investment areas this year",
               "One row per investment area: spend, cost per outcome and main outcome.",
               ("area_code",)),
    ApiDataset("area-years", "api_area_years", "Spend and cost per outcome by year",
               "One row per investment area and financial year, cash and real terms.",
               ("area_code", "financial_year")),
    ApiDataset("service-spend", "api_service_spend", "Spend by service and year",
               "One row per service and financial year: payments, budget and outturn.",
               ("service_code", "dept_code", "financial_year")),
    ApiDataset("supplier-spend", "api_supplier_spend", "Spend by supplier",
               "One row per service, year, supplier and expense type (payments over £500).",
               ("service_code", "financial_year", "supplier_name")),
    ApiDataset("indicators", "api_indicators", "Outcome indicators",
               "One row per indicator, place and period, with 95% and 99.8% intervals and "
               "comparisons with London and England.",
               ("indicator_id", "geo_code", "period")),
    ApiDataset("spillover-links", "api_spillover_links", "Spill-over links",
               "One row per modelled link from a service to an outcome and its payer, with the "
               "effect size, its interval, the evidence grade and source.",
               ("service_code", "payer_code")),
    ApiDataset("unit-costs", "api_unit_costs", "Unit costs",
               "One row per cost item with its payer, range, price year and source.",
               ("payer_code",)),
)}


def _records(frame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    out = []
    for row in clean.to_dict(orient="records"):
        out.append({k: (v.item() if isinstance(v, np.generic) else
                        v.isoformat() if hasattr(v, "isoformat") else v)
                    for k, v in row.items()})
    return out


def register(server) -> None:
    @server.route("/api/v1/datasets")
    def api_index():
        return jsonify({"datasets": [
            {"name": d.name, "title": d.title, "description": d.description,
             "filters": list(d.filters), "url": f"/api/v1/datasets/{d.name}",
             "csv": f"/api/v1/datasets/{d.name}.csv"}
            for d in DATASETS.values()]})

    @server.route("/api/v1/datasets/<name>")
    def api_dataset(name: str):
        fmt = "json"
        if name.endswith(".csv"):
            name, fmt = name[:-4], "csv"
        ds = DATASETS.get(name)
        if ds is None:
            abort(404)
        unknown = set(request.args) - {"limit", "offset", *ds.filters}
        if unknown:
            return jsonify({"error": f"unknown parameter(s): {', '.join(sorted(unknown))}",
                            "allowed": ["limit", "offset", *ds.filters]}), 400
        try:
            limit = int(request.args.get("limit", 100))
            offset = int(request.args.get("offset", 0))
        except ValueError:
            return jsonify({"error": "limit and offset must be whole numbers"}), 400
        if not (1 <= limit <= MAX_LIMIT) or offset < 0:
            return jsonify({"error": f"limit must be 1..{MAX_LIMIT}, offset >= 0"}), 400
        frame = data.query(ds.query)
        for col in ds.filters:
            if col in request.args:
                frame = frame[frame[col].astype(str) == request.args[col]]
        total = len(frame)
        if fmt == "csv":
            return Response(spreadsheet.to_csv(frame), mimetype=spreadsheet.CSV_MIME,
                            headers={"Content-Disposition":
                                     f'attachment; filename="{name}.csv"'})
        page = frame.iloc[offset: offset + limit]
        nxt = offset + limit if offset + limit < total else None
        return jsonify({"dataset": name, "total": total, "offset": offset, "limit": limit,
                        "next_offset": nxt, "columns": list(frame.columns),
                        "rows": _records(page)})
