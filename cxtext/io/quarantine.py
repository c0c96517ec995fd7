"""Quarantine file: the rejected rows of an ingest, with why they were rejected.

A UTF-8 CSV with the columns ``source_row`` (1-based data row of the input, header
excluded), ``source_line`` (1-based physical line the row starts on, header included;
empty for Parquet and XLSX), ``reasons`` (the row's reason keys, e.g.
``"nps_score:out_of_range;created_at:unparseable_date"``, the same keys the ingest report
counts), ``raw_record`` (for a record that could not be split into fields, e.g. one with
an unbalanced quote: its text as it stood in the file) and then every column of the input
with its original, unparsed value. Cells that a spreadsheet would run as a formula get a
leading ``'`` (:mod:`cxtext.io.csv_out`).

The writer deletes any file already at its path when it is created, and writes the file
(header once, then rows chunk by chunk) only when a first row is quarantined: after a
run, a quarantine file exists exactly when that run rejected rows. Raw values are not
PII-redacted: treat the file as sensitive.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from cxtext.io.csv_out import write_people_csv
from cxtext.schema import SOURCE_ROW

REASONS = "reasons"
SOURCE_LINE = "source_line"
RAW_RECORD = "raw_record"


class QuarantineWriter:
    """Append rejected rows to a quarantine CSV, opening it on the first write.

    Parameters
    ----------
    path
        Where the quarantine file goes; an existing file there is deleted now.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        self._handle: TextIO | None = None
        self.path.unlink(missing_ok=True)

    def write(
        self,
        raw: pd.DataFrame,
        source_rows: np.ndarray,
        reasons: np.ndarray,
        *,
        lines: np.ndarray | None = None,
        records: np.ndarray | None = None,
    ) -> None:
        """Append rejected rows.

        Parameters
        ----------
        raw
            The rejected rows as read, shape (k, n_columns).
        source_rows
            Array of shape (k,): their 1-based source row numbers.
        reasons
            Array of shape (k,): their ``";"``-joined reason keys.
        lines
            Array of shape (k,): their 1-based physical start lines, if known.
        records
            Array of shape (k,): raw text of records that could not be split (else ``""``).
        """
        if not len(raw):
            return
        k = len(raw)
        head = pd.DataFrame(
            {
                SOURCE_ROW: source_rows,
                SOURCE_LINE: lines if lines is not None else [""] * k,
                REASONS: reasons,
                RAW_RECORD: records if records is not None else [""] * k,
            }
        )
        out = pd.concat([head, raw.reset_index(drop=True)], axis=1)
        first = self._handle is None
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8", newline="")
        write_people_csv(out, self._handle, header=first)
        self.rows += len(raw)

    def close(self) -> None:
        """Flush and close the file (if one was started)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
