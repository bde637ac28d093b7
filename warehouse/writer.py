"""One writer at a time: the lock ``build`` and ``load`` take on a warehouse file.

The lock is an advisory ``fcntl.flock`` on ``.NAME.lock`` beside the warehouse; the kernel
releases it when its holder exits, killed or not, so a crashed writer never leaves the
warehouse locked. A second writer waits for it (saying so, with who holds it) and gives up
after ``wait_s`` seconds with a clear error; it never writes at the same time, so no result is
lost. Whoever takes the lock first removes the temporary copies (``.NAME.loading-*``,
``.NAME.building-*``) a killed writer left behind: while the lock is free no writer is at work,
so any such copy is an orphan.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_WAIT_S = 60.0
TEMP_KINDS = ("loading", "building")


class WarehouseBusy(Exception):
    """Another writer held the warehouse for longer than this one would wait."""


def lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def temp_copy(target: Path, kind: str, tag: str) -> Path:
    """The name of a writer's temporary copy of ``target`` (removed if the writer dies)."""
    return target.with_name(f".{target.name}.{kind}-{os.getpid()}-{tag}")


def orphans(target: Path) -> list[Path]:
    """Temporary copies of ``target`` (and their write-ahead logs) left by earlier writers."""
    found: list[Path] = []
    for kind in TEMP_KINDS:
        found += sorted(target.parent.glob(f".{target.name}.{kind}-*"))
    return found


def _say_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def writer_lock(target: Path, what: str, wait_s: float | None = None,
                say: Callable[[str], None] = _say_waiting) -> Iterator[list[Path]]:
    """Hold the warehouse's writer lock; yields the orphaned copies it removed.

    ``what`` ('build', 'load spend') is written into the lock file for a waiting writer to
    read. Raises ``WarehouseBusy`` after ``wait_s`` seconds (default 60) of waiting.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(target)
    wait = LOCK_WAIT_S if wait_s is None else wait_s
    with open(path, "a+", encoding="utf-8") as fh:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "another writer"
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"{target}: {holder} is writing this warehouse; gave up after waiting "
                        f"{wait:g} s (nothing was written; try again when it has finished)"
                    ) from None
                if not told:
                    say(f"{target}: {holder} is writing this warehouse; waiting up to "
                        f"{wait:g} s for it to finish")
                    told = True
                time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"{what} (pid {os.getpid()}, since "
                     f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC)")
            fh.flush()
            removed = orphans(target)
            for p in removed:
                p.unlink(missing_ok=True)
            yield removed
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
