"""A batch tagging job: stream the inputs in chunks, tag each chunk on an engine, and
put the parts together into one Parquet file, resumably.

The job works in a folder beside the output (``OUT.run/``): one Parquet part per chunk
and ``manifest.json``, rewritten atomically after every finished chunk. A job started
again with the same arguments after a kill (same input files, sizes and times, mapping,
chunk size, models and languages) reads the inputs again, which is cheap, and skips the
chunks the manifest lists; other arguments start the work over. The output appears in
one rename once every chunk is done, and the folder is removed; its rows are those of an
uninterrupted run, in input order. Bad rows go to the quarantine file of their input (a
folder of them for several inputs), written anew by every run, so that always
read = tagged + quarantined.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cxtext.batch.chunks import ChunkDone, TagSpec, tag_chunk
from cxtext.batch.engines import Engine, Task
from cxtext.batch.inputs import FileChunks, read_chunks, resolve_inputs
from cxtext.io.mapping import ColumnMapping
from cxtext.persistence import replacing, resolve_bundle

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass
class JobSummary:
    """What a job did; ``to_dict()`` is the CLI's ``--json`` output."""

    inputs: list[str]
    out: str
    engine: str
    read: int = 0
    accepted: int = 0
    tagged: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    quarantine_files: list[str] = field(default_factory=list)
    chunks: int = 0
    resumed_chunks: int = 0
    unassigned: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        rows_per_s = self.tagged / self.seconds if self.seconds else 0.0
        share = self.unassigned / self.tagged if self.tagged else 0.0
        return asdict(self) | {
            "rows_per_s": round(rows_per_s, 1),
            "unassigned_share": round(share, 4),
        }


def work_folder(out: Path) -> Path:
    """Where a job writing ``out`` keeps its parts and manifest."""
    return out.with_name(out.name + ".run")


def fingerprint(
    files: list[Path], mapping: ColumnMapping | None, spec: TagSpec, chunk_rows: int
) -> str:
    """What decides a job's chunks and their tags; a resumed job must match it."""
    bundle = resolve_bundle(spec.model)
    facts = {
        "files": [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in files],
        "mapping": repr(mapping),
        "chunk_rows": chunk_rows,
        "model": str(bundle.resolve()),
        "sentiment": str(spec.sentiment.resolve()) if spec.sentiment else None,
        "languages": list(spec.languages),
        "runtime": spec.runtime,
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


class Manifest:
    """The finished chunks of a job, kept in ``folder/manifest.json``."""

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.key = key
        self.done: dict[int, ChunkDone] = {}
        path = folder / MANIFEST
        if path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("version") == MANIFEST_VERSION and saved.get("fingerprint") == key:
                self.done = {c["index"]: ChunkDone(**c) for c in saved["chunks"]}
        if not self.done:  # a new job, or one with other arguments: start over
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def record(self, chunk: ChunkDone) -> None:
        self.done[chunk.index] = chunk
        data = {
            "version": MANIFEST_VERSION,
            "fingerprint": self.key,
            "chunks": [asdict(c) for _, c in sorted(self.done.items())],
        }
        with replacing(self.folder / MANIFEST) as partial:
            partial.write_text(json.dumps(data, indent=1), encoding="utf-8")


def run_tag_job(
    inputs: str | Path | list[Path],
    mapping: ColumnMapping | None,
    out: Path,
    spec: TagSpec,
    engine: Engine,
    *,
    quarantine: Path | None = None,
    chunk_rows: int = 5_000,
    on_progress: Callable[[int, int], None] | None = None,
) -> JobSummary:
    """Tag every row of ``inputs`` into the Parquet file ``out``.

    Parameters
    ----------
    inputs
        A file, folder or glob pattern (:func:`cxtext.batch.inputs.resolve_inputs`), or
        the files it resolved to.
    mapping
        The exports' column mapping; None when the inputs are canonical Parquet files.
    spec
        The models and settings every chunk is tagged with.
    engine
        Where chunks run (:mod:`cxtext.batch.engines`).
    quarantine
        The quarantine CSV (one input) or folder (several); default ``OUT.quarantine.csv``
        or ``OUT.quarantine/``.
    chunk_rows
        Rows read per chunk: memory per task, and the unit of resumption.
    on_progress
        Called with (rows read, rows tagged) as the job goes.
    """
    started = time.perf_counter()
    files = inputs if isinstance(inputs, list) else resolve_inputs(inputs)
    resolve_bundle(spec.model)  # a missing bundle fails here, before any work
    folder = work_folder(out)
    manifest = Manifest(folder, fingerprint(files, mapping, spec, chunk_rows))
    summary = JobSummary(inputs=[str(p) for p in files], out=str(out), engine=engine.name)
    summary.resumed_chunks = len(manifest.done)
    places = _quarantine_places(files, out, quarantine)
    # Every file is opened now, so a missing column or an unreadable file stops the job
    # before any work; rows are read as the engine asks for chunks.
    streams = [
        read_chunks(path, mapping, chunk_rows=chunk_rows, quarantine=place)
        for path, place in zip(files, places, strict=True)
    ]

    def tasks() -> Iterator[Task]:
        index = 0
        for stream in streams:
            columns = None if stream.canonical else stream.columns
            for chunk in stream.chunks:
                if index not in manifest.done:
                    part = folder / f"part-{index:06d}.parquet"
                    options = {"prepare": not stream.canonical, "columns": columns}
                    yield tag_chunk, (spec, chunk, index, part), options
                index += 1
                if on_progress is not None:
                    on_progress(_read(streams), _tagged(manifest))
        if index == 0:  # nothing accepted: the output still has the tagged columns
            empty = streams[0].empty
            yield tag_chunk, (spec, empty, 0, folder / "part-000000.parquet"), {"prepare": False}
            index = 1
        summary.chunks = index

    for done in engine.run(tasks()):
        manifest.record(done)
        if on_progress is not None:
            on_progress(_read(streams), _tagged(manifest))
    for stream in streams:
        _add_report(summary, stream)
    summary.tagged = _tagged(manifest)
    summary.unassigned = sum(c.unassigned for c in manifest.done.values())
    if summary.read != summary.tagged + summary.quarantined:
        raise AssertionError(
            f"row accounting broken: read {summary.read} != tagged {summary.tagged} + "
            f"quarantined {summary.quarantined}"
        )
    _merge_parts(folder, [manifest.done[i].part for i in range(summary.chunks)], out)
    shutil.rmtree(folder, ignore_errors=True)
    summary.seconds = round(time.perf_counter() - started, 1)
    return summary


def _read(streams: list[FileChunks]) -> int:
    return sum(s.report.read for s in streams)


def _tagged(manifest: Manifest) -> int:
    return sum(c.rows for c in manifest.done.values())


def _quarantine_places(files: list[Path], out: Path, given: Path | None) -> list[Path]:
    if len(files) == 1:
        return [given or out.with_suffix(".quarantine.csv")]
    folder = given or out.with_suffix(".quarantine")
    return [folder / f"{i:04d}-{p.stem}.quarantine.csv" for i, p in enumerate(files)]


def _add_report(summary: JobSummary, stream: FileChunks) -> None:
    report = stream.report
    summary.read += report.read
    summary.accepted += report.accepted
    summary.quarantined += report.quarantined
    for reason, n in report.reasons.items():
        summary.reasons[reason] = summary.reasons.get(reason, 0) + n
    if report.quarantine_file:
        summary.quarantine_files.append(report.quarantine_file)


def _merge_parts(folder: Path, parts: list[str], out: Path) -> None:
    """Write the parts, in order, as one Parquet file ``out`` in one rename. Columns
    whose type a part could not tell (all empty lists, all missing) take the type the
    other parts give them."""
    paths = [folder / name for name in parts]
    schemas = [pq.read_schema(p) for p in paths]
    if not schemas:
        raise AssertionError("a job with no chunk has nothing to write")
    merged = pa.unify_schemas(schemas, promote_options="permissive")
    with replacing(out) as partial, pq.ParquetWriter(partial, merged) as writer:
        for path in paths:
            table = pq.read_table(path)
            writer.write_table(table.select(merged.names).cast(merged))
