"""Ingestion: file + column mapping -> canonical frame, chunk by chunk.

Per chunk: read (:mod:`cxtext.io.readers`), validate (:mod:`cxtext.io.validate`), write
the rejected rows to the quarantine file (:mod:`cxtext.io.quarantine`), then prepare the
accepted rows' texts (:mod:`cxtext.io.prepare`: clean, redact PII, flag empty texts with
``text_flag = "empty"`` while the row stays for the metrics, identify the language).

Entry points:

- :func:`iter_ingest` streams canonical chunks; its ``report`` fills as it goes.
- :func:`ingest_file` returns the whole frame and the report.
- :func:`write_ingest` streams into one Parquet file (same schema for every chunk; written
  to ``<out>.partial`` and renamed into place at the end, removed on failure, reused when a
  killed run left it).

Every chunk has the columns and dtypes of :meth:`ColumnMapping.output_dtypes`. The report
always satisfies ``read == accepted + quarantined``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cxtext.errors import DataValidationError
from cxtext.io.mapping import ColumnMapping
from cxtext.io.prepare import PrepareCounts, prepare_texts
from cxtext.io.quarantine import QuarantineWriter
from cxtext.io.readers import ROW_INFO, Table, open_table
from cxtext.io.validate import ChunkValidator
from cxtext.persistence import replacing
from cxtext.schema import DEFAULT_LANGUAGES, TEXT, TEXT_FLAG, TextFlag
from cxtext.text.langid import language_set

_ARROW_TYPES = {
    "string": pa.string(),
    "Int64": pa.int64(),
    "datetime64[ns, UTC]": pa.timestamp("ns", tz="UTC"),
}


@dataclass
class IngestReport:
    """What an ingest did; ``to_dict()`` is the CLI's ``--json`` output.

    Attributes
    ----------
    file
        The input file.
    lines
        Physical lines of a text file read into those rows, header and blank lines
        included (``None`` for Parquet and XLSX).
    read, accepted, quarantined
        Data rows read, kept and rejected; ``read == accepted + quarantined``.
    reasons
        Reason key (``"nps_score:out_of_range"``...) -> rows with that problem; a rejected
        row with two problems counts under both.
    empty_text
        Accepted rows whose text is empty after cleaning (``text_flag == "empty"``).
    nul_removed
        Cells from which NUL characters were removed (they are never kept).
    pii
        PII kind -> replacements (empty when redaction is off).
    languages
        Language code (or ``"und"``) -> accepted rows (empty when language id is off).
    seconds
        Wall time so far.
    quarantine_file
        Path of the quarantine file, when one was written.
    """

    file: str
    lines: int | None = None
    read: int = 0
    accepted: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    empty_text: int = 0
    nul_removed: int = 0
    pii: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    quarantine_file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: ``{"read", "accepted", "quarantined", "reasons", ...}``.

        ``reasons`` and ``languages`` are ordered by count, largest first.
        """
        out = asdict(self)
        for key in ("reasons", "languages"):
            out[key] = dict(sorted(out[key].items(), key=lambda item: (-item[1], item[0])))
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass(frozen=True)
class IngestResult:
    """A whole ingested file: the canonical ``frame`` and its ``report``."""

    frame: pd.DataFrame
    report: IngestReport


class IngestStream(Iterator[pd.DataFrame]):
    """Iterator of canonical chunks; see :func:`iter_ingest`.

    Attributes
    ----------
    report
        Filled as chunks are produced; final once the iterator is exhausted.
    dtypes
        Column -> dtype of every chunk.
    """

    def __init__(
        self,
        table: Table,
        mapping: ColumnMapping,
        *,
        quarantine_path: str | Path | None,
        strict: bool,
        redact_pii: bool,
        detect_language: bool,
        prepare_text: bool,
        languages: Sequence[str],
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.report = IngestReport(file=str(table.path))
        self.dtypes = mapping.output_dtypes(with_language=detect_language)
        self._table = table
        self._mapping = mapping
        self._strict = strict
        self._redact_pii = redact_pii
        self._detect_language = detect_language
        self._prepare_text = prepare_text
        self._languages = language_set(languages) if detect_language else ()
        self._on_progress = on_progress
        self._quarantine = QuarantineWriter(quarantine_path) if quarantine_path else None
        self._chunks = self._run()

    def __next__(self) -> pd.DataFrame:
        return next(self._chunks)

    def empty_frame(self) -> pd.DataFrame:
        """A frame with no rows and the columns/dtypes of every chunk."""
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in self.dtypes.items()})

    def _run(self) -> Iterator[pd.DataFrame]:
        start = time.perf_counter()
        report = self.report
        validator = ChunkValidator(self._mapping)
        reasons: Counter[str] = Counter()
        prepared = PrepareCounts()
        try:
            for raw in self._table.iter_chunks():
                report.nul_removed += _remove_nul(raw)
                checked = validator.validate(raw, first_row=report.read + 1)
                if self._strict and checked.first_error is not None:
                    row, column, message = checked.first_error
                    raise DataValidationError(message, file=report.file, row=row, column=column)
                if self._quarantine is not None and checked.bad.any():
                    rows = np.flatnonzero(checked.bad) + report.read + 1
                    self._quarantine.write(
                        raw[checked.bad],
                        rows,
                        checked.reasons,
                        lines=_row_info(raw, "lines", checked.bad),
                        records=_row_info(raw, "raw", checked.bad),
                    )
                    report.quarantine_file = str(self._quarantine.path)
                frame = checked.frame
                if TEXT in frame.columns and self._prepare_text:
                    frame = self._process_text(frame, prepared)
                    report.empty_text += int((frame[TEXT_FLAG] == TextFlag.EMPTY.value).sum())
                if len(raw) != len(frame) + int(checked.bad.sum()):
                    raise AssertionError("row accounting broken: read != accepted + quarantined")
                reasons.update(checked.counts)
                report.read += len(raw)
                report.lines = self._table.lines
                report.quarantined += int(checked.bad.sum())
                report.accepted += len(frame)
                report.reasons = dict(reasons)
                report.pii = dict(prepared.pii)
                report.languages = dict(prepared.languages)
                report.seconds = time.perf_counter() - start
                if self._on_progress is not None:
                    self._on_progress(report.read)
                if len(frame):
                    yield frame
        finally:
            if self._quarantine is not None:
                self._quarantine.close()

    def _process_text(self, frame: pd.DataFrame, counts: PrepareCounts) -> pd.DataFrame:
        languages = self._languages if self._detect_language else None
        prepared = prepare_texts(
            frame, redact_pii=self._redact_pii, languages=languages, counts=counts
        )
        return prepared[list(self.dtypes)]


def _remove_nul(raw: pd.DataFrame) -> int:
    """Remove NUL characters from every cell of ``raw`` in place; return the cells changed."""
    changed = 0
    for column in raw.columns:
        has = raw[column].str.contains("\x00", regex=False).to_numpy(dtype=bool)
        if has.any():
            raw[column] = raw[column].str.replace("\x00", "", regex=False)
            changed += int(has.sum())
    return changed


def _row_info(raw: pd.DataFrame, field: str, rows: np.ndarray) -> np.ndarray | None:
    info = raw.attrs.get(ROW_INFO)
    return None if info is None else np.asarray(getattr(info, field), dtype=object)[rows]


def iter_ingest(
    path: str | Path,
    mapping: ColumnMapping,
    *,
    quarantine_path: str | Path | None = None,
    strict: bool = False,
    redact_pii: bool = True,
    detect_language: bool = True,
    prepare_text: bool = True,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    chunk_rows: int = 50_000,
    on_progress: Callable[[int], None] | None = None,
) -> IngestStream:
    """Stream a file as canonical chunks.

    The file is opened and its header checked against the mapping now; rows are read as
    the stream is consumed. ``stream.report`` is final once the stream is exhausted.

    Parameters
    ----------
    path
        Input file (CSV/TSV/JSONL/Parquet/XLSX).
    mapping
        Column mapping of the export.
    quarantine_path
        CSV for rejected rows (written only when there are some; a file already there is
        deleted now). ``None``: rejected rows are only counted.
    strict
        Raise on the first bad row instead of quarantining.
    redact_pii
        Replace e-mails, IBANs, cards and phone numbers in ``text`` by placeholders.
    detect_language
        Add the ``language`` column.
    prepare_text
        Prepare the texts (:func:`cxtext.io.prepare.prepare_texts`: clean, redact, flag,
        language). ``False`` leaves them as read for a later step (batch tagging prepares
        them on its workers); ``dtypes`` still names the columns a prepared chunk has.
    languages
        ISO 639-1 codes language id may answer.
    chunk_rows
        Rows read per chunk (memory bound).
    on_progress
        Called after each chunk with the number of rows read so far.

    Returns
    -------
    IngestStream
        Iterator of DataFrames (only non-empty ones), with ``report`` and ``dtypes``.

    Raises
    ------
    UnsupportedFormatError
        The file cannot be read.
    ConfigError
        ``languages`` holds an unknown code or fewer than two codes.
    DataValidationError
        The file lacks mapped columns or repeats the name of one (now), or ``strict`` and
        a row is bad (while streaming; the message names file, row and column, or line).
    """
    table = open_table(
        path,
        chunk_rows=chunk_rows,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        sheet=mapping.sheet,
    )
    mapping.check_columns(table.columns, file=str(table.path))
    repeated = [name for name in mapping.input_columns() if name in table.duplicates]
    if repeated:
        raise DataValidationError(
            "the header names the mapped column(s) "
            + ", ".join(repr(name) for name in repeated)
            + " more than once; rename the repeats so the right one is used",
            file=str(table.path),
            column=", ".join(repeated),
        )
    return IngestStream(
        table,
        mapping,
        quarantine_path=quarantine_path,
        strict=strict,
        redact_pii=redact_pii,
        detect_language=detect_language,
        prepare_text=prepare_text,
        languages=languages,
        on_progress=on_progress,
    )


def ingest_file(path: str | Path, mapping: ColumnMapping, **options: Any) -> IngestResult:
    """Ingest a whole file into memory.

    Parameters
    ----------
    path, mapping, **options
        As for :func:`iter_ingest`.

    Returns
    -------
    IngestResult
        ``frame`` of shape (accepted, n_columns) with a fresh ``RangeIndex``, and the report.
    """
    stream = iter_ingest(path, mapping, **options)
    chunks = list(stream)
    frame = pd.concat(chunks, ignore_index=True) if chunks else stream.empty_frame()
    return IngestResult(frame.astype(stream.dtypes), stream.report)


def arrow_schema(dtypes: dict[str, str]) -> pa.Schema:
    """Arrow schema of canonical chunks with the given column dtypes."""
    return pa.schema([pa.field(name, _ARROW_TYPES[dtype]) for name, dtype in dtypes.items()])


def write_ingest(
    path: str | Path, mapping: ColumnMapping, out_path: str | Path, **options: Any
) -> IngestReport:
    """Ingest a file straight into a Parquet file, chunk by chunk.

    Parameters
    ----------
    path, mapping, **options
        As for :func:`iter_ingest`.
    out_path
        Parquet file to write (replaced if it exists; untouched if the ingest fails). It is
        written as ``<out>.partial`` and renamed into place; a partial file left by a
        killed run is reused, one being written by a live run waits its turn.

    Returns
    -------
    IngestReport
        The final report.
    """
    stream = iter_ingest(path, mapping, **options)
    schema = arrow_schema(stream.dtypes)
    with replacing(Path(out_path)) as partial, pq.ParquetWriter(partial, schema) as writer:
        for chunk in stream:
            writer.write_table(pa.Table.from_pandas(chunk, schema=schema, preserve_index=False))
    return stream.report
