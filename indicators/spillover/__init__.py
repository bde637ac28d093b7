"""Spill-over model: who pays and who benefits when a service's spend changes.

The case this exists for: a council cuts luncheon clubs for older people (non-statutory,
cheap, with a fitness class after lunch). Adult social care saves money this year; then
more people fall, A&E attendances and emergency admissions rise (costs to the NHS) and
later more people need home care (costs to the council again). This module turns a
change in spend into a discounted, uncertainty-aware account of the money that moves
between payers, in the spirit of the Greater Manchester cost-benefit analysis model
(HM Treasury 2014) and the Washington State Institute for Public Policy (WSIPP)
benefit-cost model.

Pure computation: numpy and pandas only. No Dash, no DuckDB: the warehouse hands in
DataFrames and the UI receives DataFrames.

Inputs (column names are the data contract)
-------------------------------------------
``links``
    One row per spill-over link, a chain *service activity -> outcome -> cost item paid
    by a payer*: ``link_id, service_code, activity_unit, activity_unit_cost_gbp,
    outcome_code, outcome_label, events_per_unit, effect_ratio, effect_ratio_low,
    effect_ratio_high, cost_item, payer_code, lag_years, drop_off, evidence_grade,
    source``. ``activity_unit``, ``outcome_label`` and ``source`` are descriptive and
    optional here.
``unit_costs``
    One row per cost item: ``cost_item, payer_code, unit_cost_gbp, unit_cost_low_gbp,
    unit_cost_high_gbp, price_year, source``. A link's ``payer_code`` must equal the
    payer of its cost item.
``payers``
    One row per payer: ``payer_code, payer_label, organisation_code, is_council``.
``changes``
    Either a DataFrame with columns ``service_code, payer_code, spend_change_gbp`` (one
    row per funding payer of a service; a co-funded service has several rows), or a
    mapping ``{service_code: spend_change_gbp}`` together with ``funders``, a mapping
    ``{service_code: payer_code}`` (or a DataFrame ``service_code, payer_code``). A
    negative change is a cut. ``None`` or empty means no change, and every result is
    zero. See :func:`normalise_changes`.

Modules
-------
* :mod:`~indicators.spillover.engine` - the model and the Monte Carlo (:func:`simulate`):
  formulas, uncertainty, the **median** as the central figure;
* :mod:`~indicators.spillover.grades` - evidence grade, optimism bias and deadweight, applied
  **against the proposal** (Green Book: knock-on savings scaled down, extra costs up; the
  direct spend change is a budget figure and is not adjusted);
* :mod:`~indicators.spillover.timing` - cohorts (a sustained change adds one every year; a
  one-off change is one cohort), drop-off from each cohort's start, lengths of stay,
  discounting (Green Book 3.5 %, year 1 undiscounted);
* :mod:`~indicators.spillover.inputs` - validation; links tied to the same event
  (``outcome_code`` ``EVENT:consequence``) share one draw; lengths of stay;
* :mod:`~indicators.spillover.changes` - spend changes; a changed service with no link has
  *unknown* knock-on effects (never zero);
* :mod:`~indicators.spillover.result` - :class:`SpilloverResult`;
* :mod:`~indicators.spillover.sensitivity` - :func:`tornado`, :func:`payer_matrix`.

Sign convention: every money output is ``net_saving_gbp``: **positive = a saving for that
payer, negative = an extra cost.**

References
----------
* HM Treasury, Public Service Transformation Network and New Economy (2014).
  *Supporting public service transformation: cost benefit analysis guidance for local
  partnerships.* (The GM CBA model.)
* HM Treasury (2022). *The Green Book: appraisal and evaluation in central government*,
  annex A6 (discounting).
* HM Treasury (2013). *Green Book supplementary guidance: optimism bias.*
* Washington State Institute for Public Policy (2023). *Benefit-cost technical
  documentation*, chapter on Monte Carlo risk analysis.
* Guyatt G.H. et al. (2008). GRADE: an emerging consensus on rating quality of
  evidence and strength of recommendations. *BMJ* 336:924-926.
* Briggs A., Claxton K., Sculpher M. (2006). *Decision modelling for health economic
  evaluation.* Oxford University Press.
* Sherrington C. et al. (2019). Exercise for preventing falls in older people living in
  the community. *Cochrane Database Syst Rev* CD012424 (rate of falls, rate ratio 0.77,
  95 % CI 0.71 to 0.83: the kind of effect ratio a link carries).
"""

from indicators.spillover.changes import normalise_changes
from indicators.spillover.engine import (
    DEFAULT_DRAWS,
    DEFAULT_SEED,
    DEFAULT_YEARS,
    GREEN_BOOK_DISCOUNT_RATE,
    GREEN_BOOK_HEALTH_DISCOUNT_RATE,
    simulate,
)
from indicators.spillover.grades import (
    GRADE_ADJUSTMENTS,
    GradeAdjustment,
    grade_adjustments_frame,
)
from indicators.spillover.inputs import lengths_of_stay
from indicators.spillover.result import SpilloverResult
from indicators.spillover.sensitivity import payer_matrix, tornado
from indicators.spillover.timing import PERSISTENCE_CHOICES

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "DEFAULT_YEARS",
    "GRADE_ADJUSTMENTS",
    "GREEN_BOOK_DISCOUNT_RATE",
    "GREEN_BOOK_HEALTH_DISCOUNT_RATE",
    "PERSISTENCE_CHOICES",
    "GradeAdjustment",
    "SpilloverResult",
    "grade_adjustments_frame",
    "lengths_of_stay",
    "normalise_changes",
    "payer_matrix",
    "simulate",
    "tornado",
]
