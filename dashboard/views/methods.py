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
achieved that year (for example, older people supported to live at home). The outcome units
are always a count: spend is never divided by a rate or a percentage. An interval is shown only
when the count is a random count of events (the numerator of an event rate, such as falls
admissions): cost ÷ upper count to cost ÷ lower count, from the count's Poisson interval. An
administrative count (homes meeting a standard, people supported at home) counts every case,
so it has no sampling or Poisson uncertainty and no interval is shown. Spend is treated as
known exactly.

**Real terms** use the GDP deflator at market prices (ONS series YBGB, averaged over each
financial year as HM Treasury does); figures are shown at the
base year's prices, named beside every real-terms figure.

**Confidence intervals** follow Public Health England's PHEindicatormethods: Wilson score
intervals for proportions; Byar's method for counts and crude rates, the exact Poisson
interval when the count is below 10; directly standardised rates with Dobson's method and the
2013 European Standard Population, not published when the total count is below 10.

**Compared with England (or London)**, as Fingertips does it, by each indicator's own method
(its metadata's benchmark comparison method; 95% when none is given): a value whose 95% or
99.8% interval lies wholly above or below the benchmark is significantly higher or lower, read
as better or worse through the indicator's polarity; otherwise similar. An indicator compared
by quintiles is placed in its fifth among the local areas the source file holds for the same
period (Fingertips ranks every area of the type; fewer than 5 areas, no quintile): its lowest
to highest, or worst to best with a polarity. A quintile is a rank, not a significant
difference, so it is never counted as significantly worse. An indicator without a polarity
("no judgement") is only ever higher, similar or lower: never better or worse. Without an
interval, "not compared". Each comparison names its method beside it ("compared at 99.8%",
"quintile 2 of 5"); the intervals shown are at the level chosen on the page.

**Indirectly standardised ratios** (ISR) divide the observed count by the count expected from
reference age-specific rates, with the observed count's exact Poisson interval below 10 and
Byar's from 10, as PHEindicatormethods' `calculate_ISRatio` does.

**Recent trend**, as Fingertips does it: only on an unbroken series of at least five annual
points (a gap in the latest five means no trend is given); a chi-squared test for linear
trend on the latest five (for proportions, the Cochran-Armitage test; for rates, a weighted
regression), significant at the 99.8% level.

**Spill-over effects** follow a chain: a change in a service's spend changes its activity
(through its unit cost), which changes outcomes (through effect sizes from the evidence, such
as Cochrane's rate ratio of 0.77 for exercise and falls), which changes the costs each
department or organisation bears (through unit costs), year by year with lags and drop-off,
discounted at the Green Book's 3.5% a year.

- *Against the proposal.* Each knock-on effect is adjusted for optimism bias and deadweight by
  its evidence grade (high 0% and 0%; moderate 10% and 0%; low 30% and 10%; very low 40% and
  20%), as the Greater Manchester cost-benefit model grades confidence, and always so that the
  proposal's case gets *less* favourable, as the HM Treasury Green Book asks: a knock-on
  saving is scaled down by (1 − optimism bias)(1 − deadweight), a knock-on extra cost scaled
  up by (1 + optimism bias)(1 + deadweight). Closing a service therefore sees the extra costs
  it pushes onto others scaled up. The spend change itself is a budget figure and is not
  adjusted. The planner shows every link's adjusted and unadjusted figure, its grade and the
  percentages. (The deadweight percentages and the mapping of evidence grades to the model's
  confidence grades are this project's assumptions.)
- *Unknown is not zero.* A service with no evidence links has unknown knock-on effects: the
  planner says so first and gives no probability of a net saving (and no interval) for the
  payers whose result depends on it. Cutting a statutory, demand-led service (residential
  care, home care, looked-after children) carries a warning: a budget cut without a change in
  eligibility or need tends to reappear as overspend or unmet need.
- *Shared draws.* Links that follow from the same events (falls leading to admissions, A&E
  attendances, home care and moves into care homes) share one draw of the effect, so their
  uncertainty adds up rather than cancelling; the planner names the tied links.
- *Cohorts.* A sustained change (the default) changes activity every year, starting a new
  cohort each year, and each cohort's effect fades by the drop-off from its own start; a
  one-off change is a single cohort. Moves into care homes accumulate as residents, each
  staying 2.2 years on average (range 1.5 to 3; Forder and Fernández 2011, PSSRU Discussion
  Paper 2769; Steventon and Roberts 2012, BMC Health Services Research 12:377).
- *Figures.* Uncertain inputs (effect sizes, unit costs) are sampled 10,000 times. The central
  figure everywhere is the **median** of the draws, with the 95% interval from the 2.5th to
  the 97.5th percentiles and the probability of a net saving overall and for each payer.
  Sentences round money to three significant figures (£116k, £1.02m); tables and downloads
  keep full precision. A probability from a finite number of draws is never shown as 0% or
  100%: it is "<1%" or ">99%". Every figure is also available as JSON at
  `/api/v1/scenario-results?change=SERVICE:±Npct` (or `?scenario=ID`; add
  `persist=oneoff` for a one-off change).

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
- HM Treasury (2013) Green Book supplementary guidance: optimism bias.
- Washington State Institute for Public Policy, Benefit-Cost Technical Documentation.
- Briggs A, Claxton K, Sculpher M (2006) Decision modelling for health economic evaluation.
- Forder J, Fernández J-L (2011) Length of stay in care homes. PSSRU Discussion Paper 2769.
- Steventon A, Roberts A (2012) Estimating length of stay in publicly-funded residential and
  nursing care homes. BMC Health Services Research 12:377.
"""
