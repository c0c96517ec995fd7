"""Where a batch job's chunks run: in this process, or on a Dask cluster.

An engine takes a stream of chunk tasks and yields their results as they finish, with at
most a few tasks in flight, so memory stays bounded whatever the input's size. Both run
the same function, :func:`cxtext.batch.chunks.tag_chunk`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from cxtext.errors import ConfigError

Task = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class Engine(Protocol):
    """Runs tasks and yields their results in any order."""

    name: str

    def run(self, tasks: Iterable[Task]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class LocalEngine:
    """Every task in this process, one after another."""

    name = "local"

    def run(self, tasks: Iterable[Task]) -> Iterator[Any]:
        for function, args, kwargs in tasks:
            yield function(*args, **kwargs)

    def close(self) -> None:
        return None


class DaskEngine:
    """Tasks on a Dask cluster: the one at ``scheduler`` (``tcp://HOST:PORT``), or a
    ``LocalCluster`` of ``workers`` single-threaded processes when none is given.

    Raises
    ------
    ConfigError
        Dask is not installed, or the scheduler cannot be reached within ``timeout``.
    """

    name = "dask"

    def __init__(
        self, scheduler: str | None = None, *, workers: int = 2, timeout: float = 30
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ConfigError(
                "the dask engine needs the dask extra: pip install 'cxtext[dask]'"
            ) from exc
        self._cluster = None
        try:
            if scheduler is None:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self._cluster, timeout=timeout)
            else:
                self.client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = scheduler or "a local cluster"
            raise ConfigError(f"cannot reach the Dask scheduler at {where}: {exc}") from exc
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def run(self, tasks: Iterable[Task]) -> Iterator[Any]:
        from distributed import as_completed

        pending = iter(tasks)
        limit = 2 * self.workers  # two chunks per worker in flight: one running, one queued
        running = as_completed()
        for _ in range(limit):
            task = next(pending, None)
            if task is None:
                break
            running.add(self._submit(task))
        for future in running:
            result = future.result()  # a task's error stops the job here, as in-process
            future.release()
            task = next(pending, None)
            if task is not None:
                running.add(self._submit(task))
            yield result

    def _submit(self, task: Task) -> Any:
        function, args, kwargs = task
        return self.client.submit(function, *args, pure=False, **kwargs)

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str, scheduler: str | None = None, *, workers: int = 2) -> Engine:
    """The engine called ``name`` ("local" or "dask")."""
    if name == "local":
        if scheduler is not None:
            raise ConfigError("--scheduler is for the dask engine (--engine dask)")
        return LocalEngine()
    if name == "dask":
        return DaskEngine(scheduler, workers=workers)
    raise ConfigError(f"unknown engine {name!r}; expected local or dask")
