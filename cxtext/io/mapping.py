"""Column mapping: how the columns of one export become the canonical record.

A mapping is a TOML file (``ColumnMapping.from_toml``) or quick CLI flags
(``ColumnMapping.from_flags``, which can also override a loaded file)::

    source = "survey"                  # "survey" (default) or "ticket"
    segments = ["Country", "Plan"]     # optional short form: segment name = column name

    [columns]                          # canonical field = export column
    id = "ResponseId"                  # or a list, joined with ":": ["conversation_id", "turn"]
    text = "Comment"                   # or a list, see below: ["Title", "Review Text"]
    nps_score = "Q1"
    created_at = "EndDate"

    [segments]                         # long form, instead of the list: name = export column
    country = "Country"

    [constants]                        # canonical field = one value for every row
    survey_type = "relational"
    ces_scale = "1-7"

    [options]
    dayfirst = false                   # ambiguous dates like 01/02/2024 read day first
    date_format = "%d/%m/%Y %H:%M"     # strptime format; default: inferred (see below)
    nps_scale = "0-10"                 # the only accepted value: other scales are refused
    encoding = "cp1252"                # CSV/TSV/JSONL; default: detected
    delimiter = ";"                    # CSV; default: sniffed
    sheet = "Responses"                # XLSX; default: the first sheet

Rules:

- ``[columns]`` keys are fields of :data:`cxtext.schema.MAPPABLE_FIELDS`; ``source`` may
  be a column (values ``survey``/``ticket``) instead of the top-level constant.
- ``id`` and ``text`` may name several columns. Id parts are joined with ``":"`` (a row
  missing any part has no id). Non-empty text parts are joined with ``". "`` (or ``" "``
  after a part that already ends in ``.!?:;``).
- Without an ``id`` column the id is the source row number as text (``"1"``, ``"2"``, ...:
  the 1-based data row, header excluded), which is unique within the file.
- ``[constants]`` may set the text-valued fields ``source``, ``survey_type``,
  ``ces_scale``, ``problem``, ``channel``, ``status`` and ``customer_id``; a field is a
  column or a constant, never both. Values of ``source``, ``survey_type`` and
  ``ces_scale`` are checked against :mod:`cxtext.schema` when the mapping is built.
- Segment names must not collide with canonical column names; segment values are text.
- Dates without ``date_format`` are parsed by pandas with the format inferred per chunk,
  then element by element for the values that did not fit; times without an offset are
  taken as UTC, times with an offset are converted to UTC.

Unknown keys anywhere are refused (:class:`cxtext.errors.ConfigError`), so a typo does not
silently drop a column.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxtext.errors import ConfigError, DataValidationError
from cxtext.schema import (
    CANONICAL_DTYPES,
    CES_SCALE,
    CES_SCALES,
    CREATED_AT,
    ID,
    LANGUAGE,
    MAPPABLE_FIELDS,
    NPS_GROUP,
    NPS_SCORE,
    SOURCE,
    SOURCE_ROW,
    SURVEY_TYPE,
    TEXT,
    TEXT_FLAG,
    Source,
    SurveyType,
)

MULTI_COLUMN_FIELDS = frozenset({ID, TEXT})
CONSTANT_FIELDS = frozenset(
    name for name in MAPPABLE_FIELDS if CANONICAL_DTYPES[name] == "string"
) - {ID, TEXT}
NPS_SCALE = "0-10"
# Text fields whose values are closed sets (checked in constants and, per row, in columns).
ALLOWED_VALUES: dict[str, frozenset[str]] = {
    SOURCE: frozenset(member.value for member in Source),
    SURVEY_TYPE: frozenset(member.value for member in SurveyType),
    CES_SCALE: frozenset(CES_SCALES),
}
_TOP_KEYS = frozenset({"source", "columns", "segments", "constants", "options"})
_OPTION_KEYS = frozenset({"dayfirst", "date_format", "nps_scale", "encoding", "delimiter", "sheet"})


@dataclass(frozen=True)
class ColumnMapping:
    """How an export's columns map onto canonical fields (see the module docstring).

    Attributes
    ----------
    columns
        Canonical field -> export column names (one, or several for ``id``/``text``).
    segments
        Segment column name in the output -> export column.
    constants
        Canonical field -> value for every row. ``source`` defaults to ``"survey"`` when
        it is neither a column nor a constant.
    date_format
        ``strptime`` format of every date column; inferred when ``None``.
    dayfirst
        Read ambiguous dates day first.
    encoding, delimiter, sheet
        Reader options (detected / sniffed / first sheet when ``None``).
    """

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    segments: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    date_format: str | None = None
    dayfirst: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        columns = {name: tuple(c.strip() for c in cols) for name, cols in self.columns.items()}
        constants = {
            name: value.strip().lower() if name in ALLOWED_VALUES else value.strip()
            for name, value in self.constants.items()
        }
        if SOURCE not in columns and SOURCE not in constants:
            constants[SOURCE] = Source.SURVEY.value
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "constants", constants)
        object.__setattr__(self, "segments", {k: v.strip() for k, v in self.segments.items()})
        self._check()

    def _check(self) -> None:
        for name, cols in self.columns.items():
            if name not in MAPPABLE_FIELDS:
                raise ConfigError(
                    f"[columns] {name!r} is not a canonical field; "
                    f"expected one of {', '.join(sorted(MAPPABLE_FIELDS))}"
                )
            if not cols or not all(cols):
                raise ConfigError(f"[columns] {name!r} names no column")
            if len(cols) > 1 and name not in MULTI_COLUMN_FIELDS:
                raise ConfigError(f"[columns] {name!r} takes one column, got {list(cols)}")
        for name, value in self.constants.items():
            if name not in CONSTANT_FIELDS:
                raise ConfigError(
                    f"[constants] {name!r} cannot be a constant; "
                    f"expected one of {', '.join(sorted(CONSTANT_FIELDS))}"
                )
            if name in self.columns:
                raise ConfigError(f"{name!r} is both a column and a constant")
            allowed = ALLOWED_VALUES.get(name)
            if allowed is not None and value not in allowed:
                raise ConfigError(
                    f"{name} = {value!r} is not allowed; "
                    f"expected one of {', '.join(sorted(allowed))}"
                )
        for name, column in self.segments.items():
            if name in CANONICAL_DTYPES:
                raise ConfigError(f"segment {name!r} collides with a canonical column name")
            if not name or not column:
                raise ConfigError(f"segment {name!r} -> {column!r} needs a name and a column")
            if ":" in name:
                raise ConfigError(
                    f"segment name {name!r} contains ':', which filters (name:value) cannot "
                    f"address; name it in a mapping file, e.g. [segments] region = {column!r}"
                )
        if self.delimiter is not None and len(self.delimiter) != 1:
            raise ConfigError(f"delimiter must be one character, got {self.delimiter!r}")

    @classmethod
    def from_toml(cls, path: str | Path) -> ColumnMapping:
        """Load a mapping file.

        Raises
        ------
        ConfigError
            The file is missing, not valid TOML, or breaks a rule of the module docstring.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read mapping file {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"mapping file {path} is not valid TOML: {exc}") from exc
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            raise ConfigError(f"mapping file {path}: {exc}") from exc

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        """Build a mapping from parsed TOML (the shape of the module docstring)."""
        _no_unknown_keys("mapping", data, _TOP_KEYS)
        columns = {
            name: _column_names(f"[columns] {name}", value)
            for name, value in _table(data, "columns").items()
        }
        raw_segments = data.get("segments", {})
        if isinstance(raw_segments, list):
            segments = {name: name for name in _column_names("segments", raw_segments)}
        else:
            segments = {
                name: _string(f"[segments] {name}", value)
                for name, value in _table(data, "segments").items()
            }
        constants = {
            name: _string(f"[constants] {name}", value)
            for name, value in _table(data, "constants").items()
        }
        if "source" in data:
            if SOURCE in constants:
                raise ConfigError("source is set both at the top level and in [constants]")
            constants[SOURCE] = _string("source", data["source"])
        options = _table(data, "options")
        _no_unknown_keys("[options]", options, _OPTION_KEYS)
        nps_scale = options.get("nps_scale", NPS_SCALE)
        if nps_scale != NPS_SCALE:
            raise ConfigError(
                f"nps_scale = {nps_scale!r} is not supported: NPS answers must be on "
                f"{NPS_SCALE}; other scales are refused, never rescaled"
            )
        dayfirst = options.get("dayfirst", False)
        if not isinstance(dayfirst, bool):
            raise ConfigError(f"[options] dayfirst must be true or false, got {dayfirst!r}")
        return cls(
            columns=columns,
            segments=segments,
            constants=constants,
            date_format=_optional_string(options, "date_format"),
            dayfirst=dayfirst,
            encoding=_optional_string(options, "encoding"),
            delimiter=_optional_string(options, "delimiter"),
            sheet=_optional_string(options, "sheet"),
        )

    @classmethod
    def from_flags(
        cls,
        *,
        text_col: str | None = None,
        id_col: str | None = None,
        score_col: str | None = None,
        date_col: str | None = None,
        source: str | None = None,
        segments: Iterable[str] = (),
        base: ColumnMapping | None = None,
    ) -> ColumnMapping:
        """Build a mapping from the CLI's quick flags, or override a loaded one with them.

        Parameters
        ----------
        text_col, id_col, score_col, date_col
            Export columns for ``text``, ``id``, ``nps_score`` and ``created_at``;
            ``None`` keeps what ``base`` has.
        source
            ``"survey"`` or ``"ticket"``; ``None`` keeps ``base``'s (default ``"survey"``).
        segments
            Export columns to keep as segments under their own names (added to ``base``'s).
        base
            Mapping to override (e.g. from ``--mapping``); an empty one when ``None``.
        """
        base = base if base is not None else cls()
        columns = dict(base.columns)
        constants = dict(base.constants)
        flags = ((TEXT, text_col), (ID, id_col), (NPS_SCORE, score_col), (CREATED_AT, date_col))
        for name, column in flags:
            if column is not None:
                columns[name] = (column,)
        if source is not None:
            columns.pop(SOURCE, None)
            constants[SOURCE] = source
        kept = {**base.segments, **{name: name for name in segments}}
        return dataclasses.replace(base, columns=columns, constants=constants, segments=kept)

    def input_columns(self) -> list[str]:
        """Export columns the mapping reads, in first-use order, without repeats."""
        names = [c for cols in self.columns.values() for c in cols] + list(self.segments.values())
        return list(dict.fromkeys(names))

    def check_columns(self, available: Iterable[str], *, file: str) -> None:
        """Refuse a file that lacks columns the mapping names.

        Raises
        ------
        DataValidationError
            Naming the file and every missing column.
        """
        have = set(available)
        missing = [name for name in self.input_columns() if name not in have]
        if missing:
            raise DataValidationError(
                f"the mapping names columns missing from the file: {', '.join(map(repr, missing))}"
                f" (the file has: {', '.join(map(repr, sorted(have)))})",
                file=file,
                column=", ".join(missing),
            )

    def output_dtypes(self, *, with_language: bool) -> dict[str, str]:
        """Columns of the canonical frame this mapping produces, with their dtypes.

        Canonical columns come first in :data:`cxtext.schema.CANONICAL_DTYPES` order:
        ``id``, ``source`` and ``source_row`` always, every mapped or constant field,
        ``text_flag`` (and ``language`` when ``with_language``) with ``text``,
        ``nps_group`` with ``nps_score``. Segment columns (``"string"``) follow.
        """
        present = {ID, SOURCE, SOURCE_ROW, *self.columns, *self.constants}
        if TEXT in self.columns:
            present.add(TEXT_FLAG)
            if with_language:
                present.add(LANGUAGE)
        if NPS_SCORE in self.columns:
            present.add(NPS_GROUP)
        dtypes = {name: dtype for name, dtype in CANONICAL_DTYPES.items() if name in present}
        dtypes.update(dict.fromkeys(self.segments, "string"))
        return dtypes


def _no_unknown_keys(where: str, data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(
            f"unknown key(s) in {where}: {', '.join(unknown)}; "
            f"expected {', '.join(sorted(allowed))}"
        )


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table, got {value!r}")
    return value


def _string(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {value!r}")
    return value


def _optional_string(options: Mapping[str, Any], key: str) -> str | None:
    value = options.get(key)
    return None if value is None else _string(f"[options] {key}", value)


def _column_names(where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a column name or a list of names, got {value!r}")


def load_mapping(path: str | Path) -> ColumnMapping:
    """Load a mapping TOML file (shorthand for :meth:`ColumnMapping.from_toml`)."""
    return ColumnMapping.from_toml(path)
