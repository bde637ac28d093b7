"""A bare Flask route running one DuckDB query: the baseline a first reader's area view is
compared with (``bench/bench_first_reader.py``).

``/bare/<area_code>``: one bound query of the same warehouse file the dashboard reads (the area's
years of spend and cost per outcome), rendered as a small HTML table by a Jinja template. No
cache, no security hooks. Served by gunicorn in the same run: ``gunicorn bench.bare_flask:server``.
"""

from __future__ import annotations

import os
import threading

import duckdb
from flask import Flask, render_template_string

server = Flask(__name__)
_local = threading.local()
PAGE = """<!DOCTYPE html><html lang="en-GB"><head><title>{{ area }}</title></head><body>
<table>{% for row in rows %}<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}
</table></body></html>"""


def _con() -> duckdb.DuckDBPyConnection:
    if not hasattr(_local, "con"):
        _local.con = duckdb.connect(os.environ["WAREHOUSE_PATH"], read_only=True)
    return _local.con


@server.route("/bare/<area_code>")
def bare(area_code: str):
    rows = _con().execute(
        "select financial_year, allocated_spend_gbp, cost_per_outcome_gbp from mart_area_year "
        "where area_code = $a order by financial_year", {"a": area_code}).fetchall()
    return render_template_string(PAGE, area=area_code, rows=rows)
