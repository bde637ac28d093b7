"""The scenario planner's controls as Dash components: one row per changed service, the
service to add, sustained or one-off, and the drafts panel (save, publish, compare).

Each row's controls carry pattern-matching ids keyed by the service code
(``{"type": ROW_VALUE, "service": "LUNCH"}``), so one callback reads them all.
"""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import html

from dashboard.components import radio_group, select_control
from dashboard.staff.planner_ids import (
    ADD,
    ADD_SERVICE,
    COMPARE,
    COMPARE_MSG,
    COMPARE_PICK,
    COMPARE_SLOT,
    DRAFT_NAME,
    DRAFTS_SLOT,
    DRAFTS_TABLE,
    PERSIST_CHOICE,
    PREFIX,
    PUBLISH,
    PUBLISH_MSG,
    PUBLISH_PICK,
    ROW_KIND,
    ROW_REMOVE,
    ROW_VALUE,
    SAVE,
    SAVE_MSG,
)
from dashboard.views.format import money
from dashboard.views.scenarios import (
    AMOUNT_MAX,
    KIND_OPTIONS,
    MAX_COMPARE,
    PERSIST_OPTIONS,
    Planner,
    search_for,
)
from drafts import store as drafts_store
from drafts.store import Change, Draft

PATH = "/staff/scenarios"


def dom_id(component_id: dict) -> str:
    """The id a pattern-matching component has in the page (Dash writes its dict id as JSON
    with sorted keys), for a label's ``for``."""
    return json.dumps(dict(sorted(component_id.items())), separators=(",", ":"))
KIND_SHORT = [("percent", "%"), ("amount", "£ a year")]


def row(change: Change, plan: Planner) -> html.Li:
    """One changed service: its size, per cent or £, and a button to remove it."""
    code = change.service_code
    name = str(plan.services.at[code, "service_name"])
    value_id = {"type": ROW_VALUE, "service": code}
    spend = (f"{money(plan.services.at[code, 'spend_gbp'])} in {plan.latest_year}"
             + ("" if plan.services.at[code, "modelled"] else ", no modelled knock-on effects"))
    return html.Li([
        html.Div([
            dbc.Label([f"{name}: change (negative for a cut) ",
                       html.Span(f"({spend})", className="small fw-normal")],
                      html_for=dom_id(value_id), className="fw-semibold mb-1"),
            # a number with arrow-key steps; the page redraws half a second after typing stops
            dbc.Input(id=value_id, type="number", value=change.change_value, step=5,
                      min=-AMOUNT_MAX, max=AMOUNT_MAX, debounce=0.5, required=True),
        ], className="control"),
        html.Fieldset([
            html.Legend(f"{name}: change by", className="visually-hidden"),
            dbc.RadioItems(id={"type": ROW_KIND, "service": code}, value=change.change_type,
                           inline=True, options=[{"label": label, "value": v}
                                                 for v, label in KIND_SHORT]),
        ], className="control"),
        dbc.Button(["Remove", html.Span(f" {name}", className="visually-hidden")],
                   id={"type": ROW_REMOVE, "service": code}, color="secondary",
                   size="sm", className="align-self-end"),
    ], className="controls change-row", id=f"{PREFIX}-row-{code}")


def rows(changes: tuple[Change, ...], plan: Planner) -> list:
    if not changes:
        return [html.P("No change yet: add a service below, or start from a published "
                       "scenario.", className="text-muted")]
    return [html.Ul([row(c, plan) for c in changes], className="list-unstyled")]


def service_options(plan: Planner) -> list[tuple[str, str]]:
    return [(code, f"{r.service_name} ({r.dept_name}) — {money(r.spend_gbp)} in "
                   f"{plan.latest_year}" + ("" if r.modelled else " — no modelled knock-on"))
            for code, r in plan.services.iterrows()]


def adder(plan: Planner, persistence: str) -> html.Div:
    options = service_options(plan)
    return html.Div([
        select_control(ADD_SERVICE, "Add a service", options, options[0][0] if options else ""),
        dbc.Button("Add", id=ADD, color="primary", className="align-self-end"),
        html.Div(radio_group(PERSIST_CHOICE, "The changes are", PERSIST_OPTIONS, persistence)),
    ], className="controls")


def drafts_table(drafts: list[Draft] | None) -> html.Div:
    """The drafts this user may see, each a link that opens it; publishing among them."""
    if drafts is None:
        return html.P("The draft store cannot be read just now.", id=DRAFTS_TABLE)
    if not drafts:
        return html.P("No drafts yet that you can see.", id=DRAFTS_TABLE)
    body = [html.Tr([html.Td(html.A(d.name, href=PATH + search_for(ref=d.ref))),
                     html.Td(d.owner), html.Td(", ".join(d.departments)),
                     html.Td("published" if d.status == "published" else "draft"),
                     html.Td(d.updated_at[:16].replace("T", " "))]) for d in drafts]
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in
                               ("Name", "Owner", "Departments", "Status", "Updated (UTC)")]))
    return html.Div(dbc.Table([html.Caption("Drafts you can see"), head, html.Tbody(body)],
                              size="sm", className="data-table", id=DRAFTS_TABLE),
                    className="table-responsive")


def publish_form(user, drafts: list[Draft] | None) -> html.Div:
    if not drafts_store.may_publish(user):
        return html.P("Cabinet members and admins can publish drafts.", className="small")
    waiting = [(d.ref, d.name) for d in drafts or [] if d.status == "draft"]
    if not waiting:
        return html.P("No drafts are waiting to be published.", className="small")
    return html.Div([
        select_control(PUBLISH_PICK, "Publish a draft to every internal user", waiting,
                       waiting[0][0]),
        dbc.Button("Publish", id=PUBLISH, color="secondary", className="align-self-end"),
    ], className="controls")


def drafts_slot(user, drafts: list[Draft] | None, said=None) -> list:
    """The drafts table and the publish form (``said``: what the last publish did)."""
    return [drafts_table(drafts), html.Div(said, id=PUBLISH_MSG, role="status"),
            publish_form(user, drafts)]


def drafts_panel(user, plan: Planner, drafts: list[Draft] | None,
                 compared=None) -> html.Section:
    can_save = user.role in drafts_store.SAVE_ROLES
    heading = f"{PREFIX}-drafts-heading"
    compare_options = [{"label": s.name, "value": s.ref} for s in plan.published.values()]
    compare_options += [{"label": f"{d.name} (draft by {d.owner})", "value": d.ref}
                        for d in drafts or []]
    return html.Section([
        html.H2("Drafts and comparisons", id=heading, className="h4 section-heading"),
        html.Div([
            html.Div([dbc.Label("Save this scenario as a draft" + (
                "" if can_save else
                " (directors, for their own services, and cabinet members can save drafts)"),
                html_for=DRAFT_NAME, className="fw-semibold mb-1"),
                dbc.Input(id=DRAFT_NAME, type="text", maxLength=drafts_store.MAX_NAME,
                          placeholder="Name of the draft", disabled=not can_save)],
                className="control"),
            dbc.Button("Save draft", id=SAVE, color="secondary", disabled=not can_save,
                       className="align-self-end"),
        ], className="controls"),
        html.Div(id=SAVE_MSG, role="status"),
        html.Div(drafts_slot(user, drafts), id=DRAFTS_SLOT),
        html.Div([
            html.Fieldset([
                html.Legend(f"Compare this scenario with up to {MAX_COMPARE} others",
                            className="form-label fw-semibold fs-6 mb-1"),
                dbc.Checklist(id=COMPARE_PICK, options=compare_options, value=[]),
            ], className="control"),
            dbc.Button("Compare", id=COMPARE, color="secondary", className="align-self-end"),
        ], className="controls"),
        html.Div(id=COMPARE_MSG, role="status"),
        html.Div(compared, id=COMPARE_SLOT),
    ], className="drafts", **{"aria-labelledby": heading})


def message(text: str, ok: bool = False, link: tuple[str, str] | None = None) -> dbc.Alert:
    body: list = [text]
    if link:
        body += [" ", html.A(link[0], href=link[1])]
    return dbc.Alert(body, color="success" if ok else "warning", className="mt-2 mb-0")


__all__ = ["KIND_OPTIONS", "adder", "drafts_panel", "drafts_slot", "message", "rows"]
