"""A forged Dash callback request is a 400, never a 500.

Dash trusts the shape of a POST to the staff dashboard's ``/staff/_dash-update-component``: a
body that is not an object, an ``output`` no callback has, an input without ``id`` or
``property``, or fewer inputs than the callback declares, ends in a KeyError or TypeError
inside Dash (a 500). This gate checks the shape against the app's own ``callback_map``
before Dash runs, and refuses anything else with 400. The values are not checked here: each
callback still checks its own against its allow-lists (``dashboard.staff.guard.untrusted``).
A new Dash page or callback needs nothing from this module; ``factory.create_app`` registers
it once, on the staff Dash app, after ``dashboard.staff.guard``'s same-origin check.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request

PATH_SUFFIX = "_dash-update-component"


def _dependency(item: Any) -> bool:
    """One input, state or output: ``{"id": str or dict, "property": str, ...}``."""
    return (isinstance(item, dict) and isinstance(item.get("id"), str | dict)
            and isinstance(item.get("property"), str))


def _dependencies(items: Any) -> bool:
    """A list whose items are dependencies or lists of them (pattern-matching ALL)."""
    return isinstance(items, list) and all(
        _dependency(i) or (isinstance(i, list) and all(_dependency(j) for j in i))
        for i in items)


def well_formed(body: Any, callback_map: dict) -> bool:
    """True when ``body`` has the shape Dash's dispatcher reads for a registered callback."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    spec = callback_map.get(body["output"])
    if spec is None:
        return False
    outputs = body.get("outputs", [])
    if not (_dependency(outputs) or _dependencies(outputs)):
        return False
    inputs, state = body.get("inputs", []), body.get("state", [])
    if not (_dependencies(inputs) and _dependencies(state)):
        return False
    if len(inputs) != len(spec.get("inputs", [])) or len(state) != len(spec.get("state", [])):
        return False
    changed = body.get("changedPropIds", [])
    return isinstance(changed, list) and all(isinstance(c, str) for c in changed)


def register(server, app) -> None:
    """Check every callback request's shape before Dash dispatches it."""

    @server.before_request
    def check_callback_shape():
        if request.method != "POST" or not request.path.endswith(PATH_SUFFIX):
            return None
        body = request.get_json(silent=True)
        if not well_formed(body, app.callback_map):
            abort(400)
        return None
