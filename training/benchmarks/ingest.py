"""Ingestion benchmark: rows/s on real reviews, and quarantine counts on a broken file.

Usage: python training/benchmarks/ingest.py [--out training/benchmarks/results/ingest.json]

1. Women's E-Commerce Clothing Reviews (Kaggle, CC0; 23,486 rows, read from
   ../shared/data) through training/configs/mappings/clothing_reviews.toml, with and
   without language id (best of --repeat runs, after one warm-up that loads the language
   models).
   Side by side in the same run: cxtext's reader alone (strict record splitting, line
   numbers, whole-file encoding scan) against pandas' C parser reading the same file.
2. The demo survey export with known defects planted in it, value defects and damage to
   the bytes of the file (an invalid byte, an unbalanced quote, an extra field, a NUL):
   every defect must be quarantined with its reason, read = accepted + quarantined, and
   every accepted row must hold exactly its own values.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import write_result

from cxtext.demo import generate_survey
from cxtext.demo.files import mapping_toml
from cxtext.io import ColumnMapping, ingest_file, open_table
from cxtext.schema import Source

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
CLOTHING = DATA / "womens_clothing_reviews" / "womens_clothing_reviews.csv"
SCORE = "Likelihood to recommend (0-10)"

# defect -> (column, bad value, rows); each row gets one defect.
DEFECTS: dict[str, tuple[str, str, int]] = {
    "score 11": (SCORE, "11", 20),
    "score 7.5": (SCORE, "7.5", 15),
    "score 'ten'": (SCORE, "ten", 10),
    "unparseable date": ("Submitted", "31/31/2025", 10),
    "csat 6": ("CSAT (1-5)", "6", 10),
    "missing id": ("ResponseID", "", 5),
    "duplicate id": ("ResponseID", "<dup>", 10),
    "unknown survey type": ("Survey type", "weekly", 5),
}


def _rate(path: Path, mapping: ColumnMapping, *, language: bool, repeat: int) -> dict:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = ingest_file(path, mapping, detect_language=language)
        best = min(best, time.perf_counter() - started)
    return {
        "rows": result.report.read,
        "seconds": round(best, 2),
        "rows_per_second": round(result.report.read / best),
    }


# Damage to the file's bytes: name -> (how a data line is changed, rows).
BYTE_DAMAGE: dict[str, tuple[Callable[[bytes], bytes], int]] = {
    "invalid byte in a cell": (lambda line: line.replace(b",", b",\xff", 1), 5),
    "quote opened, never closed": (lambda line: line.replace(b",", b',"', 1), 5),
    "extra field": (lambda line: line.rstrip(b"\r\n") + b",surplus\n", 5),
    "NUL in a cell": (lambda line: line.replace(b",", b",\x00", 1), 5),
}


def _timed(read: Callable[[], int], repeat: int) -> dict:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = read()
        best = min(best, time.perf_counter() - started)
    return {"rows": rows, "seconds": round(best, 3), "rows_per_second": round(rows / best)}


def _moved(frame: pd.DataFrame, reference: pd.DataFrame) -> int:
    """Accepted rows whose values differ from the same id's row in the undamaged file."""
    ref = reference.set_index("id").astype("string")
    got = frame.set_index("id").astype("string")[ref.columns]
    same = (got == ref.loc[got.index]) | (got.isna() & ref.loc[got.index].isna())
    return int((~same.all(axis=1)).sum())


def _broken_file(folder: Path) -> tuple[Path, ColumnMapping, int, pd.DataFrame, set[str]]:
    """The broken export, its mapping, the rows with value defects, the clean export and
    the ids of the rows whose bytes were damaged (NUL rows excepted: they stay valid)."""
    survey = generate_survey(3000, seed=1, n_bad=0)
    assert isinstance(survey, pd.DataFrame)
    clean = survey.copy()
    row = 0
    for column, value, count in DEFECTS.values():
        for _ in range(count):
            survey.loc[row, column] = survey.loc[0, "ResponseID"] if value == "<dup>" else value
            row += 1
    path = folder / "broken_survey.csv"
    survey.to_csv(path, index=False, lineterminator="\n")
    lines = path.read_bytes().splitlines(keepends=True)
    damaged: set[str] = set()
    at = row + 1 + 100  # lines well after the value defects
    for name, (change, count) in BYTE_DAMAGE.items():
        for _ in range(count):
            lines[at] = change(lines[at])
            if name != "NUL in a cell":
                damaged.add(str(survey.loc[at - 1, "ResponseID"]))
            at += 37
    path.write_bytes(b"".join(lines))
    (folder / "mapping.toml").write_text(mapping_toml(Source.SURVEY))
    # Row 0 (itself a bad score) claims its id first; the ten copies are the duplicates.
    return path, ColumnMapping.from_toml(folder / "mapping.toml"), row, clean, damaged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "training/benchmarks/results/ingest.json"
    )
    args = parser.parse_args()
    setup = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "clothing_file": str(CLOTHING.relative_to(DATA.parent)),
    }
    print("setup:", json.dumps(setup))
    result: dict = {"setup": setup}
    if CLOTHING.exists():
        mapping = ColumnMapping.from_toml(ROOT / "training/configs/mappings/clothing_reviews.toml")
        ingest_file(CLOTHING, mapping, detect_language=True)  # warm-up: language models load
        result["clothing_without_language_id"] = _rate(
            CLOTHING, mapping, language=False, repeat=args.repeat
        )
        result["clothing_with_language_id"] = _rate(
            CLOTHING, mapping, language=True, repeat=args.repeat
        )
        result["reader_only"] = {
            "cxtext": _timed(
                lambda: sum(len(c) for c in open_table(CLOTHING).iter_chunks()), args.repeat
            ),
            "pandas_c_parser": _timed(
                lambda: len(pd.read_csv(CLOTHING, dtype=str, keep_default_na=False)), args.repeat
            ),
        }
        for name, timing in result["reader_only"].items():
            print(f"reader only, {name}: {timing['rows']:,} rows in {timing['seconds']} s")
        for key in ("clothing_without_language_id", "clothing_with_language_id"):
            print(
                f"{key}: {result[key]['rows']:,} rows in {result[key]['seconds']} s = "
                f"{result[key]['rows_per_second']:,} rows/s"
            )
    else:
        print(f"skipped the clothing reviews: {CLOTHING} is absent")
    with tempfile.TemporaryDirectory() as tmp:
        path, mapping, planted, clean, damaged = _broken_file(Path(tmp))
        ingested = ingest_file(
            path, mapping, detect_language=False, quarantine_path=Path(tmp) / "q.csv"
        )
        report = ingested.report
        quarantine = pd.read_csv(Path(tmp) / "q.csv", dtype=str)
        clean.to_csv(Path(tmp) / "clean.csv", index=False)
        reference = ingest_file(Path(tmp) / "clean.csv", mapping, detect_language=False).frame
    reasons = Counter(report.reasons)
    accepted_ids = set(ingested.frame["id"])
    result["broken_file"] = {
        "planted_defects": {name: count for name, (_, _, count) in DEFECTS.items()},
        "rows_with_defects": planted,
        "byte_damage": {name: count for name, (_, count) in BYTE_DAMAGE.items()},
        "read": report.read,
        "lines": report.lines,
        "accepted": report.accepted,
        "quarantined": report.quarantined,
        "quarantine_file_rows": len(quarantine),
        "reasons": dict(reasons.most_common()),
        "nul_removed": report.nul_removed,
        "counts_add_up": report.read == report.accepted + report.quarantined,
        "byte_damaged_rows_accepted": len(damaged & accepted_ids),
        "accepted_rows_with_other_values": _moved(ingested.frame, reference),
    }
    broken = result["broken_file"]
    print(
        f"broken file: read {broken['read']:,} = accepted {broken['accepted']:,} + "
        f"quarantined {broken['quarantined']:,} (planted {planted}; quarantine file "
        f"{broken['quarantine_file_rows']} rows)"
    )
    print(
        f"  byte-damaged rows accepted: {broken['byte_damaged_rows_accepted']}; accepted rows "
        f"whose values differ from the undamaged file: {broken['accepted_rows_with_other_values']}"
    )
    for reason, count in reasons.most_common():
        print(f"  {reason}: {count}")
    write_result(args.out, result)


if __name__ == "__main__":
    main()
