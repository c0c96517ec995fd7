"""Answers of read endpoints, cached per process until the store file changes.

The store changes only by replacing its file (:mod:`cxtext.store.store`), so the file's
version, its (inode, mtime, size), identifies its content. An answer is kept as its JSON
bytes under the version its cursor read (:meth:`cxtext.store.Reader.snapshot`) and the
request's path and query, least recently used first out; concurrent requests for the same
missing answer compute it once. Each answer carries an ``ETag`` (a hash of its bytes), so
a client that sends it back in ``If-None-Match`` gets ``304 Not Modified`` while the
answer is unchanged, whichever worker serves it. ``size = 0`` turns the cache off; the
``ETag`` stays.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import NamedTuple

Version = tuple[int, int, int]


class Answer(NamedTuple):
    """A rendered answer and its entity tag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Answer:
        """``body`` with a strong entity tag derived from its bytes."""
        return cls(body, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"')


class ResponseCache:
    """A thread-safe LRU of computed answers keyed by the store file's version."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Version, Hashable], Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple[Version, Hashable], threading.Lock] = {}

    def get(self, key: Hashable, version: Version, compute: Callable[[], bytes]) -> Answer:
        """The answer for ``key`` on the store ``version``, computed when missing;
        ``compute`` must read that version."""
        if self.size <= 0:
            return Answer.of(compute())
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
                answer = Answer.of(compute())
                with self._lock:
                    self._items[full] = answer
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
        finally:
            with self._lock:
                self._computing.pop(full, None)
        return answer

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
