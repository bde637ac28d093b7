"""The staff pages' CSV downloads: the tables behind their charts, for staff only.

Each validator first asks who is signed in (``dashboard.auth``, decided on the server): the
files answer 400 to anyone who is not staff, even if the dataset is registered.
"""

from __future__ import annotations

import pandas as pd

from dashboard import auth
from dashboard.views import director, scenario_run
from dashboard.views import scenarios as views


def _staff() -> auth.User:
    user = auth.current_user()
    if not user.is_internal:
        raise ValueError("not signed in")
    return user


def validate_scenario(scenario="", change="", persist="") -> dict:
    """A published scenario, a draft this user may see, or changes in the URL grammar."""
    user = _staff()
    plan = views.planner()
    found, _, errors = views.read_query({"scenario": scenario or None, "change": change or None,
                                         views.PERSIST: persist or None}, plan, user)
    if errors or found is None:
        raise ValueError("; ".join(errors) or "no scenario")
    return {"scenario": found.ref, "change": "" if found.ref else ",".join(
        views.change_token(c) for c in found.changes), "persist": found.persistence}


def scenario_table(scenario: str, change: str, persist: str) -> pd.DataFrame:
    plan = views.planner()
    found, _, _ = views.read_query({"scenario": scenario or None, "change": change or None,
                                    views.PERSIST: persist}, plan, auth.current_user())
    return scenario_run.model_run(found, plan)["years"]


def validate_alerts(**params) -> dict:
    _staff()
    return director.validate_alerts(**params)


def validate_dept_year(**params) -> dict:
    _staff()
    return director.validate_dept_year(**params)


DATASETS = [
    ("scenario", ("scenario", "change", views.PERSIST), validate_scenario, scenario_table),
    ("director-indicators", ("dept", "benchmark", "level"), validate_alerts,
     director.alerts_table),
    ("director-budget", ("dept", "year"), validate_dept_year, director.budget_table),
    ("director-services", ("dept", "year"), validate_dept_year, director.services_table),
]
