"""Writing a file all at once: into a temporary sibling first, then renamed over the target."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def sibling_temp(target: Path) -> Iterator[Path]:
    """An empty temporary file in ``target``'s folder, removed afterwards whatever happens.

    Being on the same file system is what makes the final rename atomic.
    """
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
    finally:
        for leftover in (temp, *(Path(f"{temp}{end}") for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def publish(temp: Path, target: Path) -> None:
    """Rename ``temp`` over ``target`` and make the rename itself survive a power cut."""
    os.replace(temp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
