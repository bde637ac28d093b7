"""Evidence grade -> optimism bias and deadweight, applied against the proposal (Green Book).

:data:`GRADE_ADJUSTMENTS` maps each GRADE certainty level (Guyatt et al. 2008) to a
confidence grade of the Greater Manchester cost-benefit (GM CBA) model and to two
corrections:

============  ========  =============  ==========  ==============  ===================
GRADE         GM grade  optimism bias  deadweight  saving kept     extra cost scaled by
============  ========  =============  ==========  ==============  ===================
high          1         0 %            0 %         100 %           1.00
moderate      2         10 %           0 %         90 %            1.10
low           4         30 %           10 %        63 %            1.43
very low      5         40 %           20 %        48 %            1.68
============  ========  =============  ==========  ==============  ===================

Convention: the corrections always make the proposal's case *less* favourable, as the
Green Book asks (HM Treasury 2022, annex A5; supplementary guidance on optimism bias, 2013:
"costs are adjusted upwards, benefits downwards"). For each link and each Monte Carlo draw,
a knock-on **saving** (positive) is multiplied by ``(1 - optimism_bias)(1 - deadweight)``
and a knock-on **extra cost** (negative) by ``(1 + optimism_bias)(1 + deadweight)``. A cut
therefore sees the extra costs it pushes onto other payers scaled *up*; an expansion sees the
savings it claims scaled *down*. The direct spend change is a budget figure and is never
adjusted. The same link can be a saving in one draw and a cost in another (an effect ratio
whose interval straddles 1): each draw is adjusted by its own sign.

* Optimism bias: the GM CBA model (HM Treasury, PSTN and New Economy 2014) grades the
  confidence of each input 1 to 5 with corrections of 0, 10, 20, 30 and 40 %. Mapping the
  four GRADE levels onto grades 1, 2, 4 and 5 is this project's choice (GRADE "low" means the
  true effect may be *substantially* different, so it skips a step).
* Deadweight: the share of a measured effect that would have happened anyway. An effect ratio
  from a controlled comparison (high or moderate certainty) is already net of deadweight
  (0 %); the 10 % and 20 % for low and very low certainty are **project assumptions**, not
  published values, replaceable with the ``grade_adjustments`` argument. Scaling an extra cost
  by ``1 + deadweight`` mirrors the saving's ``1 - deadweight`` (a project convention).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd


class GradeAdjustment(NamedTuple):
    """Corrections for one evidence grade (fractions, 0..1)."""

    gm_confidence_grade: int
    optimism_bias: float
    deadweight: float

    @property
    def retained(self) -> float:
        """Factor on a claimed knock-on saving: ``(1 - optimism bias)(1 - deadweight)``."""
        return (1.0 - self.optimism_bias) * (1.0 - self.deadweight)

    @property
    def cost_uplift(self) -> float:
        """Factor on a knock-on extra cost: ``(1 + optimism bias)(1 + deadweight)``."""
        return (1.0 + self.optimism_bias) * (1.0 + self.deadweight)


GRADE_ADJUSTMENTS: Mapping[str, GradeAdjustment] = MappingProxyType(
    {
        "high": GradeAdjustment(gm_confidence_grade=1, optimism_bias=0.00, deadweight=0.00),
        "moderate": GradeAdjustment(gm_confidence_grade=2, optimism_bias=0.10, deadweight=0.00),
        "low": GradeAdjustment(gm_confidence_grade=4, optimism_bias=0.30, deadweight=0.10),
        "very low": GradeAdjustment(gm_confidence_grade=5, optimism_bias=0.40, deadweight=0.20),
    }
)
"""Evidence grade -> corrections. Sources and reasoning in the module docstring."""

GRADE_SOURCE = (
    "Optimism bias: GM CBA model confidence grades 1-5 -> 0/10/20/30/40% (HM Treasury 2014), "
    "applied against the proposal as the Green Book asks (savings down, extra costs up); "
    "GRADE->GM mapping and deadweight: project assumptions"
)


def grade_adjustments_frame(
    grade_adjustments: Mapping[str, GradeAdjustment] = GRADE_ADJUSTMENTS,
) -> pd.DataFrame:
    """The grade table as a DataFrame for display (one row per evidence grade)."""
    rows = [
        {
            "evidence_grade": grade,
            "gm_confidence_grade": adj.gm_confidence_grade,
            "optimism_bias": adj.optimism_bias,
            "deadweight": adj.deadweight,
            "share_retained": adj.retained,
            "cost_uplift": adj.cost_uplift,
            "source": GRADE_SOURCE,
        }
        for grade, adj in grade_adjustments.items()
    ]
    return pd.DataFrame(rows)


def against_the_proposal(
    amounts: np.ndarray, retained: np.ndarray, uplift: np.ndarray
) -> np.ndarray:
    """Green Book adjustment of knock-on amounts (+ saving, - extra cost), row by row.

    ``amounts`` is (A,) or (A, D); ``retained`` and ``uplift`` are (A,). Savings are scaled
    by ``retained`` (down), extra costs by ``uplift`` (up). Returns a new array.
    """
    amounts = np.asarray(amounts, dtype=float)
    shape = (-1,) + (1,) * (amounts.ndim - 1)
    return np.where(amounts > 0, amounts * retained.reshape(shape),
                    amounts * uplift.reshape(shape))
