"""Answers of read endpoints, cached until the store file changes.

The store changes only by replacing its file (:mod:`cxtext.store.store`), so the file's
version, its (inode, mtime, size), identifies its content. An answer is cached under the
version its cursor read (:meth:`cxtext.store.Reader.snapshot`) and the request's
parameters, and stays right until the next write. Answers are kept as their JSON bytes in
two tiers:

- per process, least recently used first out; concurrent requests for the same missing
  answer compute it once;
- optionally in a folder shared by the server's worker processes (``folder``; ``cxtext
  serve`` makes one per run when it starts several workers): one file per answer under a
  subfolder named by the store and its version, written atomically, and only while that
  version is still the live one. A worker then reuses what another computed, so N workers
  compute an answer once, not N times. The first answer written for a new version removes
  the subfolders of the other versions.

``size = 0`` turns both off; the folder holds at most ``size`` answers per version.

Warming: the cache remembers how to recompute its most recently asked answers
(:meth:`ResponseCache.remember`), and :meth:`ResponseCache.warm`, called by a background
thread of each worker, recomputes them once the store file changed, so the first request
after a write finds its answer ready instead of paying for it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

Version = tuple[int, int, int]
_TMP = ".tmp-"


class ResponseCache:
    """A thread-safe LRU of computed answers keyed by the store file's version, with an
    optional folder shared across processes."""

    def __init__(self, store: Path, size: int, folder: Path | None = None) -> None:
        self.store = store
        self.size = size
        self.folder = folder
        self._store_tag = hashlib.sha256(str(store.resolve()).encode()).hexdigest()[:16]
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._recipes: OrderedDict[Hashable, Callable[[Any], bytes]] = OrderedDict()
        self._warmed: Version | None = None

    def _live(self) -> Version:
        stat = os.stat(self.store)
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def get(
        self, key: Hashable, compute: Callable[[], bytes], *, version: Version | None = None
    ) -> bytes:
        """The cached answer for ``key`` on the store ``version`` (default: the live file's),
        computed when missing; ``compute`` must read that version."""
        if self.size <= 0:
            return compute()
        version = version or self._live()
        full = (version, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
            flight = self._computing.setdefault(full, threading.Lock())
        try:
            with flight:  # one computation per missing answer; the others wait for it
                with self._lock:
                    if full in self._items:
                        return self._items[full]
                value = self._read_shared(version, key)
                if value is None:
                    value = compute()
                    self._write_shared(version, key, value)
                with self._lock:
                    self._items[full] = value
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
        finally:
            with self._lock:
                self._computing.pop(full, None)
        return value

    def has(self, key: Hashable) -> bool:
        """Whether this process holds the answer for ``key`` on the live store file."""
        with self._lock:
            return (self._live(), key) in self._items

    def remember(self, key: Hashable, recipe: Callable[[Any], bytes], *, keep: int) -> None:
        """Keep ``recipe`` (the answer from a store cursor) for the ``keep`` most recently
        asked keys, for :meth:`warm`."""
        if self.size <= 0 or keep <= 0:
            return
        with self._lock:
            self._recipes[key] = recipe
            self._recipes.move_to_end(key)
            while len(self._recipes) > keep:
                self._recipes.popitem(last=False)

    def warm(self, snapshot: Callable[[], tuple[Any, Version]]) -> int:
        """Recompute the remembered answers if the store changed since the last call.

        Parameters
        ----------
        snapshot
            A new store cursor and the version it reads (:meth:`Reader.snapshot`).

        Returns
        -------
        int
            How many answers were missing here (computed, or read from the folder). A
            recipe that fails (its request would fail the same way) is skipped.
        """
        if self.size <= 0:
            return 0
        cursor, version = snapshot()
        try:
            if version == self._warmed:
                return 0
            with self._lock:
                recipes = list(reversed(self._recipes.items()))  # most recently asked first
                missing = [(k, r) for k, r in recipes if (version, k) not in self._items]
            done = 0
            for key, recipe in missing:
                try:
                    self.get(key, functools.partial(recipe, cursor), version=version)
                except Exception:  # the same error answers the request when it is asked
                    continue
                done += 1
            self._warmed = version
            return done
        finally:
            cursor.close()

    def _shared_path(self, version: Version, key: Hashable) -> Path | None:
        if self.folder is None:
            return None
        name = hashlib.sha256(repr(key).encode()).hexdigest()
        return self.folder / self._store_tag / "-".join(map(str, version)) / name

    def _read_shared(self, version: Version, key: Hashable) -> bytes | None:
        path = self._shared_path(version, key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _write_shared(self, version: Version, key: Hashable, value: bytes) -> None:
        """Store the answer for the other workers while its version is the live one; a
        failure only costs them a recompute."""
        path = self._shared_path(version, key)
        if path is None:
            return
        folder = path.parent
        tmp: str | None = None
        try:
            if version != self._live():
                return  # a write replaced the version this answer was read from
            if not folder.exists():
                folder.mkdir(parents=True, exist_ok=True)
                for other in folder.parent.iterdir():  # answers of replaced store files
                    if other != folder:
                        shutil.rmtree(other, ignore_errors=True)
            elif sum(not p.name.startswith(_TMP) for p in folder.iterdir()) >= self.size:
                return
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=_TMP)
            with os.fdopen(fd, "wb") as out:
                out.write(value)
            os.replace(tmp, path)
            tmp = None
        except OSError:
            return
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
