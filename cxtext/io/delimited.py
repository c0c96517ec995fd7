"""Delimited text (CSV, TSV): encoding, delimiter, and records that never borrow values.

Encoding (:func:`detect_file_encoding`): a byte-order mark decides first. Otherwise the
whole file is scanned once: a file whose non-ASCII bytes are mostly valid UTF-8 is read
as UTF-8, and each undecodable byte becomes U+FFFD while the cells that held one are
reported (ingest quarantines their rows as ``<field>:invalid_encoding``). Only a file
that is not UTF-8 as a whole is read in a legacy code page (:data:`LEGACY_ENCODINGS`).

Records (:func:`iter_records`) are split by Python's :mod:`csv` parser in strict mode,
one physical line at a time, so that every record knows the line it starts on:

- A quoted field may span lines. When its closing quote is missing (the file ends
  first, the record grows past :data:`MAX_RECORD_LINES` lines, or the quote closes in
  the middle of a later field), the record's first line is set aside as damaged
  (``unbalanced_quote``) and the lines after it are read again as records of their own:
  no value is ever stored with another row's values.
- A quoted field spanning lines of which one, on its own, splits into a whole row of
  three or more fields (for the last line: its part before the closing quote) and
  starts with a field like the record's first (digits against digits, say) is taken for
  the same damage: a quote opened in one row and closed in a later one.
- A stray quote inside one line (``1,"Great" product,9``) is read as lenient CSV
  readers do (the field is ``Great product``): nothing can move between rows.
- More fields than the header is damage (``too_many_fields``) unless the extra fields
  are empty (a trailing delimiter). Fewer fields is damage too (``too_few_fields``): a
  field dropped in the middle would shift the next ones into the wrong columns, and a
  line broken outside quotes leaves its tail as a row of its own.
- Blank lines are skipped; fields may be of any size.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from charset_normalizer import from_bytes

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
# Single-byte encodings charset-normalizer may choose among when a file is not UTF-8:
# Western (cp1252, the Excel default), Central European (Romanian) and Arabic.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "iso8859_16", "cp1256")
# A quoted field longer than this is taken for a quote that never closes.
MAX_RECORD_LINES = 10_000
MAX_RECORD_CHARS = 64 << 20

UNBALANCED_QUOTE = "unbalanced_quote"
TOO_MANY_FIELDS = "too_many_fields"
TOO_FEW_FIELDS = "too_few_fields"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_ROWS = 50
_SCAN_BLOCK = 4 << 20
_HIGH_BYTES = bytes(range(128, 256))
# Undecodable bytes, as the "surrogateescape" error handler leaves them.
ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

# A customer comment may be megabytes long; the csv module's default cap is 128 KiB.
csv.field_size_limit(2**31 - 1)


def _utf8_counts(data: bytes, decoder: codecs.IncrementalDecoder, final: bool) -> tuple[int, int]:
    """(non-ASCII bytes, undecodable bytes) of ``data`` read as UTF-8."""
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    text = decoder.decode(data, final=final)
    return high, (len(ESCAPED_BYTE.findall(text)) if high else 0)


def _is_mostly_utf8(high: int, invalid: int) -> bool:
    # Legacy text has (almost) no valid multi-byte sequences; UTF-8 with a few bad bytes
    # has many more good non-ASCII bytes than bad ones.
    return invalid == 0 or high - invalid >= invalid


def _legacy_encoding(sample: bytes) -> str:
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


def _bom_encoding(sample: bytes) -> str | None:
    return next((encoding for bom, encoding in _BOMS if sample.startswith(bom)), None)


def detect_encoding(sample: bytes, *, complete: bool) -> str:
    """Guess the text encoding of a file from its first bytes.

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32). Otherwise a sample whose
    non-ASCII bytes are mostly valid UTF-8 is UTF-8 (a few bad bytes do not make it a
    legacy file). Otherwise charset-normalizer scores :data:`LEGACY_ENCODINGS` (on small
    samples the scores often tie): cp1252 wins when it is among the best-scored, else the
    best-scored encoding. Without any match the answer is cp1252, or latin-1 when cp1252
    cannot decode the sample.

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
    bom = _bom_encoding(sample)
    if bom:
        return bom
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    if _is_mostly_utf8(*_utf8_counts(sample, decoder, final=complete)):
        return "utf-8"
    return _legacy_encoding(sample)


def detect_file_encoding(path: Path) -> str:
    """Guess the encoding of a whole file, as :func:`detect_encoding` does with a sample.

    Without a byte-order mark the whole file is scanned (one sequential read), so a bad
    byte far into a UTF-8 file does not change how its first rows are read, and a legacy
    file whose first megabyte is plain ASCII is still recognised.
    """
    return scan_file_encoding(path)[0]


def scan_file_encoding(path: Path) -> tuple[str, bool]:
    """:func:`detect_file_encoding`, and whether the file holds bytes that it cannot decode."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    high = invalid = 0
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
        bom = _bom_encoding(sample)
        if bom:
            return bom, True
        block = sample
        while block:
            following = handle.read(_SCAN_BLOCK)
            counts = _utf8_counts(block, decoder, final=not following)
            high, invalid = high + counts[0], invalid + counts[1]
            block = following
    if _is_mostly_utf8(high, invalid):
        return "utf-8", invalid > 0
    return _legacy_encoding(sample), False


def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` is UTF-8 (with or without a byte-order mark)."""
    return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")


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


def sniff_file_delimiter(path: Path, encoding: str) -> str:
    """:func:`sniff_delimiter` on the first :data:`SAMPLE_BYTES` of a file."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES + 1)
    complete = len(sample) <= SAMPLE_BYTES
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(
        sample[:SAMPLE_BYTES], final=complete
    )
    if not complete and "\n" in text:
        text = text[: text.rindex("\n")]
    return sniff_delimiter(text)


@dataclass
class Record:
    """One record of a delimited file.

    Attributes
    ----------
    line
        1-based physical line it starts on (the header is line 1 when it opens the file).
    fields
        Its fields; empty when ``damage`` is set.
    damage
        ``""``, or why the record cannot be used (``unbalanced_quote``, ``too_many_fields``).
    raw
        The record's text as it stood in the file, kept for damaged records only.
    bad_bytes
        Indexes of fields that held undecodable bytes (shown as U+FFFD).
    """

    line: int
    fields: list[str]
    damage: str = ""
    raw: str = ""
    bad_bytes: list[int] = field(default_factory=list)


class _RecordTooLong(Exception):
    """A quoted field ran past :data:`MAX_RECORD_LINES` or :data:`MAX_RECORD_CHARS`."""


@dataclass
class LineCount:
    """Physical lines read so far (updated while records are read)."""

    lines: int = 0


class _Lines:
    """Physical lines of a text handle, numbered, with the lines of the current record."""

    def __init__(self, handle: TextIO, count: LineCount, escapes: bool) -> None:
        self._count = count
        self._escapes = escapes
        self._lines = iter(handle)
        self._pending: list[tuple[int, str]] = []
        self._next_no = 1
        self.taken: list[tuple[int, str]] = []
        self.escaped = False
        self._chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            number, line = self._pending.pop()
        else:
            line = next(self._lines)
            number = self._next_no
            self._next_no += 1
            self._count.lines = number
        self.taken.append((number, line))
        self._chars += len(line)
        if self._escapes and ESCAPED_BYTE.search(line):
            self.escaped = True
        if len(self.taken) > MAX_RECORD_LINES or self._chars > MAX_RECORD_CHARS:
            raise _RecordTooLong
        return line

    def start_record(self) -> None:
        self.taken = []
        self.escaped = False
        self._chars = 0

    def read_again(self, lines: list[tuple[int, str]]) -> None:
        """Hand ``lines`` out again, in order, before reading further."""
        self._pending.extend(reversed(lines))


def _lenient_fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])


def _kind(value: str) -> tuple[bool, bool, bool, bool]:
    """Which character classes a field holds: digits, letters, spaces, other."""
    return (
        any(c.isdigit() for c in value),
        any(c.isalpha() for c in value),
        any(c.isspace() for c in value),
        any(not (c.isalnum() or c.isspace()) for c in value),
    )


def _spans_rows(taken: list[tuple[int, str]], delimiter: str, width: int | None) -> bool:
    """Whether a line inside a record's quoted field looks like a row of its own.

    A line within the field must split, on its own, into the header's number of fields
    (three or more); the part of the last line before the quote that closes the field
    must split into at least that many. Either way its first field must hold the same
    classes of characters as the record's first field (an id such as ``1563`` against
    prose such as ``colors: can't tell``).
    """
    if width is None or width < 3:
        return False
    first = _lenient_fields(taken[0][1], delimiter)
    kind = _kind(first[0]) if first else None
    for _, line in taken[1:-1]:
        fields = _lenient_fields(line, delimiter)
        if len(fields) == width and _kind(fields[0]) == kind:
            return True
    head = _before_closing_quote(taken[-1][1])
    fields = _lenient_fields(head.replace('"', ""), delimiter)
    return len(fields) >= width and _kind(fields[0]) == kind


def _before_closing_quote(line: str) -> str:
    """The part of a line, inside a quoted field, before the quote that closes it (a
    doubled quote is a quote character, not the end)."""
    at = 0
    while (at := line.find('"', at)) >= 0:
        if line.startswith('""', at):
            at += 2
            continue
        return line[:at]
    return line


def _unescape(fields: list[str]) -> tuple[list[str], list[int]]:
    bad = [i for i, value in enumerate(fields) if ESCAPED_BYTE.search(value)]
    for i in bad:
        fields[i] = ESCAPED_BYTE.sub("\ufffd", fields[i])
    return fields, bad


def iter_records(
    handle: TextIO,
    delimiter: str,
    width: int | None,
    count: LineCount | None = None,
    *,
    escapes: bool = True,
) -> Iterator[Record]:
    """Split a text handle (opened with ``newline=""``) into records; see the module doc.

    Parameters
    ----------
    handle
        The file, positioned at its start.
    delimiter
        Field delimiter.
    width
        Fields per record (the header's), or ``None`` while reading the header.
    count
        Updated with the number of physical lines read.
    escapes
        Whether the text may hold undecodable bytes (``False`` skips looking for them).
    """
    lines = _Lines(handle, count or LineCount(), escapes)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        lines.start_record()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except (csv.Error, _RecordTooLong) as exc:
            taken = lines.taken
            if not taken:
                return
            closed = taken[0][1].count('"') % 2 == 0
            if len(taken) == 1 and closed and isinstance(exc, csv.Error):
                # A stray quote within one line: nothing can move between rows.
                fields = _lenient_fields(taken[0][1], delimiter)
            else:
                lines.read_again(taken[1:])
                yield Record(taken[0][0], [], UNBALANCED_QUOTE, taken[0][1])
                continue
        taken = lines.taken
        if not fields or not taken:
            continue
        if len(taken) > 1 and _spans_rows(taken, delimiter, width):
            lines.read_again(taken[1:])
            yield Record(taken[0][0], [], UNBALANCED_QUOTE, taken[0][1])
            continue
        if width is not None and len(fields) > width:
            if any(fields[width:]):
                raw = "".join(line for _, line in taken)
                yield Record(taken[0][0], [], TOO_MANY_FIELDS, raw)
                continue
            fields = fields[:width]
        if width is not None and len(fields) < width:
            raw = "".join(line for _, line in taken)
            yield Record(taken[0][0], [], TOO_FEW_FIELDS, raw)
            continue
        bad: list[int] = []
        if lines.escaped:
            fields, bad = _unescape(fields)
        yield Record(taken[0][0], fields, bad_bytes=bad)
