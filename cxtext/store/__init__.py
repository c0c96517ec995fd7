"""DuckDB store of tagged comments, themes of model versions and runs.

:class:`Store` writes atomically (copy, write, rename; see :mod:`cxtext.store.store`);
:class:`Reader` gives read-only cursors that follow the writes; the functions of
:mod:`cxtext.store.queries` answer the API's questions over such a cursor.
"""

from cxtext.store.queries import (
    ANY_MODEL,
    Filters,
    active_model,
    comments_page,
    list_models,
    period_theme_counts,
    theme_counts,
    theme_detail,
)
from cxtext.store.schema import SCHEMA_VERSION, migrate
from cxtext.store.scores import nps_counts, score_rows, undated_comments
from cxtext.store.store import Reader, Store

__all__ = [
    "ANY_MODEL",
    "SCHEMA_VERSION",
    "Filters",
    "Reader",
    "Store",
    "active_model",
    "comments_page",
    "list_models",
    "migrate",
    "nps_counts",
    "period_theme_counts",
    "score_rows",
    "theme_counts",
    "theme_detail",
    "undated_comments",
]
