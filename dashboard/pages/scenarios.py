"""Scenario planner (internal only): change services' spend, see who pays and who benefits.

The page exists only when ``DASHBOARD_MODE=internal``: in public mode neither its route, its
forms nor its download are registered. It is rendered on the server for each request
(``static_pages``; it shows the user's own drafts, so it is never cached). Its forms (add a
change, save a draft, compare, publish) POST to ``/scenarios`` with a CSRF token; the answer is a
redirect to the scenario's URL, with a message beside the form that was used.

URL format (the whole scenario lives in the query string, so a link shares it)
-----------------------------------------------------------------------------
``/scenarios?change=LUNCH:-100pct`` or ``/scenarios?change=LUNCH:-100pct,FALLS:50000``

* ``change`` — one or more changes, comma-separated or as repeated ``change=`` parameters.
  Each is ``SERVICE:VALUE[UNIT]``:

  - ``SERVICE`` a service code (the planner's allow-list: every service; those without
    spill-over links have a direct effect only, and the page says so);
  - ``VALUE`` a signed number, up to 4 decimals (negative = a cut);
  - ``UNIT`` ``pct`` (or ``%``, written ``%25`` in a URL) for a per cent of the service's
    spend in the latest financial year; ``k`` or ``m`` for £ thousands or millions; none
    for £ a year.

  Bounds: -100% to +500%; at most £100m either way; a cut no larger than the service's
  whole spend; each service once; at most 20 changes. ``+`` may be written or left out (a
  bare ``+`` in a query string reads as a space, which is ignored).
* ``scenario`` — instead of ``change``: a published scenario's id
  (``?scenario=close-luncheon-clubs``) or a saved draft, ``draft:<id>``
  (``?scenario=draft:12``), which the signed-in user must be allowed to see.
* ``compare`` — up to three more scenarios (ids or ``draft:<id>``, comma-separated or
  repeated) to set side by side with this one.

Anything else is refused with a message naming what is wrong; nothing is guessed.

Each scenario is run through ``indicators.spillover`` with 10,000 draws and a fixed seed
over five years; results are cached by (warehouse version, the £ changes), so a repeat
view is instant and the same link always shows the same figures.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qs

import dash
import dash_bootstrap_components as dbc
from dash import html
from flask import flash, get_flashed_messages, request
from flask_wtf.csrf import generate_csrf

from dashboard import auth, downloads, settings
from dashboard.components import (
    money,
    radio_group,
    select_control,
)
from dashboard.staff import datasets
from dashboard.staff.planner_results import (
    changes_table as _changes_table,
)
from dashboard.staff.planner_results import charts, compare_section, csv_params, method_note
from dashboard.staff.planner_results import probabilities as _probabilities
from dashboard.staff.planner_results import years_html as _years_html
from dashboard.views.scenario_run import (  # noqa: F401 - tests read them from here
    affected_payers,
    display,
    evidence_table,
    headline,
    model_run,
    tornado_figure,
    years_figure,
    years_table,
)
from dashboard.views.scenarios import (  # noqa: F401
    AMOUNT_MAX,
    DRAFT_RE,
    DRAWS,
    KIND_OPTIONS,
    MAX_CHANGES,
    MAX_COMPARE,
    MAX_PARAM_CHARS,
    SEED,
    YEARS,
    Planner,
    Scenario,
    _short,
    amounts,
    change_token,
    change_words,
    check_change,
    parse_change,
    parse_changes,
    planner,
    read_query,
    resolve,
    search_for,
)
from drafts import store as drafts_store
from drafts.store import Change, DraftError, DraftPermissionError

INTERNAL = settings.mode() == "internal"
PATH = "/scenarios"
PREFIX = "scenarios"
# component ids, each written once
TITLE = f"{PREFIX}-title"
ERRORS = f"{PREFIX}-errors"
HEADLINE = f"{PREFIX}-headline"
SHARE_LINK = f"{PREFIX}-share-link"
CHANGES_TABLE = f"{PREFIX}-changes"
PROBS = f"{PREFIX}-probabilities"
YEARS_TABLE = f"{PREFIX}-years-table"
YEARS_BLOCK = f"{PREFIX}-years"
TORNADO_BLOCK = f"{PREFIX}-tornado"
EVIDENCE_BLOCK = f"{PREFIX}-evidence"
COMPARE_BLOCK = f"{PREFIX}-compare"
SERVICE = f"{PREFIX}-service"
KIND = f"{PREFIX}-kind"
VALUE = f"{PREFIX}-value"
ADD = f"{PREFIX}-add"
ADD_MSG = f"{PREFIX}-add-message"
DRAFT_NAME = f"{PREFIX}-draft-name"
SAVE = f"{PREFIX}-save"
SAVE_MSG = f"{PREFIX}-save-message"
DRAFTS_TABLE = f"{PREFIX}-drafts"
BUILDER = f"{PREFIX}-builder-heading"
DRAFTS = f"{PREFIX}-drafts-heading"
FROM = "from"  # each form's hidden field: the query string of the scenario it acts on
PUBLISH_PICK = f"{PREFIX}-publish-draft"
PUBLISH = f"{PREFIX}-publish"
PUBLISH_MSG = f"{PREFIX}-publish-message"
COMPARE_PICK = f"{PREFIX}-compare-pick"
COMPARE = f"{PREFIX}-compare-button"
COMPARE_MSG = f"{PREFIX}-compare-message"
PAGE_MSG = f"{PREFIX}-page-message"
SLOTS = (ADD_MSG, SAVE_MSG, PUBLISH_MSG, COMPARE_MSG, PAGE_MSG)
KEPT = "form"  # flashed with a refused form: what the reader typed, to show it again



if INTERNAL:
    downloads.dataset("scenario", ("scenario", "change"), datasets.validate_scenario)(
        datasets.scenario_table)



def _results(scenario: Scenario, plan: Planner, builder: html.Section) -> list:
    out = model_run(scenario, plan)
    result = out["result"]
    return [
        html.P(headline(scenario, result), className="headline", id=HEADLINE),
        _changes_table(scenario, plan),
        builder,
        _probabilities(result),
        html.H2("Year by year, for each payer", className="h4 section-heading"),
        _years_html(out["years"]),
        *charts(scenario, out, ("scenario", csv_params(scenario))),
        method_note(result),
    ]


def _compare(scenario: Scenario, others: tuple[Scenario, ...], plan: Planner) -> html.Section:
    runs = [(s, model_run(s, plan)["result"]) for s in (scenario, *others)]
    return compare_section(runs, lambda s: PATH + search_for(s.changes, s.ref))


def _form(children: list, search: str, anchor: str) -> html.Form:
    """A POST form of the planner: the session's CSRF token, the scenario it acts on (the
    current query string) and ``children``; ``handle_form`` answers it."""
    return html.Form([
        dbc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
        dbc.Input(type="hidden", name=FROM, value=search.lstrip("?")),
        *children,
    ], method="post", action=f"{PATH}#{anchor}")


def _messages(slot: str, messages: dict) -> html.Div:
    """What the last form did, just before that form (flashed across the redirect). The
    redirect's fragment names this slot, so the browser lands, and focus starts, here."""
    said = messages.get(slot, [])
    return html.Div(said, id=slot, tabIndex="-1" if said else None)


def _builder(scenario: Scenario | None, plan: Planner, search: str,
             messages: dict) -> html.Section:
    kept = messages.get(KEPT, {})
    first = (scenario.changes[0].service_code if scenario and scenario.changes else "")
    options = [(code, f"{row.service_name} ({row.dept_name}) — {money(row.spend_gbp)} in "
                      f"{plan.latest_year}"
                      + ("" if row.modelled else " — no modelled knock-on effects"))
               for code, row in plan.services.iterrows()]
    current = []
    if scenario is not None:
        for c in scenario.changes:
            rest = tuple(x for x in scenario.changes if x != c)
            href = PATH + search_for(rest)
            current.append(html.Li([
                f"{plan.services.at[c.service_code, 'service_name']}: {change_words(c, plan)} ",
                html.A(["Remove", html.Span(f" {c.service_code}", className="visually-hidden")],
                       href=href, className="small")]))
    published = [html.Li(html.A(s.name, href=PATH + search_for(ref=s.ref)))
                 for s in plan.published.values()]
    return html.Section([
        html.H2("Change this scenario" if scenario else "Build a scenario", id=BUILDER,
                className="h4 section-heading"),
        html.Div([
            html.P("Published scenarios:", className="mb-1"),
            html.Ul(published, id=f"{PREFIX}-published"),
        ]),
        _messages(ADD_MSG, messages),
        _form([html.Div([
            select_control(SERVICE, "Service", options,
                           kept.get("service") or first or (options[0][0] if options else ""),
                           name="service"),
            radio_group(KIND, "Change by", KIND_OPTIONS, kept.get("kind") or "percent",
                        name="kind"),
            html.Div([dbc.Label("Change (negative for a cut)", html_for=VALUE,
                                className="fw-semibold mb-1"),
                      dbc.Input(id=VALUE, name="value", type="number",
                                value=kept.get("value", -100), step="any",
                                min=-AMOUNT_MAX, max=AMOUNT_MAX, required=True,
                                invalid=ADD_MSG in kept.get("refused", ()))],
                     className="control"),
            dbc.Button("Add to the scenario", id=ADD, color="primary", type="submit",
                       name="action", value="add", className="align-self-end"),
        ], className="controls")], search, ADD_MSG),
        html.Div([html.P("Changes in this scenario:", className="mb-1"),
                  html.Ul(current)] if current else [],
                 id=f"{PREFIX}-current"),
        html.P([html.A("Start again", href=PATH)], className="small"),
    ], className="builder", **{"aria-labelledby": BUILDER})


def _drafts_panel(user: auth.User, scenario: Scenario | None, plan: Planner,
                  compare_refs: tuple[str, ...], search: str, messages: dict) -> html.Section:
    store = drafts_store.default_store()
    try:
        drafts = store.visible(user)
    except Exception:  # noqa: BLE001 - a broken draft file must not take the planner down
        drafts = None
    kept = messages.get(KEPT, {})  # what the reader typed into a refused form
    can_save = user.role in drafts_store.SAVE_ROLES and scenario is not None
    can_publish = drafts_store.may_publish(user)
    rows = []
    for d in drafts or []:
        rows.append(html.Tr([
            html.Td(html.A(d.name, href=PATH + search_for(ref=d.ref))),
            html.Td(d.owner), html.Td(", ".join(d.departments)),
            html.Td("published" if d.status == "published" else "draft"),
            html.Td(d.updated_at[:16].replace("T", " "))]))
    table = (dbc.Table([html.Caption("Drafts you can see"),
                        html.Thead(html.Tr([html.Th(h, scope="col") for h in
                                            ("Name", "Owner", "Departments", "Status",
                                             "Updated (UTC)")])),
                        html.Tbody(rows)], size="sm", className="data-table", id=DRAFTS_TABLE)
             if rows else html.P("No drafts yet that you can see." if drafts is not None else
                                 "The draft store cannot be read just now.", id=DRAFTS_TABLE))
    compare_options = [{"label": s.name, "value": s.ref} for s in plan.published.values()]
    compare_options += [{"label": f"{d.name} (draft by {d.owner})", "value": d.ref}
                        for d in drafts or []]
    compare_options = [o for o in compare_options if not scenario or o["value"] != scenario.ref]
    unpublished = [(d.ref, d.name) for d in drafts or [] if d.status == "draft"]
    save_note = ("" if can_save else
                 " (add a change first)" if user.role in drafts_store.SAVE_ROLES else
                 " (directors, for their own services, and cabinet members can save drafts)")
    return html.Section([
        html.H2("Drafts and comparisons", id=DRAFTS, className="h4 section-heading"),
        _messages(SAVE_MSG, messages),
        _form([html.Div([
            html.Div([dbc.Label(f"Save this scenario as a draft{save_note}", html_for=DRAFT_NAME,
                                className="fw-semibold mb-1"),
                      dbc.Input(id=DRAFT_NAME, name="name", type="text",
                                maxLength=drafts_store.MAX_NAME,
                                value=kept.get("name"),
                                invalid=SAVE_MSG in kept.get("refused", ()),
                                placeholder="Name of the draft", disabled=not can_save)],
                     className="control"),
            dbc.Button("Save draft", id=SAVE, color="secondary", type="submit", name="action",
                       value="save", disabled=not can_save, className="align-self-end"),
        ], className="controls")], search, SAVE_MSG),
        table,
        _messages(COMPARE_MSG, messages),
        _form([html.Div([
            html.Fieldset([
                html.Legend(f"Compare with up to {MAX_COMPARE} others",
                            className="form-label fw-semibold fs-6 mb-1"),
                dbc.Checklist(id=COMPARE_PICK, name="compare", options=compare_options,
                              value=list(compare_refs)),
            ], className="control"),
            dbc.Button("Compare", id=COMPARE, color="secondary", type="submit", name="action",
                       value="compare", disabled=scenario is None, className="align-self-end"),
        ], className="controls")], search, COMPARE_MSG),
        _messages(PUBLISH_MSG, messages),
        (_form([html.Div([
            select_control(PUBLISH_PICK, "Publish a draft to every internal user", unpublished,
                           unpublished[0][0], name="draft"),
            dbc.Button("Publish", id=PUBLISH, color="secondary", type="submit", name="action",
                       value="publish", className="align-self-end"),
        ], className="controls")], search, PUBLISH_MSG) if can_publish and unpublished else
         html.P("No drafts are waiting to be published." if can_publish else
                "Cabinet members and admins can publish drafts.", className="small")),
    ], className="drafts", **{"aria-labelledby": DRAFTS})


def _flashed() -> dict[str, Any]:
    """Messages the last form left for this page, by the slot they belong in, and (``KEPT``)
    what the reader typed into a form that was refused."""
    out: dict[str, Any] = {}
    for slot, msg in get_flashed_messages(with_categories=True):
        if slot == KEPT and isinstance(msg, dict):
            out[KEPT] = msg
            continue
        if not isinstance(msg, dict):
            msg = {"text": str(msg)}
        link = msg.get("link")
        out.setdefault(slot if slot in SLOTS else PAGE_MSG, []).append(
            _message(str(msg.get("text", "")), bool(msg.get("ok")),
                     tuple(link) if isinstance(link, list | tuple) and len(link) == 2 else None))
    return out


def layout(**query) -> html.Div:
    user = auth.current_user()
    if not user.is_internal:
        return html.Div([html.H1("Scenario planner", id=TITLE),
                         html.P("The scenario planner is for signed-in council staff.")])
    messages = _flashed()
    plan = planner()
    scenario, others, errors = read_query(query, plan, user)
    compare_refs = tuple(s.ref for s in others)
    search = search_for(scenario.changes, scenario.ref, compare_refs) if scenario else ""
    title = f"Scenario planner: {scenario.name}" if scenario else "Scenario planner"
    parts: list = [html.H1(title, id=TITLE), _messages(PAGE_MSG, messages)]
    if scenario is not None and scenario.description:
        parts.append(html.P(scenario.description, className="lead"))
    if errors:
        parts.append(dbc.Alert([html.P("This link could not be used as it is:"),
                                html.Ul([html.Li(e) for e in errors])],
                               color="warning", id=ERRORS, className="state-note"))
    builder = _builder(scenario, plan, search, messages)
    if scenario is not None:
        share = PATH + search
        parts.append(html.P(["Link to this scenario: ",
                             html.A(share, href=share, id=SHARE_LINK)], className="small"))
        parts += _results(scenario, plan, builder)
        if others:
            parts.append(_compare(scenario, others, plan))
    else:
        parts.append(html.P(
            "Change one or more services' spend to see, year by year for five years, the "
            "direct saving and the knock-on costs for each payer, with how sure the model is. "
            "Start from a published scenario or add a change below.", className="headline",
            id=HEADLINE))
        parts.append(builder)
    parts.append(_drafts_panel(user, scenario, plan, compare_refs, search, messages))
    return html.Div(parts, className="scenarios")


# ---- the forms: each re-checks the user and every value on the server -------------------
# (anyone can POST anything: an off-list value changes nothing and says so)

def _message(text: str, ok: bool = False, link: tuple[str, str] | None = None) -> dbc.Alert:
    body: list = [text]
    if link:
        body += [" ", html.A(link[0], href=link[1])]
    return dbc.Alert(body, color="success" if ok else "warning", className="mt-2 mb-0")


def _say(slot: str, text: str, ok: bool = False, link: tuple[str, str] | None = None) -> None:
    flash({"text": text, "ok": ok, "link": list(link) if link else None}, slot)
    if not ok:  # a refused form comes back as the reader left it (WCAG 3.3.7)
        form = request.form
        plan = planner()
        kept: dict[str, Any] = {"refused": [slot]}
        if form.get("service") in plan.services.index:
            kept["service"] = form["service"]
        if form.get("kind") in dict(KIND_OPTIONS):
            kept["kind"] = form["kind"]
        if isinstance(form.get("value"), str) and len(form["value"]) <= 40:
            kept["value"] = form["value"]
        if isinstance(form.get("name"), str) and len(form["name"]) <= drafts_store.MAX_NAME:
            kept["name"] = form["name"]
        flash(kept, KEPT)


def _from_search(search: Any, plan: Planner, user: auth.User):
    """The scenario a form acts on, read from its hidden field as any link is read."""
    if not isinstance(search, str) or len(search) > 4 * MAX_PARAM_CHARS:
        return None, (), ["The form's scenario could not be read."]
    query = {k: (v[0] if len(v) == 1 else v)
             for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}
    return read_query(query, plan, user)


OFF_LIST = "That choice is not one this form offers, so nothing was changed."


def add_change(form, plan: Planner, scenario, compare) -> str:
    """Add (or replace) one service's change: the new scenario's URL."""
    here = f"#{ADD_MSG}"
    service, kind, value = form.get("service"), form.get("kind"), form.get("value")
    if service not in plan.services.index or kind not in dict(KIND_OPTIONS):
        _say(ADD_MSG, OFF_LIST)
        return here
    if value is None or not value.strip():
        _say(ADD_MSG, "Type the size of the change first.")
        return here
    try:
        number_value = float(value)
    except ValueError:
        number_value = math.nan
    if not math.isfinite(number_value):
        _say(ADD_MSG, f"The change “{_short(value)}” is not a number.")
        return here
    try:
        change = check_change(Change(service, kind, number_value), plan)
    except ValueError as err:
        _say(ADD_MSG, str(err))
        return here
    base = scenario.changes if scenario else ()
    changes = tuple(c for c in base if c.service_code != service) + (change,)
    if len(changes) > MAX_CHANGES:
        _say(ADD_MSG, f"A scenario can change at most {MAX_CHANGES} services.")
        return here
    _say(ADD_MSG, f"Added {change_token(change)}.", ok=True)
    return search_for(tuple(sorted(changes)), "", tuple(s.ref for s in compare)) + here


def save_draft(form, user: auth.User, plan: Planner, scenario, errors) -> str:
    """Save the scenario as a draft owned by the signed-in user."""
    if user.role not in drafts_store.SAVE_ROLES:
        _say(SAVE_MSG, "Directors, for their own services, and cabinet members can save drafts.")
        return ""
    if scenario is None:
        _say(SAVE_MSG, " ".join(errors) or "Add a change before saving a draft.")
        return ""
    departments = {str(plan.services.at[c.service_code, "dept_code"]) for c in scenario.changes}
    try:
        draft = drafts_store.default_store().save(user, form.get("name"), scenario.changes,
                                                  departments)
    except (DraftError, DraftPermissionError) as err:
        _say(SAVE_MSG, str(err))
        return ""
    _say(SAVE_MSG, f"Saved “{draft.name}” as draft {draft.draft_id}.", ok=True,
         link=("Open the draft", PATH + search_for(ref=draft.ref)))
    return ""


def publish_draft(form, user: auth.User) -> str:
    """Cabinet and admin only: publish a draft to every internal user."""
    if not drafts_store.may_publish(user):
        _say(PUBLISH_MSG, "Cabinet members and admins can publish drafts.")
        return ""
    ref = form.get("draft")
    store = drafts_store.default_store()
    allowed = {d.ref for d in store.visible(user) if d.status == "draft"}
    if not isinstance(ref, str) or not DRAFT_RE.match(ref) or ref not in allowed:
        _say(PUBLISH_MSG, OFF_LIST)
        return ""
    try:
        draft = store.publish(user, int(DRAFT_RE.match(ref)[1]))
    except (DraftError, DraftPermissionError) as err:
        _say(PUBLISH_MSG, str(err))
        return ""
    _say(PUBLISH_MSG, f"Published “{draft.name}” to every internal user.", ok=True,
         link=("Open it", PATH + search_for(ref=draft.ref)))
    return ""


def compare_with(form, user: auth.User, plan: Planner, scenario) -> str | None:
    """Put up to three other scenarios beside this one: the URL that shows them."""
    picked = form.getlist("compare")
    allowed = set(plan.published) | {d.ref for d in drafts_store.default_store().visible(user)}
    if any(p not in allowed for p in picked):
        _say(COMPARE_MSG, OFF_LIST)
        return None
    if scenario is None:
        _say(COMPARE_MSG, "Choose or build a scenario first.")
        return None
    refs = tuple(dict.fromkeys(p for p in picked if p != scenario.ref))
    if len(refs) > MAX_COMPARE:
        _say(COMPARE_MSG, f"Choose at most {MAX_COMPARE} scenarios to compare.")
        return None
    _say(COMPARE_MSG, "Comparing." if refs else "Comparison cleared.", ok=True)
    return search_for(scenario.changes, scenario.ref, refs)


def _here(form, plan: Planner, user: auth.User):
    """The scenario a form was sent from, its canonical query string, and any messages."""
    scenario, compare, errors = _from_search(form.get(FROM, ""), plan, user)
    here = (search_for(scenario.changes, scenario.ref, tuple(s.ref for s in compare))
            if scenario else "")
    return scenario, compare, errors, here


def back_to(form) -> str:
    """Where a refused form (a bad CSRF token) leads back to: its scenario. Reads only."""
    user = auth.current_user()
    if not user.is_internal:
        return PATH
    return PATH + _here(form, planner(), user)[3]


def handle_form(form) -> str:
    """A POST from one of the planner's forms (its CSRF token already checked by
    ``static_pages``): do what it asks, if this user may, and name the page to show next.
    The message is flashed into the form's own slot, and the address's fragment names that
    slot, so the reader lands on what happened."""
    user = auth.current_user()
    action = form.get("action")
    if not user.is_internal:
        return PATH
    plan = planner()
    scenario, compare, errors, here = _here(form, plan, user)
    if action == "add":
        target = add_change(form, plan, scenario, compare)
        return PATH + (target if target.startswith("?") else here + target)
    if action == "save":
        return PATH + here + save_draft(form, user, plan, scenario, errors) + f"#{SAVE_MSG}"
    if action == "publish":
        return PATH + here + publish_draft(form, user) + f"#{PUBLISH_MSG}"
    if action == "compare":
        return PATH + (compare_with(form, user, plan, scenario) or here) + f"#{COMPARE_MSG}"
    _say(PAGE_MSG, "That form action is not known, so nothing was done.")
    return PATH + here + f"#{PAGE_MSG}"


if INTERNAL:
    dash.register_page(__name__, path=PATH, order=2, name="Scenario planner",
                       title="Scenario planner — Outcomes Budget Dashboard",
                       # a page for each user (drafts, forms): rendered on every request
                       server_rendered=("internal",),
                       static_query=("change", "scenario", "compare"),
                       static_post=handle_form, static_back=back_to)
