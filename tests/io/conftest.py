"""Shared helpers for the cxtext.io tests: small files written in tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

WriteCsv = Callable[..., Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Return ``write(header, rows, name="in.csv", **csv_options) -> Path``."""

    def write(
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        name: str = "in.csv",
        **options: str,
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, **options)  # type: ignore[arg-type]
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
