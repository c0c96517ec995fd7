"""cxtext.io: read exports, map columns, validate, quarantine bad rows, redact PII.

Public API::

    from cxtext.io import ColumnMapping, ingest_file, iter_ingest, write_ingest

    mapping = ColumnMapping.from_toml("training/configs/mappings/airline_tweets.toml")
    result = ingest_file("Tweets.csv", mapping, quarantine_path="bad_rows.csv")
    result.frame, result.report.to_dict()
"""

from cxtext.io.csv_out import write_people_csv
from cxtext.io.delimited import detect_encoding, sniff_delimiter
from cxtext.io.ingest import (
    IngestReport,
    IngestResult,
    IngestStream,
    ingest_file,
    iter_ingest,
    write_ingest,
)
from cxtext.io.mapping import ColumnMapping, load_mapping
from cxtext.io.pii import PiiKind, redact_pii, redact_pii_series
from cxtext.io.readers import Table, open_table

__all__ = [
    "ColumnMapping",
    "IngestReport",
    "IngestResult",
    "IngestStream",
    "PiiKind",
    "Table",
    "detect_encoding",
    "ingest_file",
    "iter_ingest",
    "load_mapping",
    "open_table",
    "redact_pii",
    "redact_pii_series",
    "sniff_delimiter",
    "write_ingest",
    "write_people_csv",
]
