"""Scenario drafts: a small writable store kept apart from the read-only warehouse."""

from drafts.store import (
    Change,
    Draft,
    DraftError,
    DraftPermissionError,
    DraftStore,
    DraftStoreUnavailable,
    default_store,
    drafts_path,
)

__all__ = [
    "Change",
    "Draft",
    "DraftError",
    "DraftPermissionError",
    "DraftStore",
    "DraftStoreUnavailable",
    "default_store",
    "drafts_path",
]
