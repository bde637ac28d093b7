"""Methods: how every statistic and the spill-over model are worked out, with references.

CommonMark, rendered by the site with raw HTML escaped."""

TITLE = "Methods"

TEXT = """
## How the figures are worked out

**Spend** is what the council paid, from its spend-over-£500 files (Local Government
Transparency Code 2015), credit notes included. A service's spend is shared between the
investment areas it serves by the council's allocation shares, which sum to one for each
service.

**Cost per outcome** is the spend allocated to an area in a year divided by the outcome units
achieved that year (for example, older people supported to live at home). Its interval comes
from the outcome count's 95% confidence interval: cost ÷ upper count to cost ÷ lower count.
Spend is treated as known exactly.

**Real terms** use HM Treasury's GDP deflators at market prices; figures are shown at the
base year's prices, named beside every real-terms figure.

**Confidence intervals** follow Public Health England's PHEindicatormethods: Wilson score
intervals for proportions; Byar's method for counts and crude rates, the exact Poisson
interval when the count is below 10; directly standardised rates with Dobson's method and the
2013 European Standard Population, not published when the total count is below 10.

**Compared with England (or London)**, as Fingertips does it: a value whose 95% (or 99.8%)
interval lies wholly above or below the benchmark is significantly higher or lower, read as
better or worse through the indicator's polarity; otherwise similar. Without an interval,
"not compared".

**Recent trend**, as Fingertips does it: at least five points; a chi-squared test for linear
trend on the latest five (for proportions, the Cochran-Armitage test; for rates, a weighted
regression), significant at the 99.8% level.

**Spill-over effects** follow a chain: a change in a service's spend changes its activity
(through its unit cost), which changes outcomes (through effect sizes from the evidence, such
as Cochrane's rate ratio of 0.77 for exercise and falls), which changes the costs each
department or organisation bears (through unit costs), year by year with lags and drop-off,
discounted at the Green Book's 3.5% a year. Effects are reduced for deadweight and optimism
bias by evidence grade, as the Greater Manchester cost-benefit model does. Uncertain inputs
are sampled 10,000 times: results are intervals, and the probability that a change saves
money overall and for each payer.

**Observed associations** in the council's own data (for example, falls admissions after
luncheon-club places fell) are shown apart from modelled effects, and are not evidence of
cause.

### References
- Public Health England, PHEindicatormethods (R package) and Fingertips technical guidance.
- Dobson AJ et al. (1991) Statistics in Medicine 10:457-462.
- Sherrington C et al. (2019) Exercise for preventing falls in older people living in the
  community. Cochrane Database of Systematic Reviews.
- HM Treasury (2022) The Green Book; HM Treasury (2014) Supporting public service
  transformation: cost benefit analysis guidance for local partnerships (Greater Manchester
  model).
- Washington State Institute for Public Policy, Benefit-Cost Technical Documentation.
"""
