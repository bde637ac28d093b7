"""The read-only JSON API: /api/v1/datasets and /api/v1/datasets/<name> with paging and
filters on each dataset's allowed columns, and /api/v1/scenario-results (every number the
scenario planner shows for a set of changes or a published scenario). Documented on the Open
data page (/data)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from flask import Response, abort, jsonify, request

from dashboard import auth, data, fairshare, spreadsheet
from dashboard.views import scenario_query as sq
from dashboard.views import scenario_results as sr
from dashboard.views.format import spillover_inputs
from drafts.store import Change

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


def _csv(frame, name: str):
    """Every CSV of the API: formula-leading cells neutralised (``dashboard.spreadsheet``)."""
    return Response(spreadsheet.to_csv(frame), mimetype=spreadsheet.CSV_MIME,
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def register_staff(server) -> None:
    """Staff-only data (internal mode, a signed-in internal user): the spend labels not yet
    allocated to a service, as JSON or CSV (the data-quality page's table)."""
    from dashboard.views.data_quality import data_quality

    @server.route("/api/v1/staff/unallocated-spend")
    @server.route("/api/v1/staff/unallocated-spend.csv", endpoint="api_unallocated_csv")
    def api_unallocated():
        if not auth.current_user().is_internal:
            abort(403)
        if request.args:
            return jsonify({"error": "this dataset takes no parameters"}), 400
        view = data_quality(data.query("spend_allocation_totals"),
                            data.query("unallocated_spend"))
        if request.path.endswith(".csv"):
            return _csv(view.download, "unallocated-spend")
        return jsonify({"dataset": "unallocated-spend", "summary": view.sentences,
                        "total": len(view.download), "columns": list(view.download.columns),
                        "rows": _records(view.download)})


SCENARIO_PARAMS = ("change", "scenario", sq.PERSIST)
SCENARIO_ID = re.compile(r"^[a-z0-9-]{1,64}$")


class _Plan(NamedTuple):
    services: pd.DataFrame  # indexed by service_code, with spend_gbp (the latest year)
    latest_year: str


@data.cache.memoize()
def _scenario_view(_version: str, key: tuple[tuple[str, float], ...], persistence: str) -> dict:
    """The planner's results for one set of £ changes, cached per warehouse version."""
    inputs = spillover_inputs()
    with fairshare.simulations().slot(fairshare.requester()):  # one reader's fair share
        return sr.scenario_results(dict(key), persistence=persistence, links=inputs.links,
                                   unit_costs=inputs.unit_costs, payers=inputs.payers,
                                   services=inputs.services)


def _published(scenario_id: str) -> tuple[dict, tuple[Change, ...]] | None:
    """A published scenario (the warehouse holds no drafts) and its changes, or None."""
    rows = data.query("published_scenarios")
    rows = rows[rows["scenario_id"] == scenario_id]
    if rows.empty:
        return None
    first = rows.iloc[0]
    about = {"id": scenario_id, "name": str(first["name"]),
             "description": str(first["description"])}
    return about, tuple(sorted(Change(r.service_code, r.change_type, float(r.change_value))
                               for r in rows.itertuples()))


def scenario_results_response():
    """``GET /api/v1/scenario-results?change=SERVICE:±Npct|±GBP[,…]`` or ``?scenario=ID``,
    with ``persist=sustained|oneoff``: every number the planner shows, as JSON. Input is
    checked against the planner's allow-lists; anything else answers 400 (404 for an unknown
    scenario) with a message."""
    unknown = set(request.args) - set(SCENARIO_PARAMS)
    if unknown:
        return jsonify({"error": f"unknown parameter(s): {', '.join(sorted(unknown))}",
                        "allowed": list(SCENARIO_PARAMS)}), 400
    refs, persist = request.args.getlist("scenario"), request.args.getlist(sq.PERSIST)
    changes_raw = request.args.getlist("change")
    if len(refs) > 1 or len(persist) > 1:
        return jsonify({"error": "give scenario and persist at most once each"}), 400
    persistence = persist[0] if persist else "sustained"
    if persistence not in sq.PERSIST_WORDS:
        return jsonify({"error": f"{sq.PERSIST} must be sustained or oneoff"}), 400
    if bool(refs) == bool(changes_raw):
        return jsonify({"error": "give either change=SERVICE:VALUE[pct|k|m][,…] or "
                                 "scenario=ID"}), 400
    inputs = spillover_inputs()
    services = inputs.services.set_index("service_code")
    latest = str(inputs.services["financial_year"].iloc[0]) if len(services) else ""
    plan = _Plan(services, latest)
    if refs:
        if not SCENARIO_ID.match(refs[0]):
            return jsonify({"error": "a scenario id is lower-case letters, digits and -"}), 400
        found = _published(refs[0])
        if found is None:
            return jsonify({"error": f"there is no published scenario {sq.short(refs[0])!r}"}), 404
        about, changes = found
        try:
            changes = tuple(sq.check_change(c, plan) for c in changes)
        except ValueError as err:
            return jsonify({"error": str(err)}), 400
    else:
        changes, errors = sq.parse_changes(changes_raw, plan)
        if errors:
            return jsonify({"error": " ".join(errors)}), 400
        about = {"id": None, "name": "Changes given in the link",
                 "description": "Not a published scenario."}
    about["changes"] = [sq.change_token(c) for c in changes]
    view = _scenario_view(data.version(), sq.amounts(changes, plan), persistence)
    return jsonify({"scenario": about, **view})


def register(server) -> None:
    server.add_url_rule("/api/v1/scenario-results", "api_scenario_results",
                        scenario_results_response)

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
            return _csv(frame, name)
        page = frame.iloc[offset: offset + limit]
        nxt = offset + limit if offset + limit < total else None
        return jsonify({"dataset": name, "total": total, "offset": offset, "limit": limit,
                        "next_offset": nxt, "columns": list(frame.columns),
                        "rows": _records(page)})
