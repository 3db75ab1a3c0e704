"""Pages drawn for everyone, kept per data version: a change anywhere draws them anew.

The overview and an indicator's page are the same for every person who may see
them; only the frame around them (who is signed in, the CSRF token) differs.
Their blocks are rendered once per (page, arguments, language, data version)
and kept in memory, the oldest dropped first. A commit raises the data version
(``chitieu._version``), so nothing stale is served, across processes too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable


class PageCache:
    """A bounded, thread-safe map from a page's key to its rendered blocks."""

    def __init__(self, *, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> dict[str, str] | None:
        with self._lock:
            blocks = self._entries.get(key)
            if blocks is not None:
                self._entries.move_to_end(key)
            return blocks

    def put(self, key: Hashable, blocks: dict[str, str]) -> None:
        with self._lock:
            self._entries[key] = blocks
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_make(
        self, key: Hashable, make: Callable[[], dict[str, str]], *, complete: Iterable[str]
    ) -> dict[str, str]:
        """The blocks kept for ``key``, made once even when many requests miss together.

        Twenty people opening the dashboard after a change would otherwise all draw
        it at the same moment, each slower for the others.
        """
        wanted = tuple(complete)
        blocks = self.get(key)
        if blocks is not None and all(name in blocks for name in wanted):
            return blocks
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        try:
            with making:
                blocks = self.get(key)
                if blocks is None or not all(name in blocks for name in wanted):
                    blocks = make()
                    self.put(key, blocks)
        finally:
            # Also when drawing failed (a plan that does not exist): every such address
            # asked would otherwise leave its lock behind for good.
            with self._lock:
                self._making.pop(key, None)
        return blocks

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
