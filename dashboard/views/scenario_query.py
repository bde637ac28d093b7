"""The scenario URL grammar: ``SERVICE:VALUE[UNIT]`` changes, checked against allow-lists.

Shared by the scenario planner and ``GET /api/v1/scenario-results`` (pure: no Dash, no Flask).
``plan`` is any object with ``services`` (a frame indexed by ``service_code`` with
``spend_gbp``, the latest year's spend) and ``latest_year``; every error is a ``ValueError``
whose message is meant for the reader, naming what is wrong.

* ``change`` — one or more changes, comma-separated or as repeated parameters. Each is
  ``SERVICE:VALUE[UNIT]``: a service code; a signed number, up to 4 decimals (negative = a
  cut); ``pct`` (or ``%``) for a per cent of the service's spend in the latest financial year,
  ``k`` or ``m`` for £ thousands or millions, none for £ a year. Bounds: -100% to +500%; at
  most £100m either way; a cut no larger than the service's whole spend; each service once; at
  most 20 changes.
* ``persist`` — ``sustained`` (default; the change recurs every year) or ``oneoff``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from drafts import store as drafts_store
from drafts.store import Change

MAX_CHANGES = drafts_store.MAX_CHANGES
MAX_PARAM_CHARS = 1000
PCT_MIN, PCT_MAX = -100.0, 500.0
AMOUNT_MAX = 100_000_000.0
CHANGE_RE = re.compile(
    r"^(?P<svc>[A-Za-z0-9][A-Za-z0-9_-]{0,31}):(?P<num>[+-]?\d{1,12}(?:\.\d{1,4})?)"
    r"(?P<unit>pct|%|k|m)?$", re.IGNORECASE)
UNIT_SCALE = {"": 1.0, "k": 1e3, "m": 1e6}
PERSIST = "persist"  # the query parameter: sustained (default) or oneoff
PERSIST_WORDS = {"sustained": "a sustained change (every year)",
                 "oneoff": "a one-off change (one year only)"}


def _gbp(value: float) -> str:
    """£ for a message: to the pound, £m above a million, a true minus sign."""
    size = abs(value)
    text = f"£{size / 1e6:,.1f}m" if size >= 1e6 else f"£{size:,.0f}"
    return f"\u2212{text}" if round(value) < 0 else text


def short(text: Any, limit: int = 40) -> str:
    """An off-list value for a message: cut short, markup and quotes shown as "?" (React
    escapes text anyway; this keeps a forged value from being echoed back verbatim)."""
    value = "".join(ch if ch.isalnum() or ch in " :-+.,%_/" else "?" for ch in str(text))
    return value if len(value) <= limit else value[: limit - 1] + "…"


def values(raw: Any, what: str) -> list[str]:
    """A query parameter as a list of items: repeated or comma-separated."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(i, str) for i in items):
        raise ValueError(f"The {what} must be text.")
    if sum(len(i) for i in items) > MAX_PARAM_CHARS:
        raise ValueError(f"The {what} is too long.")
    return [p.strip() for item in items for p in item.split(",") if p.strip()]


def format_number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def change_token(change: Change) -> str:
    """The canonical URL form of a change: ``LUNCH:-100pct``, ``FALLS:50000``."""
    unit = "pct" if change.change_type == "percent" else ""
    return f"{change.service_code}:{format_number(change.change_value)}{unit}"


def check_change(change: Change, plan: Any) -> Change:
    """A change within the planner's bounds, or ValueError with a message for the reader."""
    svc = change.service_code
    if svc not in plan.services.index:
        raise ValueError(f"There is no service “{short(svc)}”. The planner covers: "
                         f"{', '.join(plan.services.index)}.")
    value = change.change_value
    if not math.isfinite(value):
        raise ValueError(f"The change to {svc} is not a number.")
    if value == 0:
        raise ValueError(f"A change of 0 to {svc} changes nothing: give a cut (−) or an "
                         "increase (+).")
    if change.change_type == "percent":
        if not PCT_MIN <= value <= PCT_MAX:
            raise ValueError(f"A change can be between −100% and +500% of current spend "
                             f"(asked {format_number(value)}% for {svc}).")
    elif change.change_type == "amount":
        if abs(value) > AMOUNT_MAX:
            raise ValueError(f"A change can be at most £100m either way (asked "
                             f"{_gbp(value)} for {svc}).")
        spend = float(plan.services.at[svc, "spend_gbp"])
        if value < -spend - 0.005:
            raise ValueError(f"A cut of {_gbp(-value)} to {svc} is more than its whole spend "
                             f"({_gbp(spend)} in {plan.latest_year}).")
        # the same bound as a per cent: the evidence behind the links says nothing of a
        # service many times its present size
        if value > spend * PCT_MAX / 100 + 0.005:
            raise ValueError(f"An increase of {_gbp(value)} to {svc} is more than {PCT_MAX:g}% "
                             f"of its spend ({_gbp(spend)} in {plan.latest_year}).")
    else:
        raise ValueError(f"A change is an amount or a per cent, not “{short(change[1])}”.")
    return change


def parse_change(text: str, plan: Any) -> Change:
    """One ``SERVICE:VALUE[UNIT]`` item, checked; ValueError with a message otherwise."""
    compact = "".join(text.split())
    match = CHANGE_RE.match(compact)
    if not match:
        raise ValueError(f"“{short(text)}” is not a change: write SERVICE:VALUE, for example "
                         "LUNCH:-100pct (a per cent of current spend) or FALLS:50000 (£ a year).")
    unit = match["unit"].lower() if match["unit"] else ""
    value = float(match["num"])
    if unit in ("pct", "%"):
        change = Change(match["svc"].upper(), "percent", value)
    else:
        change = Change(match["svc"].upper(), "amount", value * UNIT_SCALE[unit])
    return check_change(change, plan)


def parse_changes(raw: Any, plan: Any) -> tuple[tuple[Change, ...], list[str]]:
    """The ``change`` parameter: checked changes, or the messages saying what is wrong."""
    try:
        items = values(raw, "change")
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


def amounts(changes: tuple[Change, ...], plan: Any) -> tuple[tuple[str, float], ...]:
    """£ a year per service (per cents of the latest year's spend), the cache key's core."""
    out = []
    for c in changes:
        spend = float(plan.services.at[c.service_code, "spend_gbp"])
        value = spend * c.change_value / 100 if c.change_type == "percent" else c.change_value
        out.append((c.service_code, round(value, 2)))
    return tuple(sorted(out))
