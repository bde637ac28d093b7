"""Pages served by Flask and Jinja2 templates (``dashboard/templates``)."""
