"""Answers of read endpoints, cached until the store file changes.

The store changes only by replacing its file (:mod:`cxtext.store.store`), so the file's
(inode, mtime, size) identifies its content: an answer cached under that identity and the
request's parameters stays right until the next write. Answers are kept as their JSON
bytes, per process, least recently used first out; concurrent requests for the same
missing answer compute it once. ``response_cache_size = 0`` turns it off.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path


class ResponseCache:
    """A thread-safe LRU of computed answers keyed by the store file's identity."""

    def __init__(self, store: Path, size: int) -> None:
        self.store = store
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def _identity(self) -> tuple[int, int, int]:
        stat = os.stat(self.store)
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def get(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """The cached answer for ``key`` on the current store file, computed when missing."""
        if self.size <= 0:
            return compute()
        full = (self._identity(), key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
            flight = self._computing.setdefault(full, threading.Lock())
        with flight:  # one computation per missing answer; the others wait for it
            with self._lock:
                if full in self._items:
                    return self._items[full]
            value = compute()
            with self._lock:
                self._items[full] = value
                self._computing.pop(full, None)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value
