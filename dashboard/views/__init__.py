"""The shared core: for each page, pure view functions that take validated parameters and return
frames, figures (plotly figure dicts), sentences and table rows. No HTML, no Dash, no Flask:
the site (``dashboard/site``) and the staff dashboard (``dashboard/staff``) both call them, and
the tests test them."""
