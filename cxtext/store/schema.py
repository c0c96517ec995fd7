"""The store's versioned SQL schema and its migrations.

``schema_migrations(version, applied_at)`` records every migration applied to a file.
:data:`MIGRATIONS` lists the steps in order; a step is never edited once released: a
schema change is a new step. :func:`migrate` applies the missing steps to a read-write
connection; a file whose schema is newer than this code knows is refused with
:class:`~cxtext.errors.ArtifactError`, so an old cxtext never writes a store it does not
understand.

Tables (one row per ...):

- ``comments``: comment, keyed by ``id`` (unique by the replace-by-id write; no PRIMARY KEY
  index, which made re-writing a million comments 50x slower: 17 s vs 0.3 s); text is
  PII-redacted upstream; the tagging columns (NULL when ingested only) and the model
  version that tagged it. A comment's themes, clauses and segments are list and map
  columns of its row, as in the tagged frame (``theme_ids``, ``clause_theme_ids``,
  ``clause_sentiments``, ..., ``segments`` ``{name: value}``): per-theme counts then
  unnest the filtered rows in one scan, where joins of child tables on the text id cost
  3-6x more (80-150 ms vs 20 ms per million comments, measured). ``nps_group`` /
  ``predicted_nps_group`` are an ENUM. Derived on insert, for one-pass counts:
  ``group_code`` (0-2 detractor, passive, promoter; 3-5 the predicted group of an
  unscored comment; 6 neither) and ``clause_theme_first`` / ``clause_parent_first`` (per
  clause: whether it is the first of the comment's clauses with its theme);
- ``model_versions``: published theme model version (one ``active`` in the whole store);
- ``themes``: theme or parent theme of a model version, lists and dicts as JSON text
  (``stability``: ``{"score", "status", "reason"}``, NULL for parents and older models);
- ``runs``: ingest or tag run with its counts and quarantine reasons (JSON text);
- ``daily_totals`` and ``daily_theme_counts``: counts of comments per (model version, UTC
  day, group code[, level, theme]), once over all comments (``dimension`` NULL) and once
  per value of each dimension a comment can be filtered by (``dimension`` 'source',
  'language' or 'segment:<name>', and its ``value``), with the theme's clause sentiment sum
  and clause count. They are derived: every write of comments recomputes them in its
  transaction (:data:`REBUILD_DAILY_COUNTS`). Counts filtered by dates and at most one
  dimension read them (~30k rows per slice at a million comments, vs 2M clauses to
  unnest); other filter combinations unnest the comments.

Views give the long forms for SQL users: ``comment_segments(comment_id, name, value)``,
``comment_themes(comment_id, level, theme_id)`` (level 'theme' | 'parent') and
``clauses(comment_id, clause_index, theme_id, parent_theme_id, sentiment)`` (-1
unassigned).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb

from cxtext.errors import ArtifactError
from cxtext.schema import NpsGroup

__all__ = [
    "MIGRATIONS",
    "REBUILD_DAILY_COUNTS",
    "SCHEMA_VERSION",
    "Migration",
    "check_version",
    "migrate",
    "schema_version",
]


@dataclass(frozen=True)
class Migration:
    """One schema step: the SQL statements that take a store from ``version - 1`` to it."""

    version: int
    description: str
    statements: tuple[str, ...]


_GROUPS: Final = ", ".join(f"'{group.value}'" for group in NpsGroup)

# The comment's UTC day; ``date_trunc`` / casts on TIMESTAMPTZ are 4x slower.
UTC_DAY: Final = "DATE '1970-01-01' + CAST(floor(epoch_us(created_at) / 86400000000) AS INTEGER)"
# Per comment, one row per dimension it can be filtered by: NULL (every comment), 'source',
# 'language' and 'segment:<name>' of each segment it has, with its value.
_DIMENSIONS: Final = f"""
    SELECT model, model_version, NULL::TEXT AS dimension, NULL::TEXT AS value,
           {UTC_DAY} AS day, group_code AS code{{lists}}
    FROM comments
    UNION ALL
    SELECT model, model_version, 'source', source, {UTC_DAY}, group_code{{lists}}
    FROM comments WHERE source IS NOT NULL
    UNION ALL
    SELECT model, model_version, 'language', language, {UTC_DAY}, group_code{{lists}}
    FROM comments WHERE language IS NOT NULL
    UNION ALL
    SELECT model, model_version,
           unnest(list_transform(map_keys(segments), lambda k: 'segment:' || k)),
           unnest(map_values(segments)), {UTC_DAY}, group_code{{lists}}
    FROM comments"""
_ORDER: Final = "model, model_version, {level}dimension NULLS FIRST, value, day"
# Recompute both tables from ``comments``, written in key order so that the zone maps of a
# dimension value's rows skip the others'.
REBUILD_DAILY_COUNTS: Final[tuple[str, ...]] = (
    "DELETE FROM daily_totals",
    "DELETE FROM daily_theme_counts",
    f"""INSERT INTO daily_totals
    SELECT model, model_version, dimension, value, day, code, count(*) AS n
    FROM ({_DIMENSIONS.format(lists="")})
    GROUP BY ALL ORDER BY {_ORDER.format(level="")}""",
    f"""INSERT INTO daily_theme_counts
    WITH rows AS ({
        _DIMENSIONS.format(
            lists=", clause_theme_ids, clause_theme_first, "
            "clause_parent_ids, clause_parent_first, clause_sentiments"
        )
    }),
    clauses AS (
        SELECT model, model_version, 'theme' AS level, dimension, value, day, code,
               unnest(clause_theme_ids) AS theme_id, unnest(clause_theme_first) AS first,
               unnest(clause_sentiments) AS sentiment
        FROM rows
        UNION ALL
        SELECT model, model_version, 'parent', dimension, value, day, code,
               unnest(clause_parent_ids), unnest(clause_parent_first), unnest(clause_sentiments)
        FROM rows)
    SELECT model, model_version, level, dimension, value, day, code, theme_id,
           count(*) FILTER (WHERE first) AS n, sum(sentiment) AS sentiment_sum,
           count(sentiment) AS clauses
    FROM clauses WHERE theme_id <> -1
    GROUP BY ALL ORDER BY {_ORDER.format(level="level, ")}""",
)

MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "comments with themes, clauses and segments; model versions, themes, runs",
        (
            f"CREATE TYPE respondent_group AS ENUM ({_GROUPS})",
            """CREATE TABLE comments (
                id TEXT NOT NULL,
                source TEXT,
                created_at TIMESTAMPTZ,
                text TEXT,
                language TEXT,
                nps_score INTEGER,
                nps_group respondent_group,
                csat INTEGER,
                sentiment DOUBLE,
                sentiment_label TEXT,
                predicted_nps_group respondent_group,
                theme_id INTEGER,
                parent_theme_id INTEGER,
                theme_ids INTEGER[],
                parent_theme_ids INTEGER[],
                clause_theme_ids INTEGER[],
                clause_parent_ids INTEGER[],
                clause_sentiments DOUBLE[],
                segments MAP(TEXT, TEXT),
                model TEXT,
                model_version TEXT,
                run_id TEXT,
                group_code UTINYINT NOT NULL,
                clause_theme_first BOOLEAN[],
                clause_parent_first BOOLEAN[]
            )""",
            """CREATE VIEW comment_segments AS
            SELECT id AS comment_id, unnest(map_keys(segments)) AS name,
                   unnest(map_values(segments)) AS value
            FROM comments""",
            """CREATE VIEW comment_themes AS
            SELECT id AS comment_id, 'theme' AS level, unnest(theme_ids) AS theme_id
            FROM comments
            UNION ALL
            SELECT id, 'parent', unnest(parent_theme_ids) FROM comments""",
            """CREATE VIEW clauses AS
            SELECT id AS comment_id, generate_subscripts(clause_theme_ids, 1) - 1 AS clause_index,
                   unnest(clause_theme_ids) AS theme_id,
                   unnest(clause_parent_ids) AS parent_theme_id,
                   unnest(clause_sentiments) AS sentiment
            FROM comments""",
            """CREATE TABLE model_versions (
                model TEXT NOT NULL,
                version TEXT NOT NULL,
                created_at TIMESTAMPTZ,
                active BOOLEAN NOT NULL DEFAULT false,
                manifest TEXT NOT NULL,
                PRIMARY KEY (model, version)
            )""",
            """CREATE TABLE themes (
                model TEXT NOT NULL,
                version TEXT NOT NULL,
                theme_id INTEGER NOT NULL,
                level TEXT NOT NULL CHECK (level IN ('theme', 'parent')),
                label TEXT,
                parent_id INTEGER,
                size INTEGER,
                origin TEXT,
                keywords TEXT,
                keywords_by_language TEXT,
                representatives TEXT,
                PRIMARY KEY (model, version, level, theme_id)
            )""",
            """CREATE TABLE runs (
                run_id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('ingest', 'tag')),
                input TEXT,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ,
                read BIGINT,
                accepted BIGINT,
                quarantined BIGINT,
                reasons TEXT,
                model TEXT,
                model_version TEXT
            )""",
        ),
    ),
    Migration(
        2,
        "CES answers and ticket times, beside the comments they belong to",
        (
            """CREATE TABLE comment_facts (
                comment_id TEXT NOT NULL,
                ces INTEGER,
                ces_scale TEXT,
                first_response_at TIMESTAMPTZ,
                resolved_at TIMESTAMPTZ,
                last_resolved_at TIMESTAMPTZ
            )""",
        ),
    ),
    Migration(
        3,
        "daily counts per theme and in total, for every comment and per segment value",
        (
            """CREATE TABLE daily_totals (
                model TEXT,
                model_version TEXT,
                dimension TEXT,
                value TEXT,
                day DATE,
                code UTINYINT NOT NULL,
                n BIGINT NOT NULL
            )""",
            """CREATE TABLE daily_theme_counts (
                model TEXT,
                model_version TEXT,
                level TEXT NOT NULL,
                dimension TEXT,
                value TEXT,
                day DATE,
                code UTINYINT NOT NULL,
                theme_id INTEGER NOT NULL,
                n BIGINT NOT NULL,
                sentiment_sum DOUBLE,
                clauses BIGINT NOT NULL
            )""",
            *REBUILD_DAILY_COUNTS,
        ),
    ),
    Migration(
        4,
        "follow-up cases of routed comments, with the history of their status and their "
        "webhook calls; fixes shipped for themes (actions); the customer of each comment, "
        "to follow a customer's later answers",
        (
            "ALTER TABLE comments ADD COLUMN customer_id TEXT",
            # One case per comment: enforced by the insert (cxtext/store/cases.py), as
            # DuckDB's unique indexes refuse some updates of the rows they cover.
            """CREATE TABLE cases (
                case_id TEXT NOT NULL,
                comment_id TEXT NOT NULL,
                customer_id TEXT,
                theme_id INTEGER NOT NULL,
                theme_label TEXT,
                model TEXT,
                model_version TEXT,
                rule TEXT NOT NULL,
                owner TEXT NOT NULL,
                opened_at TIMESTAMPTZ NOT NULL,
                due_at TIMESTAMPTZ NOT NULL,
                status TEXT NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                contacted_at TIMESTAMPTZ,
                closed_at TIMESTAMPTZ,
                run_id TEXT
            )""",
            """CREATE TABLE case_events (
                case_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                changed_at TIMESTAMPTZ NOT NULL,
                actor TEXT NOT NULL,
                status TEXT NOT NULL,
                note TEXT
            )""",
            """CREATE TABLE actions (
                action_id TEXT NOT NULL,
                model TEXT NOT NULL,
                model_version TEXT NOT NULL,
                level TEXT NOT NULL,
                theme_id INTEGER NOT NULL,
                theme_label TEXT,
                description TEXT NOT NULL,
                owner TEXT NOT NULL,
                shipped_on DATE NOT NULL,
                segments TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            )""",
            """CREATE TABLE case_deliveries (
                case_id TEXT NOT NULL,
                url TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                delivered BOOLEAN NOT NULL,
                http_status INTEGER,
                error TEXT,
                finished_at TIMESTAMPTZ NOT NULL
            )""",
        ),
    ),
    Migration(
        5,
        "each theme's stability, as measured when its model was trained (JSON text)",
        ("ALTER TABLE themes ADD COLUMN stability TEXT",),
    ),
)

SCHEMA_VERSION: Final[int] = MIGRATIONS[-1].version

_CREATE_MIGRATIONS: Final = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMPTZ NOT NULL
)"""


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of the connected store: 0 for an empty database.

    Works on read-only connections (creates nothing).
    """
    ((exists,),) = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND table_name = 'schema_migrations'"
    ).fetchall()
    if not exists:
        return 0
    ((version,),) = con.execute(
        "SELECT coalesce(max(version), 0) FROM schema_migrations"
    ).fetchall()
    return int(version)


def check_version(version: int, *, path: str) -> None:
    """Refuse a store whose schema is newer than this code knows.

    Raises
    ------
    ArtifactError
        When ``version`` exceeds :data:`SCHEMA_VERSION`.
    """
    if version > SCHEMA_VERSION:
        raise ArtifactError(
            f"store {path} has schema version {version}, newer than the {SCHEMA_VERSION} "
            "this cxtext knows; upgrade cxtext to use it"
        )


def migrate(con: duckdb.DuckDBPyConnection, *, path: str = "store") -> int:
    """Apply the missing migrations, each in its own transaction.

    Parameters
    ----------
    con
        A read-write connection to the store file.
    path
        The file's name, for error messages.

    Returns
    -------
    int
        The schema version after migrating (:data:`SCHEMA_VERSION`).

    Raises
    ------
    ArtifactError
        When the store's schema is newer than this code knows.
    """
    current = schema_version(con)
    check_version(current, path=path)
    con.execute(_CREATE_MIGRATIONS)
    for step in MIGRATIONS:
        if step.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in step.statements:
                con.execute(statement)
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [step.version])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION
