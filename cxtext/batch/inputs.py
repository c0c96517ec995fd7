"""What a batch job reads: a file, the files of a folder, or a glob pattern, and each
file as a stream of canonical chunks.

A file is either an export read through a column mapping (:func:`cxtext.io.iter_ingest`:
validated, bad rows quarantined, the text left as it is for the chunk's worker to
prepare), or a canonical Parquet file written by ``cxtext ingest`` (read as it is, row
group by row group).
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from cxtext import schema
from cxtext.errors import ConfigError
from cxtext.io.ingest import IngestReport, iter_ingest
from cxtext.io.mapping import ColumnMapping
from cxtext.io.readers import FORMATS


def resolve_inputs(spec: str | Path) -> list[Path]:
    """The input files named by ``spec``, in a stable order.

    Parameters
    ----------
    spec
        A file; a folder (its files of a supported format, not its subfolders); or a
        glob pattern (``**`` reaches into subfolders).

    Raises
    ------
    ConfigError
        Nothing readable matches.
    """
    path = Path(spec).expanduser()
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and _readable(p))
        where = f"the folder {path}"
    else:
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        found = [p for p in found if p.is_file() and _readable(p)]
        where = f"the pattern {str(spec)!r}"
    if not found:
        raise ConfigError(
            f"no input file in {where}; expected files ending in " + ", ".join(sorted(FORMATS))
        )
    return found


def _readable(path: Path) -> bool:
    return path.suffix.lower() in FORMATS and not path.name.startswith(".")


def is_canonical(path: Path) -> bool:
    """Whether ``path`` is a canonical Parquet file (it has ``id`` and ``source``)."""
    if path.suffix.lower() not in (".parquet", ".pq"):
        return False
    names = set(pq.read_schema(path).names)
    return {schema.ID, schema.SOURCE}.issubset(names)


@dataclass
class FileChunks:
    """One input file as chunks; ``report`` counts its rows once the chunks are read.

    Attributes
    ----------
    canonical
        Rows come prepared (a canonical Parquet file), not as read from an export.
    empty
        A frame with no rows and the columns of a prepared chunk.
    """

    path: Path
    chunks: Iterator[pd.DataFrame]
    report: IngestReport
    canonical: bool
    empty: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        """The columns of a prepared chunk, in order."""
        return list(self.empty.columns)


def read_chunks(
    path: Path,
    mapping: ColumnMapping | None,
    *,
    chunk_rows: int,
    quarantine: Path | None,
) -> FileChunks:
    """Open ``path`` for a batch job: a canonical Parquet file when ``mapping`` is None,
    else an export read through ``mapping`` with its bad rows written to ``quarantine``.

    Every accepted row comes out in exactly one chunk, including rows of an empty text,
    so that read = accepted + quarantined holds per file.
    """
    if mapping is None:
        if not is_canonical(path):
            raise ConfigError(
                f"{path} is not a canonical Parquet file (no id and source columns); "
                "give a column mapping (--mapping FILE.toml) or quick flags (--text-col, ...)"
            )
        report = IngestReport(file=str(path))
        empty = pq.read_schema(path).empty_table().to_pandas()
        return FileChunks(path, _parquet_chunks(path, chunk_rows, report), report, True, empty)
    stream = iter_ingest(
        path,
        mapping,
        quarantine_path=quarantine,
        prepare_text=False,
        chunk_rows=chunk_rows,
    )
    return FileChunks(path, stream, stream.report, False, stream.empty_frame())


def _parquet_chunks(path: Path, chunk_rows: int, report: IngestReport) -> Iterator[pd.DataFrame]:
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
        frame = batch.to_pandas()
        report.read += len(frame)
        report.accepted += len(frame)
        yield frame


def count_rows(path: Path) -> int | None:
    """The number of data rows of a Parquet file, from its footer; None for other
    formats (counting them would read them twice)."""
    if path.suffix.lower() not in (".parquet", ".pq"):
        return None
    return int(pq.ParquetFile(path).metadata.num_rows)
