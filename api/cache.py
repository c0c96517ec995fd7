"""Answers of read endpoints, cached until the store file changes.

The store changes only by replacing its file (:mod:`cxtext.store.store`), so the file's
(inode, mtime, size) identifies its content: an answer cached under that identity and the
request's parameters stays right until the next write. Answers are kept as their JSON
bytes in two tiers:

- per process, least recently used first out; concurrent requests for the same missing
  answer compute it once;
- optionally in a folder shared by the server's worker processes (``folder``): one file
  per answer under a subfolder named by the store and its identity, written atomically.
  A worker then reuses what another computed, so N workers compute an answer once, not N
  times. When the store changes, the first answer written for the new identity removes
  the older identities' subfolders.

``size = 0`` turns both off; the folder holds at most ``size`` answers per identity.

Warming: the cache remembers how to recompute its most recently asked answers
(:meth:`ResponseCache.remember`), and :meth:`ResponseCache.warm`, called by a background
thread of each worker, recomputes them once the store file changed, so the first request
after a write finds its answer ready instead of paying for it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path


class ResponseCache:
    """A thread-safe LRU of computed answers keyed by the store file's identity, with an
    optional folder shared across processes."""

    def __init__(self, store: Path, size: int, folder: Path | None = None) -> None:
        self.store = store
        self.size = size
        self.folder = folder
        self._store_tag = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._recipes: OrderedDict[Hashable, Callable[[], bytes]] = OrderedDict()
        self._warmed: tuple[int, int, int] | None = None

    def _identity(self) -> tuple[int, int, int]:
        stat = os.stat(self.store)
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def get(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        """The cached answer for ``key`` on the current store file, computed when missing."""
        if self.size <= 0:
            return compute()
        identity = self._identity()
        full = (identity, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
            flight = self._computing.setdefault(full, threading.Lock())
        with flight:  # one computation per missing answer; the others wait for it
            with self._lock:
                if full in self._items:
                    return self._items[full]
            value = self._read_shared(identity, key)
            if value is None:
                value = compute()
                self._write_shared(identity, key, value)
            with self._lock:
                self._items[full] = value
                self._computing.pop(full, None)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value

    def has(self, key: Hashable) -> bool:
        """Whether this process holds the answer for ``key`` on the current store file."""
        with self._lock:
            return (self._identity(), key) in self._items

    def remember(self, key: Hashable, recompute: Callable[[], bytes], *, keep: int) -> None:
        """Keep ``recompute`` (which opens its own cursor) for the ``keep`` most recently
        asked keys, for :meth:`warm`."""
        if self.size <= 0 or keep <= 0:
            return
        with self._lock:
            self._recipes[key] = recompute
            self._recipes.move_to_end(key)
            while len(self._recipes) > keep:
                self._recipes.popitem(last=False)

    def warm(self) -> int:
        """Recompute the remembered answers if the store file changed since the last call.

        Returns how many answers were computed here (not found in memory or the folder). A
        recipe that fails (its request would fail too) is skipped.
        """
        if self.size <= 0:
            return 0
        identity = self._identity()
        if identity == self._warmed:
            return 0
        with self._lock:
            recipes = list(reversed(self._recipes.items()))  # most recently asked first
        computed = 0
        for key, recompute in recipes:
            if self.has(key):
                continue
            try:
                before = self._read_shared(identity, key)
                self.get(key, recompute)
            except Exception:  # the same error answers the request when it is asked
                continue
            computed += before is None
        self._warmed = identity
        return computed

    def _shared_path(self, identity: tuple[int, int, int], key: Hashable) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha256(repr(key).encode()).hexdigest()
        return self.folder / self._store_tag / "-".join(map(str, identity)) / name

    def _read_shared(self, identity: tuple[int, int, int], key: Hashable) -> bytes | None:
        path = self._shared_path(identity, key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _write_shared(self, identity: tuple[int, int, int], key: Hashable, value: bytes) -> None:
        """Store the answer for the other workers; a failure only costs them a recompute."""
        path = self._shared_path(identity, key)
        if path is None:
            return
        folder = path.parent
        try:
            if not folder.exists():
                folder.mkdir(parents=True, exist_ok=True)
                for old in folder.parent.iterdir():  # answers of replaced store files
                    if old != folder:
                        shutil.rmtree(old, ignore_errors=True)
            elif sum(1 for _ in folder.iterdir()) >= self.size:
                return
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(value)
            os.replace(tmp, path)
        except OSError:
            return
