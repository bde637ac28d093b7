"""Reading a shared link: each query parameter checked against its allow-list, an off-list value
replaced by the view's default and said so in a note (never guessed, never an error page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple


def apply_checks(view: NamedTuple, query: dict,
                 checks: list[tuple[str, Callable]]) -> tuple[NamedTuple, list[str]]:
    """``view`` with each ``(name, check)`` parameter of ``query`` that passes its check; one
    note for each that does not (the check raises ValueError)."""
    notes = []
    for key, check in checks:
        if key in query:
            try:
                view = view._replace(**{key: check(query[key])})
            except ValueError:
                notes.append(f"The link's {key} “{str(query[key])[:40]}” is not one this page "
                             f"offers, so the default ({getattr(view, key)}) is shown.")
    return view, notes
