"""The data-quality page (/data-quality): spend not yet allocated to a service, for staff.

A Flask blueprint and a Jinja2 template; the numbers and sentences come from the pure view
``dashboard.views.data_quality``. Registered in internal mode only, and only a signed-in
internal user sees it (the role comes from the server, ``dashboard.auth``): the labels are
the council's working state of its mapping, and the public warehouse file carries no spend
lines.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from dashboard import auth, data
from dashboard.views.data_quality import COLUMNS, data_quality

blueprint = Blueprint("data_quality", __name__, template_folder="../templates")


@blueprint.route("/data-quality")
def page():
    if not auth.current_user().is_internal:
        abort(403)
    if request.args:
        abort(400)
    view = data_quality(data.query("spend_allocation_totals"), data.query("unallocated_spend"))
    rows = view.table.to_dict(orient="records")
    return render_template("data_quality.html", sentences=view.sentences, rows=rows,
                           columns=COLUMNS,
                           csv_url="/api/v1/staff/unallocated-spend.csv",
                           json_url="/api/v1/staff/unallocated-spend")
