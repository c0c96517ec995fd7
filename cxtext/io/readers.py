"""Streaming readers: every supported file becomes chunks of all-string DataFrames.

Formats, chosen by extension (case-insensitive):

- ``.csv``, ``.tsv``: delimited text (:mod:`cxtext.io.delimited`). The encoding is
  detected over the whole file; the delimiter of ``.csv`` is sniffed among comma,
  semicolon, tab and pipe, ``.tsv`` is tab. Records are split so that no value moves
  between rows: a record with an unbalanced quote or too many fields is damaged.
- ``.jsonl``, ``.ndjson``: one JSON object per line; top-level numbers keep their exact
  value (a 19-digit id stays exact, ``7.0`` stays ``"7.0"``), ``true``/``false`` become
  ``"true"``/``"false"``, ``null`` becomes ``""``, nested values become JSON text.
  Columns are the keys of the first chunk, in order of appearance; keys first seen later
  are ignored. Blank lines are skipped; a line that is not a JSON object is damaged
  (``invalid_json``, ``not_an_object``).
- ``.parquet``, ``.pq``: read batch by batch (``iter_batches``), every column cast to
  text (timestamps as ISO 8601, nested values as JSON text).
- ``.xlsx``, ``.xlsm``: first sheet (or ``sheet``), first row is the header, openpyxl
  read-only mode; fully empty rows are skipped; dates as ISO 8601.

Every chunk holds at most ``chunk_rows`` rows, one column per header name (names stripped
of surrounding spaces; a missing name becomes ``"Unnamed: <i>"``, a repeated one gets a
``.1``, ``.2`` suffix and is listed in :attr:`Table.duplicates`), dtype ``str``, no
missing values (empty cells are ``""``), and a fresh ``RangeIndex``. Row numbers used
elsewhere count data rows from 1, the header excluded and skipped blank lines not counted.

Text formats add a :class:`RowInfo` to each chunk's ``attrs[ROW_INFO]``: the physical line
each row starts on, which rows are damaged (their cells are all ``""``) and why, and which
cells held undecodable bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxtext.errors import UnsupportedFormatError
from cxtext.io.delimited import (
    ESCAPED_BYTE,
    LineCount,
    detect_file_encoding,
    is_utf8,
    iter_records,
    scan_file_encoding,
    sniff_file_delimiter,
)

ROW_INFO = "row_info"
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
_EMPTY_PROBE = 1 << 16

FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


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

    Attributes
    ----------
    duplicates
        Header name -> the names its repeats were given (``{"text": ["text.1"]}``).
    """

    def __init__(
        self,
        path: Path,
        format: str,
        columns: list[str],
        chunks: Callable[[], Iterator[pd.DataFrame]],
        line_count: LineCount | None = None,
        duplicates: dict[str, list[str]] | None = None,
    ) -> None:
        self.path = path
        self.format = format
        self.columns = columns
        self._chunks = chunks
        self._line_count = line_count
        self.duplicates = duplicates or {}

    @property
    def lines(self) -> int | None:
        """Physical lines read so far, header included (text formats; else ``None``)."""
        return None if self._line_count is None else self._line_count.lines

    def iter_chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the rows as DataFrames of at most ``chunk_rows`` rows, all columns ``str``."""
        try:
            yield from self._chunks()
        except UnicodeError as exc:
            raise UnsupportedFormatError(
                f"cannot decode the file ({exc}); set the encoding explicitly",
                file=str(self.path),
            ) from exc
        except (pd.errors.ParserError, pa.ArrowException) as exc:
            raise UnsupportedFormatError(
                f"malformed {self.format}: {exc}", file=str(self.path)
            ) from exc


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
    if suffix not in FORMATS:
        raise UnsupportedFormatError(
            f"unsupported file extension {suffix or '(none)'!r}; "
            f"expected one of {', '.join(sorted(FORMATS))}",
            file=str(path),
        )
    fmt = FORMATS[suffix]
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


def _header_names(raw: list[Any]) -> tuple[list[str], dict[str, list[str]]]:
    """Column names, and each repeated name -> the names its repeats were given."""
    names = ["" if name is None else str(name).strip() for name in raw]
    names = [name or f"Unnamed: {i}" for i, name in enumerate(names)]
    repeats: dict[str, list[str]] = {}
    if len(set(names)) != len(names):
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            count = seen.get(name, 0)
            seen[name] = count + 1
            if count:
                names[i] = f"{name}.{count}"
                repeats.setdefault(name, []).append(names[i])
    return names, repeats


def _as_str_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("str").fillna("").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class RowInfo:
    """What a text reader knows about the n rows of one chunk.

    Attributes
    ----------
    lines
        1-based physical line each row starts on (the header is line 1).
    damage
        Per row: ``""``, or why the record could not be split into fields.
    raw
        Per row: the damaged record's text as it stood in the file (``""`` otherwise).
    bad_bytes
        ``(row, column)`` of cells whose undecodable bytes became U+FFFD.
    """

    lines: list[int]
    damage: list[str]
    raw: list[str]
    bad_bytes: list[tuple[int, str]]

    def __deepcopy__(self, memo: dict[int, Any]) -> RowInfo:
        # pandas deep-copies attrs into every derived object; this is read-only.
        return self


class _ChunkBuilder:
    """Rows of one chunk of a text format, with their lines and damage."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._reset()

    def _reset(self) -> None:
        self.rows: list[list[str]] = []
        self.lines: list[int] = []
        self.damage: list[str] = []
        self.raw: list[str] = []
        self.bad_bytes: list[tuple[int, str]] = []

    def add(self, line: int, cells: list[str], bad_bytes: Sequence[int] = ()) -> None:
        width = len(self.columns)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        for i in bad_bytes:
            if i < width:
                self.bad_bytes.append((len(self.rows), self.columns[i]))
        self.rows.append(cells)
        self.lines.append(line)
        self.damage.append("")
        self.raw.append("")

    def add_damaged(self, line: int, reason: str, raw: str) -> None:
        self.add(line, [])
        self.damage[-1] = reason
        self.raw[-1] = ESCAPED_BYTE.sub("\ufffd", raw)

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=self.columns, dtype="str")
        frame.attrs[ROW_INFO] = RowInfo(self.lines, self.damage, self.raw, self.bad_bytes)
        self._reset()
        return frame


def _text_handle(path: Path, encoding: str) -> Any:
    errors = "surrogateescape" if is_utf8(encoding) else "strict"
    return path.open(encoding=encoding, errors=errors, newline="")


def _open_delimited(
    path: Path, fmt: str, chunk_rows: int, encoding: str | None, delimiter: str | None
) -> Table:
    with path.open("rb") as handle:
        if not handle.read(_EMPTY_PROBE).strip():
            raise UnsupportedFormatError("the file is empty (no header row)", file=str(path))
    enc, escapes = (encoding, True) if encoding else scan_file_encoding(path)
    escapes = escapes and is_utf8(enc)
    if delimiter is None:
        delimiter = "\t" if fmt == "tsv" else sniff_file_delimiter(path, enc)
    sep = delimiter
    with _text_handle(path, enc) as handle:
        header = next(iter_records(handle, sep, None), None)
    if header is None or header.damage:
        raise UnsupportedFormatError(
            "no readable header row" + (f" ({header.damage})" if header else ""), file=str(path)
        )
    columns, repeats = _header_names(header.fields)

    count = LineCount()

    def chunks() -> Iterator[pd.DataFrame]:
        builder = _ChunkBuilder(columns)
        with _text_handle(path, enc) as handle:
            records = iter_records(handle, sep, len(columns), count, escapes=escapes)
            next(records)
            for record in records:
                if record.damage:
                    builder.add_damaged(record.line, record.damage, record.raw)
                else:
                    builder.add(record.line, record.fields, record.bad_bytes)
                if len(builder) == chunk_rows:
                    yield builder.frame()
        if len(builder):
            yield builder.frame()

    return Table(path, fmt, columns, chunks, count, repeats)


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=float)


_JsonItem = tuple[int, dict[str, str] | None, str, str]


def _json_items(path: Path, encoding: str, count: LineCount) -> Iterator[_JsonItem]:
    """``(line, record, damage, raw line)`` per non-blank line; record ``None`` if damaged."""
    with _text_handle(path, encoding) as handle:
        for line_no, line in enumerate(handle, start=1):
            count.lines = line_no
            if not line.strip():
                continue
            try:
                obj = json.loads(line, parse_float=Decimal, parse_constant=str)
            except json.JSONDecodeError:
                yield line_no, None, INVALID_JSON, line
                continue
            if not isinstance(obj, dict):
                yield line_no, None, NOT_AN_OBJECT, line
                continue
            yield line_no, {str(k).strip(): _json_text(v) for k, v in obj.items()}, "", line


def _open_jsonl(path: Path, chunk_rows: int, encoding: str | None) -> Table:
    enc = encoding or detect_file_encoding(path)
    count = LineCount()
    items = _json_items(path, enc, count)
    first = list(itertools.islice(items, chunk_rows))
    columns = list(dict.fromkeys(key for _, record, _, _ in first if record for key in record))
    if not columns:
        raise UnsupportedFormatError("no JSON objects with keys found", file=str(path))

    def frame(batch: list[_JsonItem], builder: _ChunkBuilder) -> pd.DataFrame:
        for line, record, damage, raw in batch:
            if record is None:
                builder.add_damaged(line, damage, raw)
                continue
            cells = [record.get(name, "") for name in columns]
            bad = [i for i, cell in enumerate(cells) if ESCAPED_BYTE.search(cell)]
            if bad:
                cells = [ESCAPED_BYTE.sub("\ufffd", cell) for cell in cells]
            builder.add(line, cells, bad)
        return builder.frame()

    def chunks() -> Iterator[pd.DataFrame]:
        builder = _ChunkBuilder(columns)
        yield frame(first, builder)
        while batch := list(itertools.islice(items, chunk_rows)):
            yield frame(batch, builder)

    return Table(path, "jsonl", columns, chunks, count)


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
    columns, repeats = _header_names(names)

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            for batch in parquet.iter_batches(batch_size=chunk_rows):
                texts = [_arrow_text(batch.column(i)) for i in range(len(columns))]
                yield _as_str_frame(pa.Table.from_arrays(texts, names=columns).to_pandas())
        finally:
            parquet.close()

    return Table(path, "parquet", columns, chunks, duplicates=repeats)


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
    columns, repeats = _header_names(list(header_row))
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

    return Table(path, "xlsx", columns, chunks, duplicates=repeats)
