"""CSV files written for people to open in a spreadsheet, safe from formula injection.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (also after
leading spaces, tabs or line breaks) as a formula, so a comment such as
``=HYPERLINK("http://evil", "click")`` would become live in the file cxtext wrote. Every
such text cell is written with a single quote in front (OWASP's advice for CSV
injection); a cell that is a plain number (``-3``, ``+4.5``) is left as it is, since it
cannot be a formula. Numeric columns are never touched.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

_FORMULA_START = re.compile(r"^[ \t\r\n]*[=+\-@]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")


def neutralize_cell(value: str) -> str:
    """``value`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value.strip()):
        return "'" + value
    return value


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot start a spreadsheet formula.

    Only object and string columns change; column names are neutralized too.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            text = series.astype("string")
            risky = text.str.match(_FORMULA_START, na=False)
            if risky.any():
                fixed = series.astype(object).copy()
                fixed[risky] = [neutralize_cell(str(v)) for v in text[risky]]
                out[column] = fixed
    out.columns = [neutralize_cell(str(c)) for c in out.columns]
    return out


def write_people_csv(
    frame: pd.DataFrame, target: str | Path | TextIO, *, header: bool = True, **options: Any
) -> None:
    """Write ``frame`` as UTF-8 CSV (no index) with formula cells neutralized.

    Parameters
    ----------
    frame
        The table.
    target
        A path (parent folders are made) or an open text handle.
    header
        Write the header row.
    **options
        Passed on to :meth:`pandas.DataFrame.to_csv`.
    """
    safe = neutralize_formulas(frame)
    if isinstance(target, str | Path):
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        safe.to_csv(path, index=False, header=header, encoding="utf-8", **options)
    else:
        safe.to_csv(target, index=False, header=header, **options)
