"""The scenario planner's URL grammar, allow-lists and scenarios: pure view functions.

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
* ``duration`` — ``sustained`` (the default: the change runs every year) or ``one-off``.

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
from dashboard.views.format import money, money_signed, spillover_inputs
from drafts import store as drafts_store
from drafts.store import Change
from indicators import spillover as sp

YEARS = sp.DEFAULT_YEARS
DRAWS = sp.DEFAULT_DRAWS
SEED = sp.DEFAULT_SEED
MAX_CHANGES = drafts_store.MAX_CHANGES
MAX_COMPARE = 3  # besides the scenario shown: four side by side
MAX_PARAM_CHARS = 1000
PCT_MIN, PCT_MAX = -100.0, 500.0
AMOUNT_MAX = 100_000_000.0
KIND_OPTIONS = [("percent", "Per cent of current spend"), ("amount", "£ a year")]
CHANGE_RE = re.compile(
    r"^(?P<svc>[A-Za-z0-9][A-Za-z0-9_-]{0,31}):(?P<num>[+-]?\d{1,12}(?:\.\d{1,4})?)"
    r"(?P<unit>pct|%|k|m)?$", re.IGNORECASE)
PUBLISHED_RE = re.compile(r"^[a-z0-9-]{1,64}$")
DRAFT_RE = re.compile(r"^draft:(\d{1,12})$")
UNIT_SCALE = {"": 1.0, "k": 1e3, "m": 1e6}


DURATION_OPTIONS = [("sustained", "Sustained (every year)"), ("one-off", "One-off (one year)")]

# ---- the scenario and its URL ----------------------------------------------------------

class Scenario(NamedTuple):
    # a NamedTuple, not a dataclass: Dash runs page modules before they are in sys.modules
    ref: str  # a published id, "draft:<id>", or "" for changes given in the URL
    name: str
    description: str
    status: str  # "published", "draft", "published draft" or "unsaved"
    changes: tuple[Change, ...]


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


def _short(text: Any, limit: int = 40) -> str:
    """An off-list value for a message: cut short, markup and quotes shown as "?" (React
    escapes text anyway; this keeps a forged value from being echoed back verbatim)."""
    value = "".join(ch if ch.isalnum() or ch in " :-+.,%_/" else "?" for ch in str(text))
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _values(raw: Any, what: str) -> list[str]:
    """A query parameter as a list of items: repeated or comma-separated."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(i, str) for i in items):
        raise ValueError(f"The {what} must be text.")
    if sum(len(i) for i in items) > MAX_PARAM_CHARS:
        raise ValueError(f"The {what} is too long.")
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def _format_number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def change_token(change: Change) -> str:
    """The canonical URL form of a change: ``LUNCH:-100pct``, ``FALLS:50000``."""
    unit = "pct" if change.change_type == "percent" else ""
    return f"{change.service_code}:{_format_number(change.change_value)}{unit}"


def change_words(change: Change, plan: Planner) -> str:
    value = change.change_value
    if change.change_type == "percent":
        return f"{value:+g}% of its {plan.latest_year} spend".replace("-", "\u2212")
    return f"{'+' if value > 0 else ''}{money_signed(value)} a year"


def check_change(change: Change, plan: Planner) -> Change:
    """A change within the planner's bounds, or ValueError with a message for the reader."""
    svc = change.service_code
    if svc not in plan.services.index:
        raise ValueError(f"There is no service “{_short(svc)}”. The planner covers: "
                         f"{', '.join(plan.services.index)}.")
    value = change.change_value
    if not math.isfinite(value):
        raise ValueError(f"The change to {svc} is not a number.")
    if change.change_type == "percent":
        if not PCT_MIN <= value <= PCT_MAX:
            raise ValueError(f"A change can be between −100% and +500% of current spend "
                             f"(asked {_format_number(value)}% for {svc}).")
    elif change.change_type == "amount":
        if abs(value) > AMOUNT_MAX:
            raise ValueError(f"A change can be at most £100m either way (asked "
                             f"{money_signed(value)} for {svc}).")
        spend = float(plan.services.at[svc, "spend_gbp"])
        if value < -spend - 0.005:
            raise ValueError(f"A cut of {money(-value)} to {svc} is more than its whole spend "
                             f"({money(spend)} in {plan.latest_year}).")
    else:
        raise ValueError(f"A change is an amount or a per cent, not “{_short(change[1])}”.")
    return change


def parse_change(text: str, plan: Planner) -> Change:
    """One ``SERVICE:VALUE[UNIT]`` item, checked; ValueError with a message otherwise."""
    compact = "".join(text.split())
    match = CHANGE_RE.match(compact)
    if not match:
        raise ValueError(f"“{_short(text)}” is not a change: write SERVICE:VALUE, for example "
                         "LUNCH:-100pct (a per cent of current spend) or FALLS:50000 (£ a year).")
    unit = match["unit"].lower() if match["unit"] else ""
    value = float(match["num"])
    if unit in ("pct", "%"):
        change = Change(match["svc"].upper(), "percent", value)
    else:
        change = Change(match["svc"].upper(), "amount", value * UNIT_SCALE[unit])
    return check_change(change, plan)


def parse_changes(raw: Any, plan: Planner) -> tuple[tuple[Change, ...], list[str]]:
    """The ``change`` parameter: checked changes, or the messages saying what is wrong."""
    try:
        items = _values(raw, "change")
    except ValueError as err:
        return (), [str(err)]
    if len(items) > MAX_CHANGES:
        return (), [f"A scenario can change at most {MAX_CHANGES} services (this link has "
                    f"{len(items)})."]
    changes, errors = [], []
    for item in items:
        try:
            changes.append(parse_change(item, plan))
        except ValueError as err:
            errors.append(str(err))
    seen = [c.service_code for c in changes]
    twice = sorted({s for s in seen if seen.count(s) > 1})
    if twice:
        errors.append(f"Change each service once: {', '.join(twice)} appears more than once.")
    return (tuple(sorted(changes)) if not errors else ()), errors


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
                raise ValueError(f"Draft “{_short(draft.name)}” no longer fits: {err}") from err
        status = "published draft" if draft.status == "published" else "draft"
        owner = f"by {draft.owner}, {draft.updated_at[:10]}"
        return Scenario(draft.ref, draft.name, f"A {status} {owner}.", status, tuple(changes))
    if PUBLISHED_RE.match(ref) and ref in plan.published:
        return plan.published[ref]
    raise ValueError(f"There is no published scenario “{_short(ref)}”. Published scenarios: "
                     f"{', '.join(plan.published) or 'none'}.")


def read_query(query: Mapping[str, Any], plan: Planner, user: drafts_store.UserLike
               ) -> tuple[Scenario | None, tuple[Scenario, ...], list[str]]:
    """The scenario a URL asks for, the ones to compare it with, and any messages."""
    errors: list[str] = []
    scenario = None
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
        refs = _values(query.get("compare"), "compare list")
    except ValueError as err:
        refs, errors = [], [*errors, str(err)]
    refs = list(dict.fromkeys(r for r in refs if not scenario or r != scenario.ref))
    if len(refs) > MAX_COMPARE:
        errors.append(f"Compare at most {MAX_COMPARE} other scenarios at once.")
        refs = []
    for ref in refs:
        try:
            others.append(resolve(ref, plan, user))
        except ValueError as err:
            errors.append(str(err))
    return scenario, tuple(others), errors


def search_for(changes: tuple[Change, ...] = (), ref: str = "",
               compare: tuple[str, ...] = (), duration: str = "sustained") -> str:
    """The query string for a scenario (canonical order; ``:`` and ``,`` left readable; the
    default duration, sustained, is left out)."""
    params = {}
    if ref:
        params["scenario"] = ref
    elif changes:
        params["change"] = ",".join(change_token(c) for c in sorted(changes))
    if compare:
        params["compare"] = ",".join(compare)
    if duration != "sustained" and params:
        params["duration"] = duration
    return "?" + urlencode(params, safe=":,") if params else ""


def amounts(changes: tuple[Change, ...], plan: Planner) -> tuple[tuple[str, float], ...]:
    """£ a year per service (per cents of the latest year's spend), the cache key's core."""
    out = []
    for c in changes:
        spend = float(plan.services.at[c.service_code, "spend_gbp"])
        value = spend * c.change_value / 100 if c.change_type == "percent" else c.change_value
        out.append((c.service_code, round(value, 2)))
    return tuple(sorted(out))




def parse_duration(raw: Any) -> tuple[str, list[str]]:
    """The ``duration`` parameter: sustained (the default) or one-off, or a message."""
    if raw in (None, "", []):
        return "sustained", []
    if isinstance(raw, str) and raw in dict(DURATION_OPTIONS):
        return raw, []
    return "sustained", [f"The duration “{_short(raw)}” is not one the planner offers: "
                         "sustained or one-off. Sustained is shown."]


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
