"""When effects land: cohorts of activity, drop-off, lengths of stay and discounting.

Cohorts (Greater Manchester CBA model; WSIPP benefit-cost technical documentation)
---------------------------------------------------------------------------------
A **sustained** change (the default) changes the service's activity by the same amount every
year of the horizon, so it starts a new cohort each year; a **one-off** change is a single
cohort in year 1. A cohort started in year ``c`` changes events in year ``t`` by the link's
full effect times ``(1 - drop_off) ** (t - c - lag)`` for ``t >= c + lag`` and not before:
drop-off applies to each cohort from its own start. With ``drop_off = 1`` a year's activity
changes events in one year only (an effect that lasts while the activity lasts: a sustained
change then has a constant yearly effect); with ``drop_off = 0`` a cohort's effect is
permanent and a sustained change accumulates.

Lengths of stay
---------------
An event whose cost recurs while the person stays (a move into a care home) costs its unit
cost in the year it happens and, with probability ``p = 1 - 1 / stay`` each further year,
again: a geometric survival with mean ``stay`` years (``stay = 1``: the cost is paid once).
Extra moves each year thus accumulate as residents.

Discounting
-----------
HM Treasury Green Book (2022) real discount rate 3.5 % a year; year 1 is the Green Book's
year 0 and is not discounted (``(1 + r) ** -(t - 1)``), unless ``first_year_discounted``.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

Persistence = Literal["sustained", "oneoff"]
PERSISTENCE_CHOICES = ("sustained", "oneoff")


def check_settings(years: int, discount_rate: float) -> None:
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
        raise ValueError(f"years must be a whole number >= 1 (got {years!r})")
    if not math.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be a finite number > -1 (got {discount_rate!r})")


def check_persistence(persistence: str) -> str:
    if persistence not in PERSISTENCE_CHOICES:
        raise ValueError(
            f"persistence must be 'sustained' or 'oneoff' (got {persistence!r})"
        )
    return persistence


def discount_factors(years: int, rate: float, first_year_discounted: bool) -> np.ndarray:
    """(Y,) Green Book discount factor of each year."""
    t = np.arange(1, years + 1, dtype=float)
    exponent = t if first_year_discounted else t - 1.0
    return (1.0 + rate) ** -exponent


def cohort_starts(years: int, persistence: str) -> np.ndarray:
    """(Y,) 1 in each year a cohort of changed activity starts."""
    starts = np.zeros(years)
    if check_persistence(persistence) == "sustained":
        starts[:] = 1.0
    else:
        starts[0] = 1.0
    return starts


def events_profile(lag: np.ndarray, drop: np.ndarray, years: int, persistence: str) -> np.ndarray:
    """(L, Y) events in each year per unit of one cohort's full yearly effect, summed over
    the cohorts (undiscounted)."""
    starts = cohort_starts(years, persistence)
    t = np.arange(years, dtype=float)
    since = t[:, None] - t[None, :]  # (year t, cohort c) -> t - c
    k = since[None, :, :] - np.asarray(lag, dtype=float)[:, None, None]  # (L, t, c)
    base = (1.0 - np.asarray(drop, dtype=float))[:, None, None]
    keep = np.where(k >= 0, base ** np.where(k >= 0, k, 0.0), 0.0)
    return keep @ starts  # all links at once


def stay_profile(events: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """(L, Y) years of cost paid in each year: events convolved with a geometric stay."""
    years = events.shape[1]
    p = 1.0 - 1.0 / stay  # (L,) chance of staying another year
    out = np.zeros_like(events)
    for j in range(years):  # a stay j years after the event
        out[:, j:] += events[:, : years - j] * (p ** j)[:, None]
    return out


def cost_weights(
    lag: np.ndarray,
    drop: np.ndarray,
    stay: np.ndarray,
    years: int,
    persistence: str,
    rate: float,
    first_year_discounted: bool,
) -> np.ndarray:
    """(L, Y) discounted years of unit cost per unit of a link's yearly effect."""
    profile = stay_profile(events_profile(lag, drop, years, persistence), stay)
    return profile * discount_factors(years, rate, first_year_discounted)[None, :]
