"""The scenario planner's scenarios: allow-lists, published scenarios and drafts, and the URL
(its change grammar is ``dashboard/views/scenario_query.py``, shared with the JSON API).

No HTML, no Dash, no Flask: both the staff dashboard (``dashboard/staff``) and any other
front end read a scenario through these functions, and the tests test them.

URL format (the whole scenario lives in the query string, so a link shares it)
-----------------------------------------------------------------------------
``?change=LUNCH:-100pct`` or ``?change=LUNCH:-100pct,FALLS:50000``

* ``change`` — one or more changes, comma-separated or as repeated ``change=`` parameters.
  Each is ``SERVICE:VALUE[UNIT]``:

  - ``SERVICE`` a service code (the planner's allow-list: every service; those without
    spill-over links have a direct effect only, and the page says so);
  - ``VALUE`` a signed number, up to 4 decimals (negative = a cut);
  - ``UNIT`` ``pct`` (or ``%``, written ``%25`` in a URL) for a per cent of the service's
    spend in the latest financial year; ``k`` or ``m`` for £ thousands or millions; none
    for £ a year.

  Bounds: -100% to +500%; at most £100m either way; a cut no larger than the service's
  whole spend; each service once; at most 20 changes. ``+`` may be written or left out (a
  bare ``+`` in a query string reads as a space, which is ignored).
* ``scenario`` — instead of ``change``: a published scenario's id
  (``?scenario=close-luncheon-clubs``) or a saved draft, ``draft:<id>``
  (``?scenario=draft:12``), which the signed-in user must be allowed to see.
* ``compare`` — up to three more scenarios (ids or ``draft:<id>``, comma-separated or
  repeated) to set side by side with this one.
* ``persist`` — ``sustained`` (the default: the change recurs every year, a new cohort of
  activity each year) or ``oneoff`` (one year's change, one cohort).

Anything else is refused with a message naming what is wrong; nothing is guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pandas as pd

from dashboard import data
from dashboard.views.format import money_signed, spillover_inputs
from dashboard.views.scenario_query import (  # noqa: F401 - the planner's modules read them here
    AMOUNT_MAX,
    MAX_CHANGES,
    MAX_PARAM_CHARS,
    PERSIST,
    PERSIST_WORDS,
    amounts,
    change_token,
    check_change,
    parse_changes,
    short,
    values,
)
from drafts import store as drafts_store
from drafts.store import Change
from indicators import spillover as sp

YEARS = sp.DEFAULT_YEARS
DRAWS = sp.DEFAULT_DRAWS
SEED = sp.DEFAULT_SEED
MAX_COMPARE = 3  # besides the scenario shown: four side by side
KIND_OPTIONS = [("percent", "Per cent of current spend"), ("amount", "£ a year")]
PUBLISHED_RE = re.compile(r"^[a-z0-9-]{1,64}$")
DRAFT_RE = re.compile(r"^draft:(\d{1,12})$")
PERSIST_OPTIONS = [("sustained", "Sustained (every year)"), ("oneoff", "One-off (one year)")]


# ---- the scenario and its URL ----------------------------------------------------------

class Scenario(NamedTuple):
    # a NamedTuple, not a dataclass: Dash runs page modules before they are in sys.modules
    ref: str  # a published id, "draft:<id>", or "" for changes given in the URL
    name: str
    description: str
    status: str  # "published", "draft", "published draft" or "unsaved"
    changes: tuple[Change, ...]
    persistence: str = "sustained"  # or "oneoff": the ``persist`` query parameter


class Planner(NamedTuple):
    """The allow-lists, read once per request from the cached queries."""

    services: pd.DataFrame  # every service, indexed by service_code; ``modelled`` flags links
    latest_year: str
    published: dict[str, Scenario]


def planner() -> Planner:
    inputs = spillover_inputs()
    modelled = set(inputs.links["service_code"])
    services = inputs.services.set_index("service_code").assign(
        modelled=lambda f: f.index.isin(sorted(modelled)))
    latest = str(inputs.services["financial_year"].iloc[0]) if len(inputs.services) else ""
    rows = data.query("published_scenarios")
    published = {}
    for sid, group in rows.groupby("scenario_id", sort=False):
        first = group.iloc[0]
        changes = tuple(sorted(Change(r.service_code, r.change_type, float(r.change_value))
                               for r in group.itertuples()))
        published[str(sid)] = Scenario(str(sid), str(first["name"]), str(first["description"]),
                                       "published", changes)
    return Planner(services, latest, published)


def change_words(change: Change, plan: Planner) -> str:
    value = change.change_value
    if change.change_type == "percent":
        return f"{value:+g}% of its {plan.latest_year} spend".replace("-", "\u2212")
    return f"{'+' if value > 0 else ''}{money_signed(value)} a year"


def resolve(ref: Any, plan: Planner, user: drafts_store.UserLike) -> Scenario:
    """A published scenario or a draft the user may see, by reference; ValueError if not."""
    if not isinstance(ref, str):
        raise ValueError("A scenario is named by its id, such as close-luncheon-clubs.")
    match = DRAFT_RE.match(ref)
    if match:
        draft = drafts_store.default_store().get(user, int(match[1]))
        if draft is None:
            raise ValueError(f"There is no draft {match[1]} that you may see.")
        changes = []
        for c in draft.changes:  # stored drafts are checked again: services or spend may move
            try:
                changes.append(check_change(c, plan))
            except ValueError as err:
                raise ValueError(f"Draft “{short(draft.name)}” no longer fits: {err}") from err
        status = "published draft" if draft.status == "published" else "draft"
        owner = f"by {draft.owner}, {draft.updated_at[:10]}"
        return Scenario(draft.ref, draft.name, f"A {status} {owner}.", status, tuple(changes))
    if PUBLISHED_RE.match(ref) and ref in plan.published:
        return plan.published[ref]
    raise ValueError(f"There is no published scenario “{short(ref)}”. Published scenarios: "
                     f"{', '.join(plan.published) or 'none'}.")


def read_query(query: Mapping[str, Any], plan: Planner, user: drafts_store.UserLike
               ) -> tuple[Scenario | None, tuple[Scenario, ...], list[str]]:
    """The scenario a URL asks for, the ones to compare it with, and any messages."""
    errors: list[str] = []
    scenario = None
    persistence = query.get(PERSIST) or "sustained"
    if persistence not in PERSIST_WORDS:
        return None, (), [f"“{short(persistence)}” is not a way a change lasts: write "
                          f"{PERSIST}=sustained (every year) or {PERSIST}=oneoff (one year)."]
    raw_change, raw_ref = query.get("change"), query.get("scenario")
    if raw_change not in (None, "", []) and raw_ref not in (None, "", []):
        return None, (), ["Give either changes or a scenario, not both."]
    if raw_ref not in (None, "", []):
        try:
            scenario = resolve(raw_ref, plan, user)
        except ValueError as err:
            errors.append(str(err))
    elif raw_change not in (None, "", []):
        changes, errors = parse_changes(raw_change, plan)
        if changes:
            scenario = Scenario("", "Your scenario", "Changes given in the link; not saved.",
                                "unsaved", changes)
    others: list[Scenario] = []
    try:
        refs = values(query.get("compare"), "compare list")
    except ValueError as err:
        refs, errors = [], [*errors, str(err)]
    refs = list(dict.fromkeys(r for r in refs if not scenario or r != scenario.ref))
    if len(refs) > MAX_COMPARE:
        errors.append(f"Compare at most {MAX_COMPARE} other scenarios at once.")
        refs = []
    for ref in refs:
        try:
            others.append(resolve(ref, plan, user)._replace(persistence=persistence))
        except ValueError as err:
            errors.append(str(err))
    if scenario is not None:
        scenario = scenario._replace(persistence=persistence)
    return scenario, tuple(others), errors


def search_for(changes: tuple[Change, ...] = (), ref: str = "",
               compare: tuple[str, ...] = (), persistence: str = "sustained") -> str:
    """The query string for a scenario (canonical order; ``:`` and ``,`` left readable; the
    default, sustained, is left out)."""
    params = {}
    if ref:
        params["scenario"] = ref
    elif changes:
        params["change"] = ",".join(change_token(c) for c in sorted(changes))
    if compare:
        params["compare"] = ",".join(compare)
    if persistence != "sustained" and params:
        params[PERSIST] = persistence
    return "?" + urlencode(params, safe=":,") if params else ""


def changes_from_controls(rows: Any, plan: Planner) -> tuple[tuple[Change, ...], list[str]]:
    """The planner's controls as checked changes: ``rows`` is a list of (service, kind,
    value) as a browser sent them (anything at all); each row is checked against the
    allow-lists and bounds, and a bad row is left out with a message saying why."""
    if not isinstance(rows, list | tuple) or len(rows) > MAX_CHANGES:
        raise ValueError("not a list of changes")
    changes: list[Change] = []
    errors: list[str] = []
    for row in rows:
        if not isinstance(row, list | tuple) or len(row) != 3:
            raise ValueError("not a change")
        service, kind, value = row
        if service not in plan.services.index or kind not in dict(KIND_OPTIONS):
            raise ValueError("off-list service or kind")
        if isinstance(value, bool) or not isinstance(value, int | float | None):
            raise ValueError("not a number")
        if value is None or not math.isfinite(value):
            errors.append(f"Give a number for {plan.services.at[service, 'service_name']}.")
            continue
        try:
            changes.append(check_change(Change(service, kind, float(value)), plan))
        except ValueError as err:
            errors.append(str(err))
    seen = [c.service_code for c in changes]
    if len(set(seen)) != len(seen):
        raise ValueError("a service twice")
    return tuple(sorted(changes)), errors
