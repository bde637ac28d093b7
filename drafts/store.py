"""The draft store: scenario drafts in a small SQLite file, never in the warehouse.

The public site reads a warehouse file that only ``python -m warehouse publish`` writes; the
internal planner's drafts need somewhere writable that is not that file. This is it: one
SQLite database at ``DRAFTS_PATH`` (default ``var/drafts.sqlite3``, created by the first save),
opened per operation, SQL in ``drafts/sql/*.sql``, every value bound.

Who may do what (``user`` is any object with ``name``, ``role``, ``departments`` and
``can_see_drafts_of(dept_code)``, as ``dashboard.auth.User``):

- save: directors, for changes to their own departments' services only; cabinet and admin,
  for any service. Viewers and anonymous users may not save.
- see: a draft's owner; cabinet and admin (every draft); a director, drafts that touch one of
  their departments; every internal user (viewer and up), a published draft.
- publish: cabinet and admin only. Publishing here makes a draft visible to every internal
  user; what the public site shows is decided by ``python -m warehouse publish`` alone.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = Path(__file__).resolve().parent / "sql"
WRITE_MODE = "rwc"  # SQLite's open mode for writes (a test sets "ro" to act as a read-only mount)
DEFAULT_PATH = "var/drafts.sqlite3"
MAX_NAME = 80
MAX_CHANGES = 20
MAX_COMPARE = 4
SERVICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
CHANGE_TYPES = ("amount", "percent")
SAVE_ROLES = ("director", "cabinet", "admin")
PUBLISH_ROLES = ("cabinet", "admin")
INTERNAL_ROLES = ("viewer", "director", "cabinet", "admin")
log = logging.getLogger("drafts")


class DraftError(ValueError):
    """A draft that cannot be stored as given (bad name, bad changes)."""


class DraftStoreUnavailable(DraftError):
    """The store's file is missing, unreadable or read-only just now; the message says so in
    words for the reader (a page shows it; ``dashboard.security`` answers 503 if nothing did)."""


class DraftPermissionError(PermissionError):
    """The user may not do this to this draft."""


class UserLike(Protocol):
    name: str
    role: str
    departments: frozenset[str]

    def can_see_drafts_of(self, dept_code: str) -> bool: ...


class Change(NamedTuple):
    """One service's spend change: ``amount`` in £ a year, or ``percent`` of current spend."""

    service_code: str
    change_type: str
    change_value: float


@dataclass(frozen=True)
class Draft:
    draft_id: int
    name: str
    owner: str
    departments: tuple[str, ...]
    changes: tuple[Change, ...]
    status: str
    created_at: str
    updated_at: str
    published_by: str | None = None
    published_at: str | None = None

    @property
    def ref(self) -> str:
        """How the planner's URL names this draft (``?scenario=draft:12``)."""
        return f"draft:{self.draft_id}"


def _load_sql() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SQL_DIR.glob("*.sql"))}


SQL = _load_sql()


def drafts_path() -> Path:
    """``$DRAFTS_PATH`` (relative paths are under the project root)."""
    path = Path(os.environ.get("DRAFTS_PATH", DEFAULT_PATH) or DEFAULT_PATH)
    return path if path.is_absolute() else ROOT / path


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def clean_name(name: Any) -> str:
    """A draft name: text, 1-80 characters after trimming, no control characters."""
    if not isinstance(name, str):
        raise DraftError("Give the draft a name.")
    text = " ".join(name.split())
    if not text:
        raise DraftError("Give the draft a name.")
    if len(text) > MAX_NAME:
        raise DraftError(f"A draft name can be at most {MAX_NAME} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise DraftError("A draft name cannot contain control characters.")
    return text


def clean_changes(changes: Iterable[Any]) -> tuple[Change, ...]:
    """Check the shape of a list of changes (the planner checks them against its allow-lists)."""
    out: list[Change] = []
    for raw in changes:
        if isinstance(raw, Mapping):
            svc, kind, value = raw.get("service_code"), raw.get("change_type"), raw.get(
                "change_value")
        elif isinstance(raw, Sequence) and not isinstance(raw, str) and len(raw) == 3:
            svc, kind, value = raw
        else:
            raise DraftError("A change must give a service, a kind and a value.")
        if not isinstance(svc, str) or not SERVICE_CODE.match(svc):
            raise DraftError(f"Not a service code: {str(svc)[:40]!r}.")
        if kind not in CHANGE_TYPES:
            raise DraftError(f"A change is an amount or a percent, not {str(kind)[:20]!r}.")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DraftError(f"The change to {svc} is not a number.")
        if not math.isfinite(float(value)):
            raise DraftError(f"The change to {svc} is not a finite number.")
        out.append(Change(svc, kind, float(value)))
    if not out:
        raise DraftError("A draft needs at least one change.")
    if len(out) > MAX_CHANGES:
        raise DraftError(f"A draft can hold at most {MAX_CHANGES} changes.")
    if len({c.service_code for c in out}) != len(out):
        raise DraftError("Each service can be changed only once in a draft.")
    return tuple(sorted(out))


def may_save(user: UserLike, departments: Iterable[str]) -> bool:
    """Directors for their own departments; cabinet and admin for any."""
    if user.role not in SAVE_ROLES:
        return False
    return all(user.can_see_drafts_of(d) for d in departments)


def may_see(user: UserLike, draft: Draft) -> bool:
    if user.role not in INTERNAL_ROLES:
        return False
    if draft.status == "published" or draft.owner == user.name:
        return True
    return any(user.can_see_drafts_of(d) for d in draft.departments)


def may_publish(user: UserLike) -> bool:
    return user.role in PUBLISH_ROLES


def _row_to_draft(row: sqlite3.Row) -> Draft:
    changes = tuple(Change(c["service_code"], c["change_type"], float(c["change_value"]))
                    for c in json.loads(row["changes"]))
    departments = tuple(d for d in row["departments"].split(",") if d)
    return Draft(int(row["draft_id"]), row["name"], row["owner"], departments, changes,
                 row["status"], row["created_at"], row["updated_at"], row["published_by"],
                 row["published_at"])


class DraftStore:
    """Drafts in one SQLite file; every method takes the acting user and checks the rules.

    The file is opened per operation and never created by a read. Once this store has seen the
    file, a missing, unreadable or read-only file raises :class:`DraftStoreUnavailable` (a
    :class:`DraftError` with a message for the reader) instead of starting an empty store, and
    the next operation after the file is back works again: nothing needs a restart.
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else drafts_path()
        if self.path.suffix.lower() == ".duckdb":
            raise ValueError("the draft store must not be a warehouse (.duckdb) file")
        self._seen = False  # this process has opened the file (so it missing is a fault)
        self._lock = threading.Lock()

    def _unavailable(self, what: str, err: Exception | None = None) -> DraftStoreUnavailable:
        if "readonly" in str(err):
            what = "is read-only"
        log.warning("draft store %s %s: %s", self.path, what, err or "")
        return DraftStoreUnavailable(
            f"The draft store ({self.path.name}) {what}, so drafts cannot be read or saved "
            "just now; nothing you saved before is lost. Try again shortly, or ask the "
            "dashboard's administrator to restore the file.")

    def _connect(self, write: bool) -> sqlite3.Connection:
        """A connection; for writing, the schema and the unique rule are made sure of first."""
        with self._lock:
            first = not self._seen and not self.path.exists()
        if first and write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise self._unavailable("is missing")
        mode = WRITE_MODE if write else "rw"
        con = None
        try:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode={mode}", uri=True,
                                  timeout=10)
            con.row_factory = sqlite3.Row
            if write:
                self._prepare(con)
        except sqlite3.Error as err:
            if con is not None:
                con.close()
            raise self._unavailable("cannot be opened for writing" if write else
                                    "cannot be read", err) from err
        with self._lock:
            self._seen = True
        return con

    @staticmethod
    def _prepare(con: sqlite3.Connection) -> None:
        """WAL, the table and the unique rule. Switching to WAL answers "locked" at once while
        another process creates the file (SQLite's busy timeout does not cover it), so that
        step is tried again for up to the same 10 s."""
        deadline = time.monotonic() + 10
        while True:
            try:
                if con.execute("pragma journal_mode").fetchone()[0] != "wal":
                    con.execute("pragma journal_mode = wal")
                break
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        with con:
            con.execute(SQL["schema"])
            try:
                con.execute(SQL["unique_draft_names"])
            except sqlite3.IntegrityError:  # doubles saved before the rule existed
                con.execute(SQL["rename_doubled_drafts"])
                con.execute(SQL["unique_draft_names"])

    def _run(self, name: str, params: Mapping[str, Any] | None = None,
             write: bool = False) -> list[sqlite3.Row]:
        """The rows of one statement (a write commits before returning)."""
        with self._lock:
            if not write and not self._seen and not self.path.exists():
                return []  # nothing saved yet: reading does not create the file
        with closing(self._connect(write)) as con:
            try:
                with con:
                    return con.execute(SQL[name], dict(params or {})).fetchall()
            except sqlite3.Error as err:
                raise self._unavailable("cannot be written" if write else "cannot be read",
                                        err) from err

    def _get(self, draft_id: int) -> Draft | None:
        rows = self._run("select_draft", {"draft_id": int(draft_id)})
        return _row_to_draft(rows[0]) if rows else None

    # ---- the operations ---------------------------------------------------------------

    def save(self, user: UserLike, name: Any, changes: Iterable[Any],
             departments: Iterable[str]) -> Draft:
        """Save changes as a draft by name; the owner's unpublished draft of that name is
        updated, otherwise a new draft is made. ``departments``: the departments whose
        services the changes touch (the caller knows the service -> department map)."""
        text = clean_name(name)
        cleaned = clean_changes(changes)
        depts = tuple(sorted({str(d) for d in departments}))
        if not depts:
            raise DraftError("A draft must name the departments it touches.")
        if not may_save(user, depts):
            raise DraftPermissionError(
                "Only directors (for their own departments) and cabinet members can save drafts.")
        payload = json.dumps([c._asdict() for c in cleaned])
        now = _now()
        rows = self._run("upsert_draft", {
            "name": text, "owner": user.name, "departments": ",".join(depts),
            "changes": payload, "created_at": now, "updated_at": now}, write=True)
        draft_id = int(rows[0]["draft_id"])
        draft = self._get(draft_id)
        if draft is None:  # written in this call, so only a concurrent delete could do this
            raise DraftError("The draft could not be read back.")
        return draft

    def visible(self, user: UserLike) -> list[Draft]:
        """The drafts this user may see, newest first."""
        if user.role not in INTERNAL_ROLES:
            return []
        drafts = [_row_to_draft(r) for r in self._run("select_drafts")]
        return [d for d in drafts if may_see(user, d)]

    def get(self, user: UserLike, draft_id: Any) -> Draft | None:
        """One draft by id if it exists and the user may see it, else None."""
        if isinstance(draft_id, str) and re.fullmatch(r"\d{1,12}", draft_id):
            number = int(draft_id)
        elif isinstance(draft_id, int) and not isinstance(draft_id, bool):
            number = draft_id
        else:
            return None
        if not 0 < number < 2**62:
            return None
        draft = self._get(number)
        return draft if draft is not None and may_see(user, draft) else None

    def compare(self, user: UserLike, draft_ids: Sequence[Any]) -> list[Draft]:
        """Up to four drafts side by side, each one the user may see."""
        if len(draft_ids) > MAX_COMPARE:
            raise DraftError(f"Compare at most {MAX_COMPARE} scenarios at once.")
        out = []
        for draft_id in draft_ids:
            draft = self.get(user, draft_id)
            if draft is None:
                raise DraftPermissionError(f"No draft {str(draft_id)[:20]!r} that you may see.")
            out.append(draft)
        return out

    def publish(self, user: UserLike, draft_id: Any) -> Draft:
        """Cabinet and admin only: the draft becomes visible to every internal user."""
        if not may_publish(user):
            raise DraftPermissionError("Only cabinet members and admins can publish a draft.")
        draft = self.get(user, draft_id)
        if draft is None:
            raise DraftPermissionError(f"No draft {str(draft_id)[:20]!r} that you may see.")
        if draft.status == "published":
            return draft
        self._run("publish_draft", {"draft_id": draft.draft_id, "published_by": user.name,
                                    "published_at": _now()}, write=True)
        published = self._get(draft.draft_id)
        if published is None:
            raise DraftError("The draft could not be read back.")
        return published


_stores: dict[Path, DraftStore] = {}
_stores_lock = threading.Lock()


def default_store() -> DraftStore:
    """The process's store for the current ``$DRAFTS_PATH``."""
    path = drafts_path().resolve()
    with _stores_lock:
        if path not in _stores:
            _stores[path] = DraftStore(path)
        return _stores[path]
