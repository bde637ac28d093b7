"""Accessibility statement (WCAG 2.2 AA).

CommonMark, rendered by the site with raw HTML escaped."""

TITLE = "Accessibility statement"

TEXT = """
This dashboard is built to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level
AA, as UK public-sector websites must.

- Every chart has a title that states its finding, a text summary, and the data behind it as a
  table ("Show the data") and as a CSV file.
- Comparisons use words and symbols as well as colour; the colours are chosen to be told
  apart with every common colour-vision deficiency.
- Every page works with a keyboard alone; a "Skip to main content" link comes first, and the
  focus is always visible.
- The public pages are sent as finished HTML: text, tables, links and downloads work without
  JavaScript, and changing a setting never reloads the page until you choose "Show".
- Pages are tested in a real browser with axe-core on every release.

### What we know is not yet right
Interactive charts are drawn as images for sighted users; screen-reader users get the same
information from the summary and the table, which hide nothing the chart shows.

### Tell us about a problem
Contact the council's web team and say which page and what went wrong. If you are not happy
with the reply, contact the Equality Advisory and Support Service (EASS).
"""
