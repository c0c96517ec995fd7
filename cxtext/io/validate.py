"""Row validation: parse one raw chunk into canonical columns and find every bad row.

All checks are vectorized over the chunk; every problem of a row is collected. Reason
keys are ``"<field>:<reason>"``:

========================================  ===============================================
``id:missing``                            the mapped id column(s) are empty
``id:duplicate``                          the id was already seen earlier in the file
``source:missing``, ``source:unknown_value``   a ``source`` column empty / not survey|ticket
``survey_type:unknown_value``             not one of :class:`cxtext.schema.SurveyType`
``<date>:unparseable_date``               a date column that pandas cannot parse, or
                                          a relative word ("now", "today"...)
``<date>:out_of_range``                   a date outside 1677-2262 (nanosecond timestamps)
``<time>:before_created_at``              first_response_at / resolved_at /
                                          last_resolved_at earlier than created_at
``last_resolved_at:before_resolved_at``   a last solve earlier than the first
``<score>:not_a_number``                  nps_score / csat / ces that is not a number
``<score>:not_an_integer``                e.g. ``"7.5"`` (``"7"`` and ``"7.0"`` are fine)
``<score>:out_of_range``                  nps_score outside 0-10, csat outside 1-5,
                                          ces outside its declared scale
``ces_scale:unknown_value``               not a key of :data:`cxtext.schema.CES_SCALES`
``ces:no_scale``                          a ces answer without a declared scale
``<field>:invalid_encoding``              the cell held bytes that are not valid in the
                                          file's encoding (shown as U+FFFD)
``row:unbalanced_quote``                  a quote opened in the record never closes
                                          properly (the record's first line is set aside,
                                          the lines after it are read again)
``row:too_many_fields``                   more non-empty fields than the header
``row:invalid_json``, ``row:not_an_object``    a JSONL line that is not a JSON object
========================================  ===============================================

A damaged record (``row:...``) has no usable fields: it gets no other reason and claims
no id.

Empty values are missing, not bad (an empty score is no answer), except for a mapped id.
Empty text is not a problem here either: ingestion flags it (``text_flag = "empty"``).
The first row of a file to use an id claims it, whether or not that row is otherwise
valid; later rows with the id are duplicates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxtext.io.mapping import ALLOWED_VALUES, ColumnMapping
from cxtext.io.readers import ROW_INFO, RowInfo
from cxtext.schema import (
    CES,
    CES_SCALE,
    CES_SCALES,
    CREATED_AT,
    CSAT,
    CSAT_MAX,
    CSAT_MIN,
    DATETIME_FIELDS,
    FIRST_RESPONSE_AT,
    ID,
    LAST_RESOLVED_AT,
    NPS_GROUP,
    NPS_MAX,
    NPS_MIN,
    NPS_SCORE,
    RESOLVED_AT,
    SOURCE,
    SOURCE_ROW,
    TEXT,
    nps_group,
)

_NPS_GROUPS = {score: nps_group(score).value for score in range(NPS_MIN, NPS_MAX + 1)}
_SENTENCE_END = r"[.!?…:;]$"
_RELATIVE_DATES = ("now", "today", "tomorrow", "yesterday")
_TS_MIN = pd.Timestamp.min.tz_localize("UTC")
_TS_MAX = pd.Timestamp.max.tz_localize("UTC")


@dataclass(frozen=True)
class ChunkValidation:
    """Outcome of validating one chunk of n raw rows.

    Attributes
    ----------
    frame
        Canonical columns of the accepted rows (``text`` still raw), dtypes of
        :meth:`ColumnMapping.output_dtypes` minus the text-derived columns.
    bad
        Boolean array of shape (n,): the row is quarantined.
    reasons
        Array of shape (n_bad,): ``";"``-joined reason keys of each bad row, in row order.
    counts
        Reason key -> number of rows with that problem in the chunk.
    first_error
        ``(row, column, message)`` of the first bad row: its 1-based source row, the
        export column of its first problem, and the problem in words; ``None`` if none.
    """

    frame: pd.DataFrame
    bad: np.ndarray
    reasons: np.ndarray
    counts: dict[str, int]
    first_error: tuple[int, str, str] | None


class ChunkValidator:
    """Validate the chunks of one file in order (remembers ids across chunks).

    Parameters
    ----------
    mapping
        The column mapping; its columns must exist in the chunks.
    """

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self._seen_ids: set[str] = set()

    def validate(self, raw: pd.DataFrame, *, first_row: int) -> ChunkValidation:
        """Parse and check one chunk.

        Parameters
        ----------
        raw
            Chunk of n rows from :class:`cxtext.io.readers.Table`, all columns ``str``.
        first_row
            1-based source row number of the chunk's first row.
        """
        m = self.mapping
        n = len(raw)
        out: dict[str, pd.Series] = {}
        problems = self._damage(raw)

        def column(name: str) -> pd.Series:
            return raw[m.columns[name][0]].str.strip()

        rows = pd.Series(np.arange(first_row, first_row + n), index=raw.index)
        info: RowInfo | None = raw.attrs.get(ROW_INFO)
        damaged = np.asarray(info.damage if info else [""] * n) != ""
        ids, id_problems = self._ids(raw, rows, damaged)
        out[ID] = ids
        problems += id_problems

        for name, value in m.constants.items():
            out[name] = pd.Series(value, index=raw.index)
        for name, allowed in ALLOWED_VALUES.items():
            if name in m.columns:
                values = column(name).str.lower()
                known = values.isin(allowed)
                if name == SOURCE:
                    problems.append(("source:missing", (values == "").to_numpy(), values))
                problems.append(
                    (f"{name}:unknown_value", ((values != "") & ~known).to_numpy(), values)
                )
                out[name] = _text_or_na(values)

        for name in DATETIME_FIELDS:
            if name in m.columns:
                values = column(name)
                parsed, unparseable, out_of_range = _parse_dates(values, m.date_format, m.dayfirst)
                problems.append((f"{name}:unparseable_date", unparseable, values))
                problems.append((f"{name}:out_of_range", out_of_range, values))
                out[name] = parsed
        if CREATED_AT in out:
            for name in (FIRST_RESPONSE_AT, RESOLVED_AT, LAST_RESOLVED_AT):
                if name in out:
                    early = (out[name] < out[CREATED_AT]).to_numpy(dtype=bool)
                    problems.append((f"{name}:before_created_at", early, column(name)))
        if LAST_RESOLVED_AT in out and RESOLVED_AT in out:
            early = (out[LAST_RESOLVED_AT] < out[RESOLVED_AT]).to_numpy(dtype=bool)
            problems.append(
                ("last_resolved_at:before_resolved_at", early, column(LAST_RESOLVED_AT))
            )

        for name, low, high in ((NPS_SCORE, NPS_MIN, NPS_MAX), (CSAT, CSAT_MIN, CSAT_MAX)):
            if name in m.columns:
                values = column(name)
                scores, score_problems = _parse_scores(values, low, high)
                problems += [(f"{name}:{reason}", mask, values) for reason, mask in score_problems]
                out[name] = scores
        if NPS_SCORE in out:
            out[NPS_GROUP] = out[NPS_SCORE].map(_NPS_GROUPS).astype("string")
        if CES in m.columns:
            values = column(CES)
            scales = out.get(CES_SCALE, pd.Series("", index=raw.index))
            low = scales.map({k: s.low for k, s in CES_SCALES.items()}).astype("Float64")
            high = scales.map({k: s.high for k, s in CES_SCALES.items()}).astype("Float64")
            scores, score_problems = _parse_scores(values, low, high)
            no_scale = ((values != "") & low.isna()).to_numpy()
            for reason, mask in score_problems:
                if reason == "out_of_range":
                    mask = mask & ~no_scale
                problems.append((f"ces:{reason}", mask, values))
            problems.append(("ces:no_scale", no_scale, values))
            out[CES] = scores

        for name in m.columns:
            if name not in out and name != TEXT:
                out[name] = _text_or_na(column(name))
        if TEXT in m.columns:
            out[TEXT] = _join_texts([raw[c].str.strip() for c in m.columns[TEXT]])
        out[SOURCE_ROW] = rows
        for name, col in m.segments.items():
            out[name] = _text_or_na(raw[col].str.strip())

        return self._finish(out, problems, rows, damaged, info.lines if info else None)

    def _damage(self, raw: pd.DataFrame) -> list[tuple[str, np.ndarray, pd.Series]]:
        """Problems the reader found: damaged records and cells with undecodable bytes."""
        n = len(raw)
        problems: list[tuple[str, np.ndarray, pd.Series]] = []
        info: RowInfo | None = raw.attrs.get(ROW_INFO)
        if info is None:
            return problems
        damage = np.asarray(info.damage, dtype=object)
        records = pd.Series(info.raw, index=raw.index, dtype=object)
        for reason in sorted(set(damage) - {""}):
            problems.append((f"row:{reason}", damage == reason, records))
        fields = {col: name for name, cols in self.mapping.columns.items() for col in cols}
        fields.update({col: name for name, col in self.mapping.segments.items()})
        by_field: dict[str, np.ndarray] = {}
        for row, col in info.bad_bytes:
            if col in fields:
                mask = by_field.setdefault(fields[col], np.zeros(n, dtype=bool))
                mask[row] = True
        for name, mask in by_field.items():
            cols = self.mapping.columns.get(name) or (self.mapping.segments[name],)
            problems.append((f"{name}:invalid_encoding", mask, raw[cols[0]]))
        return problems

    def _ids(
        self, raw: pd.DataFrame, rows: pd.Series, damaged: np.ndarray
    ) -> tuple[pd.Series, list[tuple[str, np.ndarray, pd.Series]]]:
        cols = self.mapping.columns.get(ID)
        if cols is None:
            return rows.astype("str"), []
        parts = [raw[c].str.strip() for c in cols]
        missing = np.logical_or.reduce([(p == "").to_numpy() for p in parts]) | damaged
        ids = parts[0]
        for part in parts[1:]:
            ids = ids + ":" + part
        present = ids[~missing]
        duplicate = np.zeros(len(raw), dtype=bool)
        duplicate[~missing] = present.duplicated(keep="first").to_numpy() | np.fromiter(
            (i in self._seen_ids for i in present), dtype=bool, count=len(present)
        )
        self._seen_ids.update(present)
        return ids, [("id:missing", missing, ids), ("id:duplicate", duplicate, ids)]

    def _finish(
        self,
        out: dict[str, pd.Series],
        problems: list[tuple[str, np.ndarray, pd.Series]],
        rows: pd.Series,
        damaged: np.ndarray,
        lines: list[int] | None,
    ) -> ChunkValidation:
        problems = [
            (key, mask if key.startswith("row:") else mask & ~damaged, values)
            for key, mask, values in problems
        ]
        bad = damaged.copy()
        for _, mask, _ in problems:
            bad |= mask
        counts = {key: int(mask.sum()) for key, mask, _ in problems if mask.any()}
        reasons = np.full(int(bad.sum()), "", dtype=object)
        first_error = None
        if bad.any():
            for key, mask, _ in problems:
                hit = mask[bad]
                reasons[hit] = reasons[hit] + (key + ";")
            reasons = np.array([r[:-1] for r in reasons], dtype=object)
            first = int(np.argmax(bad))
            key, _, values = next(p for p in problems if p[1][first])
            field = key.split(":", 1)[0]
            cols = self.mapping.columns.get(field, (self.mapping.segments.get(field, field),))
            where = f" on line {lines[first]}" if lines else ""
            message = f"{key}{where}: {values.iloc[first]!r}"
            first_error = (int(rows.iloc[first]), "" if field == "row" else "+".join(cols), message)
        dtypes = self.mapping.output_dtypes(with_language=False)
        frame = pd.DataFrame({name: out[name] for name in dtypes if name in out})
        frame = frame[~bad].astype({name: dtypes[name] for name in frame.columns if name != TEXT})
        return ChunkValidation(frame.reset_index(drop=True), bad, reasons, counts, first_error)


def _text_or_na(values: pd.Series) -> pd.Series:
    return values.astype("string").replace("", pd.NA)


def _join_texts(parts: list[pd.Series]) -> pd.Series:
    joined = parts[0]
    for part in parts[1:]:
        sep = pd.Series(
            np.where(joined.str.contains(_SENTENCE_END, regex=True), " ", ". "), index=joined.index
        )
        glued = joined.where(joined == "", joined + sep) + part
        joined = joined.where(part == "", glued)
    return joined


def _parse_scores(
    values: pd.Series, low: float | pd.Series, high: float | pd.Series
) -> tuple[pd.Series, list[tuple[str, np.ndarray]]]:
    present = (values != "").to_numpy()
    numbers = pd.to_numeric(values.where(values != ""), errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(numbers)
    not_number = present & np.isnan(numbers)
    whole = finite & (np.floor(np.where(finite, numbers, 0)) == numbers)
    not_integer = present & ~not_number & ~whole
    in_range = (numbers >= low) & (numbers <= high)
    if isinstance(in_range, pd.Series):
        in_range = in_range.fillna(False).to_numpy(dtype=bool)
    out_of_range = whole & ~in_range
    scores = pd.Series(np.where(whole & in_range, numbers, np.nan), index=values.index)
    return scores.astype("Int64"), [
        ("not_a_number", not_number),
        ("not_an_integer", not_integer),
        ("out_of_range", out_of_range),
    ]


def _parse_dates(
    values: pd.Series, date_format: str | None, dayfirst: bool
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    present = values != ""
    # pandas reads these as the clock time of the run: never a comment's date.
    relative = values.str.lower().isin(_RELATIVE_DATES).to_numpy()
    text = values.where(present & ~relative)
    with warnings.catch_warnings():
        # pandas warns when it falls back to parsing element by element; that is intended.
        warnings.simplefilter("ignore", UserWarning)
        if date_format is not None:
            parsed = pd.to_datetime(text, format=date_format, utc=True, errors="coerce")
        else:
            parsed = pd.to_datetime(text, utc=True, errors="coerce", dayfirst=dayfirst)
            retry = present & parsed.isna()
            if retry.any():
                parsed = parsed.astype("datetime64[us, UTC]")
                parsed[retry] = pd.to_datetime(
                    text[retry], utc=True, errors="coerce", dayfirst=dayfirst, format="mixed"
                ).astype("datetime64[us, UTC]")
    unparseable = (present & parsed.isna()).to_numpy() | relative
    out_of_range = ((parsed < _TS_MIN) | (parsed > _TS_MAX)).to_numpy(dtype=bool)
    parsed = parsed.where(~out_of_range).astype("datetime64[ns, UTC]")
    return parsed, unparseable, out_of_range
