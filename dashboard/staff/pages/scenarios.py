"""Scenario planner, live: change services' spend and see who pays and who benefits.

The page's query string is the planner's URL grammar (``dashboard/views/scenarios.py``):
``/staff/scenarios?change=LUNCH:-100pct,FALLS:50000`` or ``?scenario=close-luncheon-clubs``
(or ``draft:12``), with ``compare`` and ``persist``. ``layout`` draws that scenario; from
then on the controls drive callbacks: each change of a control redraws every result and
puts the scenario back in the URL (no reload), so the address can always be shared.

Every callback treats its inputs as untrusted: services and kinds come from the allow-lists,
sizes are checked against the planner's bounds, the user and role come from the server
session (``dashboard.auth``), and a forged or malformed call changes nothing (no update).
"""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import auth, data
from dashboard.fairshare import SimulationBusy
from dashboard.staff import planner_controls as controls
from dashboard.staff.guard import untrusted
from dashboard.staff.planner_ids import (
    ADD,
    ADD_SERVICE,
    COMPARE,
    COMPARE_MSG,
    COMPARE_PICK,
    COMPARE_SLOT,
    CONTROL_MSG,
    DRAFT_NAME,
    DRAFTS_SLOT,
    ERRORS,
    HEADLINE,
    LOADED,
    PERSIST_CHOICE,
    PREFIX,
    PUBLISH,
    PUBLISH_PICK,
    RESULTS,
    ROW_KIND,
    ROW_REMOVE,
    ROW_VALUE,
    ROWS,
    SAVE,
    SAVE_MSG,
    TITLE,
    URL,
)
from dashboard.staff.planner_results import compare_section, results
from dashboard.views import scenario_run as run
from dashboard.views import scenarios as views
from drafts import store as drafts_store
from drafts.store import Change, DraftError, DraftPermissionError, DraftStoreUnavailable

PATH = controls.PATH
NEW_CHANGE = ("percent", -10.0)  # what "Add" starts a service at: a 10% cut

dash.register_page(__name__, path="/scenarios", name="Scenario planner", order=1,
                   title="Scenario planner — Outcomes Budget Dashboard")


# ---- reading what the page sent ----------------------------------------------------------

def _staff() -> auth.User:
    user = auth.current_user()
    if not user.is_internal:
        raise PreventUpdate
    return user


def _rows(values: list, kinds: list) -> list[tuple]:
    """(service, kind, value) for each row, from the pattern-matching entries Dash sent
    (``ctx.inputs_list``/``states_list`` items: ``{"id": {...}, "value": ...}``)."""
    if not isinstance(values, list) or not isinstance(kinds, list) or len(values) != len(kinds):
        raise ValueError("rows do not match")
    out = []
    for v, k in zip(values, kinds, strict=True):
        service, kind_service = v["id"]["service"], k["id"]["service"]
        if service != kind_service:
            raise ValueError("rows do not match")
        out.append((service, k.get("value"), v.get("value")))
    return out


def _drafts(user: auth.User):
    try:
        return drafts_store.default_store().visible(user)
    except Exception:  # noqa: BLE001 - a broken draft file must not take the planner down
        return None


def _scenario(changes: tuple[Change, ...], loaded, plan: views.Planner,
              user: auth.User) -> views.Scenario:
    """The scenario the controls show: the one the page started from while its changes are
    unchanged (checked again on the server), else an unsaved scenario."""
    ref = loaded.get("ref") if isinstance(loaded, dict) else None
    if isinstance(ref, str) and ref:
        try:
            found = views.resolve(ref, plan, user)
        except ValueError:
            found = None
        if found is not None and found.changes == changes:
            return found
    return views.Scenario("", "Your scenario", "Changes made here; not saved.", "unsaved",
                          changes)


def _draw(scenario: views.Scenario | None, plan: views.Planner, persistence: str,
          compare: tuple[str, ...] = ()) -> tuple[str, str, list]:
    """The URL's query, the headline and the results for ``scenario``."""
    if scenario is None or not scenario.changes:
        return (views.search_for(persistence=persistence),
                "Change one or more services' spend to see, year by year for five years, "
                "the direct saving and the knock-on costs for each payer, with how sure the "
                "model is.", [])
    scenario = scenario._replace(persistence=persistence)
    search = views.search_for(scenario.changes, scenario.ref, compare, persistence)
    headline, body = results(scenario, plan, PATH + search)
    return search, headline, body


# ---- layout ------------------------------------------------------------------------------

def layout(change=None, scenario=None, compare=None, persist=None, **_) -> html.Div:
    user = auth.current_user()
    if not user.is_internal:
        return html.Div([html.H1("Scenario planner", id=TITLE),
                         html.P("The scenario planner is for signed-in council staff.")])
    plan = views.planner()
    found, others, errors = views.read_query(
        {"change": change, "scenario": scenario, "compare": compare, views.PERSIST: persist},
        plan, user)
    persistence = found.persistence if found else "sustained"
    try:
        search, headline, body = _draw(found, plan, persistence, tuple(s.ref for s in others))
        compared = (compare_section(
            [(s, run.model_run(s, plan)["view"]) for s in (found, *others)],
            lambda s: PATH + views.search_for(s.changes, s.ref, persistence=s.persistence))
            if found and others else None)
    except SimulationBusy as busy:  # this user's fair share of simulations: say so
        headline, body, compared = busy.description, [], None
    drafts = _drafts(user)
    published = [html.Li(html.A(s.name, href=PATH + views.search_for(ref=s.ref)))
                 for s in plan.published.values()]
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        dcc.Store(id=LOADED, data={"ref": found.ref if found else ""}),
        html.H1("Scenario planner" + (f": {found.name}" if found and found.ref else ""),
                id=TITLE),
        html.P(found.description if found and found.ref else
               "Change services' spend; the results below follow every change.",
               className="lead"),
        html.Div([html.P("This link could not be used as it is:"),
                  html.Ul([html.Li(e) for e in errors])] if errors else [],
                 id=ERRORS, role="status", className="state-note" if errors else None),
        html.Section([
            html.H2("The changes", id=f"{PREFIX}-builder-heading",
                    className="h4 section-heading"),
            html.P("Start from a published scenario:", className="mb-1"),
            html.Ul(published, id=f"{PREFIX}-published"),
            html.Div(controls.rows(found.changes if found else (), plan), id=ROWS),
            controls.adder(plan, persistence),
            html.Div(id=CONTROL_MSG, role="status"),
        ], className="builder", **{"aria-labelledby": f"{PREFIX}-builder-heading"}),
        html.P(headline, id=HEADLINE, className="headline", **{"aria-live": "polite"}),
        html.Div(body, id=RESULTS),
        controls.drafts_panel(user, plan, drafts, compared),
    ], className="scenarios")


# ---- callbacks ---------------------------------------------------------------------------

@dash.callback(
    Output(ROWS, "children"),
    Output(HEADLINE, "children"),
    Output(RESULTS, "children"),
    Output(URL, "search"),
    Output(CONTROL_MSG, "children"),
    Input(ADD, "n_clicks"),
    Input({"type": ROW_REMOVE, "service": ALL}, "n_clicks"),
    Input({"type": ROW_VALUE, "service": ALL}, "value"),
    Input({"type": ROW_KIND, "service": ALL}, "value"),
    Input(PERSIST_CHOICE, "value"),
    State(ADD_SERVICE, "value"),
    State(LOADED, "data"),
    prevent_initial_call=True,
)
@untrusted
def update(_add, _removes, _values, _kinds, persistence, add_service, loaded):
    """Any control moved: add or remove a row if asked, then redraw every result."""
    user = _staff()
    plan = views.planner()
    try:
        rows = _rows(ctx.inputs_list[2], ctx.inputs_list[3])
        persistence = data.one_of(persistence, dict(views.PERSIST_OPTIONS), "persist")
        views.changes_from_controls(rows, plan)  # forged rows: no update
        trigger = ctx.triggered_id
        pressed = bool(ctx.triggered and ctx.triggered[0].get("value"))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise PreventUpdate from None
    said: list[str] = []
    rebuild = False
    present = [r[0] for r in rows]
    if trigger == ADD and pressed:
        if not isinstance(add_service, str) or add_service not in plan.services.index:
            raise PreventUpdate
        if add_service in present:
            said.append(f"{plan.services.at[add_service, 'service_name']} is already in the "
                        "scenario: change its row.")
        elif len(present) >= views.MAX_CHANGES:
            said.append(f"A scenario can change at most {views.MAX_CHANGES} services.")
        else:
            rows, rebuild = [*rows, (add_service, *NEW_CHANGE)], True
    elif isinstance(trigger, dict) and trigger.get("type") == ROW_REMOVE and pressed:
        rows, rebuild = [r for r in rows if r[0] != trigger.get("service")], True
    changes, notes = views.changes_from_controls(rows, plan)
    # the rows as the reader left them (a value being typed, or out of bounds, stays)
    new_rows = (controls.rows(tuple(Change(*r) for r in sorted(rows)), plan) if rebuild
                else no_update)
    messages = [controls.message(n) for n in notes + said]
    if notes:  # a row cannot be used yet: the last results and the URL stay as they were
        return new_rows, no_update, no_update, no_update, messages
    try:
        search, headline, body = _draw(_scenario(changes, loaded, plan, user), plan, persistence)
    except SimulationBusy as busy:  # the last results stay; the reason is said
        return new_rows, no_update, no_update, no_update, [*messages,
                                                           controls.message(busy.description)]
    return new_rows, headline, body, search, messages


@dash.callback(
    Output(SAVE_MSG, "children"),
    Output(DRAFTS_SLOT, "children", allow_duplicate=True),
    Input(SAVE, "n_clicks"),
    State(DRAFT_NAME, "value"),
    State({"type": ROW_VALUE, "service": ALL}, "value"),
    State({"type": ROW_KIND, "service": ALL}, "value"),
    prevent_initial_call=True,
)
@untrusted
def save(clicks, name, _values, _kinds):
    """Save the controls' scenario as a draft owned by the signed-in user."""
    user = _staff()
    if not clicks:
        raise PreventUpdate
    if user.role not in drafts_store.SAVE_ROLES:
        return controls.message("Directors, for their own services, and cabinet members "
                                "can save drafts."), no_update
    plan = views.planner()
    try:
        changes, notes = views.changes_from_controls(
            _rows(ctx.states_list[1], ctx.states_list[2]), plan)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise PreventUpdate from None
    if notes or not changes:
        return controls.message(" ".join(notes) or "Add a change before saving."), no_update
    departments = {str(plan.services.at[c.service_code, "dept_code"]) for c in changes}
    try:
        draft = drafts_store.default_store().save(user, name, changes, departments)
    except (DraftError, DraftPermissionError) as err:
        return controls.message(str(err)), no_update
    return (controls.message(f"Saved “{draft.name}” as draft {draft.draft_id}.", ok=True,
                             link=("Open the draft", PATH + views.search_for(ref=draft.ref))),
            controls.drafts_slot(user, _drafts(user)))


@dash.callback(
    Output(DRAFTS_SLOT, "children"),
    Input(PUBLISH, "n_clicks"),
    State(PUBLISH_PICK, "value"),
    prevent_initial_call=True,
)
@untrusted
def publish(clicks, ref):
    """Cabinet and admin only: publish a draft to every internal user."""
    user = _staff()
    if not clicks:
        raise PreventUpdate
    store = drafts_store.default_store()
    if not drafts_store.may_publish(user):
        said = controls.message("Cabinet members and admins can publish drafts.")
        return controls.drafts_slot(user, _drafts(user), said)
    try:
        waiting = {d.ref for d in store.visible(user) if d.status == "draft"}
    except DraftStoreUnavailable as err:  # the file is missing or read-only: say so
        return controls.drafts_slot(user, None, controls.message(str(err)))
    if not isinstance(ref, str) or ref not in waiting:
        raise PreventUpdate
    try:
        draft = store.publish(user, int(views.DRAFT_RE.match(ref)[1]))
    except (DraftError, DraftPermissionError) as err:
        return controls.drafts_slot(user, _drafts(user), controls.message(str(err)))
    said = controls.message(f"Published “{draft.name}” to every internal user.", ok=True,
                            link=("Open it", PATH + views.search_for(ref=draft.ref)))
    return controls.drafts_slot(user, _drafts(user), said)


@dash.callback(
    Output(COMPARE_SLOT, "children"),
    Output(COMPARE_MSG, "children"),
    Input(COMPARE, "n_clicks"),
    State(COMPARE_PICK, "value"),
    State({"type": ROW_VALUE, "service": ALL}, "value"),
    State({"type": ROW_KIND, "service": ALL}, "value"),
    State(PERSIST_CHOICE, "value"),
    State(LOADED, "data"),
    prevent_initial_call=True,
)
@untrusted
def compare(clicks, picked, _values, _kinds, persistence, loaded):
    """The controls' scenario beside up to three others the user may see."""
    user = _staff()
    if not clicks:
        raise PreventUpdate
    plan = views.planner()
    try:
        drafts = drafts_store.default_store().visible(user)
    except DraftStoreUnavailable as err:  # the file is missing or read-only: say so
        return no_update, controls.message(str(err))
    try:
        changes, notes = views.changes_from_controls(
            _rows(ctx.states_list[1], ctx.states_list[2]), plan)
        persistence = data.one_of(persistence, dict(views.PERSIST_OPTIONS), "persist")
        allowed = set(plan.published) | {d.ref for d in drafts}
        if not isinstance(picked, list) or any(p not in allowed for p in picked):
            raise ValueError("off-list scenario")
    except (ValueError, TypeError, KeyError, AttributeError):
        raise PreventUpdate from None
    if not changes:
        return [], controls.message(" ".join(notes) or "Add a change first.")
    scenario = _scenario(changes, loaded, plan, user)
    refs = [p for p in dict.fromkeys(picked) if p != scenario.ref]
    if len(refs) > views.MAX_COMPARE:
        return no_update, controls.message(
            f"Choose at most {views.MAX_COMPARE} scenarios to compare.")
    if not refs:
        return [], controls.message("Comparison cleared.", ok=True)
    try:
        others = [views.resolve(r, plan, user) for r in refs]
    except ValueError as err:  # a draft that no longer fits the allow-lists
        return no_update, controls.message(str(err))
    try:
        runs = [(s._replace(persistence=persistence),
                 run.model_run(s._replace(persistence=persistence), plan)["view"])
                for s in (scenario, *others)]
    except SimulationBusy as busy:  # this user's fair share of simulations: say so
        return no_update, controls.message(busy.description)
    return (compare_section(runs, lambda s: PATH + views.search_for(
        s.changes, s.ref, persistence=s.persistence)),
            controls.message("Comparing.", ok=True))
