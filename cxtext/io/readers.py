"""Streaming readers: every supported file becomes chunks of all-string DataFrames.

Formats, chosen by extension (case-insensitive):

- ``.csv``, ``.tsv``: delimited text. The encoding is detected from the first
  :data:`SAMPLE_BYTES` bytes (:func:`detect_encoding`); the delimiter of ``.csv`` is
  sniffed among comma, semicolon, tab and pipe (:func:`sniff_delimiter`), ``.tsv`` is tab.
  A row with more fields than the header is a file-level error (pandas' C parser).
- ``.jsonl``, ``.ndjson``: one JSON object per line; top-level numbers keep their exact
  value (a 19-digit id stays exact, ``7.0`` stays ``"7.0"``), ``true``/``false`` become
  ``"true"``/``"false"``, ``null`` becomes ``""``, nested values become JSON text.
  Columns are the keys of the first chunk, in order of appearance; keys first seen later
  are ignored. Blank lines are skipped.
- ``.parquet``, ``.pq``: read batch by batch (``iter_batches``), every column cast to
  text (timestamps as ISO 8601, nested values as JSON text).
- ``.xlsx``, ``.xlsm``: first sheet (or ``sheet``), first row is the header, openpyxl
  read-only mode; fully empty rows are skipped; dates as ISO 8601.

Every chunk holds at most ``chunk_rows`` rows, one column per header name (names stripped
of surrounding spaces; a missing name becomes ``"Unnamed: <i>"``), dtype ``str``, no
missing values (empty cells are ``""``), and a fresh ``RangeIndex``. Row numbers used
elsewhere count data rows from 1, the header excluded and skipped blank lines not counted.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from charset_normalizer import from_bytes

from cxtext.errors import DataValidationError, UnsupportedFormatError

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
# Single-byte encodings charset-normalizer may choose among when a file is not UTF-8:
# Western (cp1252, the Excel default), Central European (Romanian) and Arabic.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "iso8859_16", "cp1256")

_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_ROWS = 50


class Table:
    """An opened input file: its column names, and its rows as a stream of chunks.

    Parameters
    ----------
    path
        The file.
    format
        ``"csv"``, ``"tsv"``, ``"jsonl"``, ``"parquet"`` or ``"xlsx"``.
    columns
        Header names, in file order.
    chunks
        Zero-argument callable returning a fresh iterator of chunks.
    """

    def __init__(
        self,
        path: Path,
        format: str,
        columns: list[str],
        chunks: Callable[[], Iterator[pd.DataFrame]],
    ) -> None:
        self.path = path
        self.format = format
        self.columns = columns
        self._chunks = chunks

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the rows as DataFrames of at most ``chunk_rows`` rows, all columns ``str``."""
        try:
            yield from self._chunks()
        except UnicodeError as exc:
            raise UnsupportedFormatError(
                f"cannot decode the file ({exc}); set the encoding explicitly",
                file=str(self.path),
            ) from exc
        except (pd.errors.ParserError, csv.Error, pa.ArrowException) as exc:
            raise UnsupportedFormatError(
                f"malformed {self.format}: {exc}", file=str(self.path)
            ) from exc


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """Guess the text encoding of a file from its first bytes.

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32). Otherwise a sample that
    decodes as UTF-8 is UTF-8. Otherwise charset-normalizer scores
    :data:`LEGACY_ENCODINGS` (on small samples the scores often tie): cp1252 wins when it
    is among the best-scored, else the best-scored encoding. Without any match the answer
    is cp1252, or latin-1 when cp1252 cannot decode the sample.

    Parameters
    ----------
    sample
        The first bytes of the file.
    complete
        Whether ``sample`` is the whole file (otherwise a multi-byte character cut at the
        end of the sample is not held against UTF-8).

    Returns
    -------
    str
        A Python codec name.
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS)))
    if matches:
        best = min((m.chaos, -m.coherence) for m in matches)
        tied = [m for m in matches if (m.chaos, -m.coherence) == best]
        if not any("cp1252" in m.could_be_from_charset for m in tied):
            return str(tied[0].encoding)
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_delimiter(text: str) -> str:
    """Choose the delimiter of a delimited-text sample among :data:`DELIMITERS`.

    Each candidate splits the first rows (quotes respected); the winner gives the most
    rows with the header's field count, then the most fields. A sample in which no
    candidate splits the header is read as one column (comma).

    Parameters
    ----------
    text
        Decoded start of the file, ending at a line break when possible.
    """
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = [row for row in itertools.islice(reader, _SNIFF_ROWS) if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(row) == width for row in rows) / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def open_table(
    path: str | Path,
    *,
    chunk_rows: int = 50_000,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open an input file for streaming; the header is read, no data rows yet.

    (For JSONL the first chunk is parsed to learn the columns.)

    Parameters
    ----------
    path
        Input file; the format follows the extension (see the module docstring).
    chunk_rows
        Maximum rows per chunk.
    encoding
        Text encoding of CSV/TSV/JSONL; detected when ``None``.
    delimiter
        Field delimiter of CSV/TSV; sniffed when ``None``.
    sheet
        Worksheet name of an XLSX file; the first sheet when ``None``.

    Raises
    ------
    UnsupportedFormatError
        Unknown extension, missing or unreadable file, undecodable text, no header.
    """
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise UnsupportedFormatError(
            f"unsupported file extension {suffix or '(none)'!r}; "
            f"expected one of {', '.join(sorted(_FORMATS))}",
            file=str(path),
        )
    fmt = _FORMATS[suffix]
    try:
        if fmt in ("csv", "tsv"):
            return _open_delimited(path, fmt, chunk_rows, encoding, delimiter)
        if fmt == "jsonl":
            return _open_jsonl(path, chunk_rows, encoding)
        if fmt == "parquet":
            return _open_parquet(path, chunk_rows)
        return _open_xlsx(path, chunk_rows, sheet)
    except UnsupportedFormatError:
        raise
    except OSError as exc:
        raise UnsupportedFormatError(f"cannot read the file: {exc}", file=str(path)) from exc
    except UnicodeError as exc:
        raise UnsupportedFormatError(
            f"cannot decode the file ({exc}); set the encoding explicitly", file=str(path)
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pa.ArrowException, ValueError) as exc:
        raise UnsupportedFormatError(f"cannot read as {fmt}: {exc}", file=str(path)) from exc


def _read_sample(path: Path) -> tuple[bytes, bool]:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES + 1)
    return sample[:SAMPLE_BYTES], len(sample) <= SAMPLE_BYTES


def _header_names(raw: list[Any]) -> list[str]:
    names = ["" if name is None else str(name).strip() for name in raw]
    names = [name or f"Unnamed: {i}" for i, name in enumerate(names)]
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            count = seen.get(name, 0)
            seen[name] = count + 1
            if count:
                names[i] = f"{name}.{count}"
    return names


def _as_str_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("str").fillna("").reset_index(drop=True)


def _open_delimited(
    path: Path, fmt: str, chunk_rows: int, encoding: str | None, delimiter: str | None
) -> Table:
    sample, complete = _read_sample(path)
    if not sample.strip():
        raise UnsupportedFormatError("the file is empty (no header row)", file=str(path))
    enc = encoding or detect_encoding(sample, complete=complete)
    if delimiter is None:
        if fmt == "tsv":
            delimiter = "\t"
        else:
            text = codecs.getincrementaldecoder(enc)(errors="replace").decode(
                sample, final=complete
            )
            if not complete and "\n" in text:
                text = text[: text.rindex("\n")]
            delimiter = sniff_delimiter(text)
    options: dict[str, Any] = {
        "sep": delimiter,
        "encoding": enc,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "index_col": False,
        "skip_blank_lines": True,
        "engine": "c",
    }
    header = pd.read_csv(path, nrows=0, **options)
    columns = _header_names(list(header.columns))

    def chunks() -> Iterator[pd.DataFrame]:
        with pd.read_csv(path, header=0, names=columns, chunksize=chunk_rows, **options) as reader:
            for chunk in reader:
                yield _as_str_frame(chunk)

    return Table(path, fmt, columns, chunks)


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=float)


def _open_jsonl(path: Path, chunk_rows: int, encoding: str | None) -> Table:
    sample, complete = _read_sample(path)
    enc = encoding or detect_encoding(sample, complete=complete)

    def records() -> Iterator[dict[str, str]]:
        with path.open(encoding=enc) as handle:
            row = 0
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                row += 1
                try:
                    obj = json.loads(line, parse_float=Decimal, parse_constant=str)
                except json.JSONDecodeError as exc:
                    raise DataValidationError(
                        f"invalid JSON on line {line_no}: {exc.msg}", file=str(path), row=row
                    ) from exc
                if not isinstance(obj, dict):
                    raise DataValidationError(
                        f"line {line_no} is not a JSON object", file=str(path), row=row
                    )
                yield {str(key): _json_text(value) for key, value in obj.items()}

    def batches() -> Iterator[list[dict[str, str]]]:
        batch: list[dict[str, str]] = []
        for record in records():
            batch.append(record)
            if len(batch) == chunk_rows:
                yield batch
                batch = []
        if batch:
            yield batch

    stream = batches()
    first = next(stream, [])
    columns = list(dict.fromkeys(key.strip() for record in first for key in record))
    if not columns:
        raise UnsupportedFormatError("no JSON objects with keys found", file=str(path))

    def frame(batch: list[dict[str, str]]) -> pd.DataFrame:
        rows = [{key.strip(): value for key, value in record.items()} for record in batch]
        return _as_str_frame(pd.DataFrame.from_records(rows, columns=columns))

    def chunks() -> Iterator[pd.DataFrame]:
        yield frame(first)
        for batch in stream:
            yield frame(batch)

    return Table(path, "jsonl", columns, chunks)


def _arrow_text(array: pa.ChunkedArray | pa.Array) -> pa.Array:
    try:
        text = pc.cast(array, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        text = pa.array(
            [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in array.to_pylist()
            ],
            pa.string(),
        )
    return pc.fill_null(text, "")


def _open_parquet(path: Path, chunk_rows: int) -> Table:
    parquet = pq.ParquetFile(path)
    names = list(parquet.schema_arrow.names)
    columns = _header_names(names)

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                texts = [_arrow_text(batch.column(i)) for i in range(len(columns))]
                yield _as_str_frame(pa.Table.from_arrays(texts, names=columns).to_pandas())
        finally:
            parquet.close()

    return Table(path, "parquet", columns, chunks)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open_xlsx(path: Path, chunk_rows: int, sheet: str | None) -> Table:
    import openpyxl  # deferred: importing it takes 0.3 s and only XLSX input needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise UnsupportedFormatError(f"cannot open as xlsx: {exc}", file=str(path)) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise UnsupportedFormatError(
                f"no worksheet {sheet!r}; sheets: {', '.join(workbook.sheetnames)}", file=str(path)
            )
        header_row = next(
            (workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(values_only=True), None
        )
    finally:
        workbook.close()
    if header_row is None:
        raise UnsupportedFormatError("the worksheet is empty (no header row)", file=str(path))
    columns = _header_names(list(header_row))
    width = len(columns)

    def chunks() -> Iterator[pd.DataFrame]:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
            next(rows)
            batch: list[list[str]] = []
            for values in rows:
                cells = [_cell_text(v) for v in values[:width]]
                if not any(cells):
                    continue
                batch.append(cells + [""] * (width - len(cells)))
                if len(batch) == chunk_rows:
                    yield pd.DataFrame(batch, columns=columns, dtype="str")
                    batch = []
            if batch:
                yield pd.DataFrame(batch, columns=columns, dtype="str")
        finally:
            book.close()

    return Table(path, "xlsx", columns, chunks)
