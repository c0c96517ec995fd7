"""Synthetic tagged frames for the store tests (and their worker processes)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxtext import schema
from cxtext.store import Store

MODEL = "demo"
VERSION = "v1"
STABILITY = [
    {"score": 0.95, "status": "stable", "reason": None},
    {"score": 0.41, "status": "unstable", "reason": None},
    {"score": 0.8, "status": "stable", "reason": None},
    {"score": None, "status": "not measured", "reason": "fewer than 20 members (12)"},
]
THEMES = [
    {
        "id": theme,
        "label": f"theme {theme}",
        "size": 10 * (theme + 1),
        "parent": theme // 2,
        "origin": "discovered",
        "keywords": [["word", 0.5]],
        "keywords_by_language": {"en": [["word", 0.5]], "pt": [["palavra", 0.4]]},
        "representatives": [{"id": f"c{theme}", "text": "example", "language": "en"}],
        "stability": STABILITY[theme],
    }
    for theme in range(4)
]
PARENTS = [
    {"id": parent, "label": f"group {parent}", "keywords": [], "children": [], "size": 30}
    for parent in range(2)
]
MANIFEST = {"name": MODEL, "version": VERSION, "created": "2024-05-01T00:00:00+00:00"}


def tagged_frame(n: int, *, start: int = 0, seed: int = 0, theme_shift: int = 0) -> pd.DataFrame:
    """``n`` tagged comments with ids ``c{start}`` ... and up to 3 clauses each.

    Columns as ``cxtext tag`` writes them; list columns hold numpy arrays for even rows
    and Python lists for odd rows (as after a Parquet round trip, and before it).
    """
    rng = np.random.default_rng(seed)
    ids = [f"c{i:07d}" for i in range(start, start + n)]
    n_clauses = rng.integers(0, 4, size=n)
    # themes -1 (unassigned) to 3, each moved by theme_shift (cyclically)
    clause_themes = [(rng.integers(0, 5, size=k) + theme_shift) % 5 - 1 for k in n_clauses]
    clause_parents = [np.where(t < 0, -1, t // 2) for t in clause_themes]
    sentiments = [np.round(rng.uniform(-1, 1, size=len(t)), 3) for t in clause_themes]
    scores = rng.integers(0, 11, size=n).astype(float)
    scores[rng.random(n) < 0.2] = np.nan

    def lists(values: list[np.ndarray]) -> list[object]:
        return [v if i % 2 == 0 else v.tolist() for i, v in enumerate(values)]

    def distinct(values: list[np.ndarray]) -> list[np.ndarray]:
        return [np.array(list(dict.fromkeys(int(x) for x in v if x >= 0))) for v in values]

    frame = pd.DataFrame(
        {
            schema.ID: pd.array(ids, dtype="string"),
            schema.SOURCE: pd.array(
                np.where(rng.random(n) < 0.7, "survey", "ticket"), dtype="string"
            ),
            schema.CREATED_AT: pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 90 * 24 * 3600, size=n), unit="s"),
            schema.TEXT: pd.array([f"comment {i} about Delivery" for i in ids], dtype="string"),
            schema.LANGUAGE: pd.array(rng.choice(["en", "pt", "nl"], size=n), dtype="string"),
            schema.NPS_SCORE: pd.array(scores, dtype="Int64"),
            schema.SENTIMENT: np.array([float(np.mean(s)) if len(s) else 0.0 for s in sentiments]),
            schema.SENTIMENT_LABEL: pd.array(["neutral"] * n, dtype="string"),
            schema.PREDICTED_NPS_GROUP: pd.array(
                ["detractor" if np.isnan(score) else None for score in scores], dtype="string"
            ),
            schema.THEME_ID: np.array(
                [int(t[t >= 0][0]) if (t >= 0).any() else -1 for t in clause_themes]
            ),
            schema.THEME_IDS: lists(distinct(clause_themes)),
            schema.PARENT_THEME_IDS: lists(distinct(clause_parents)),
            schema.CLAUSE_THEME_IDS: lists(clause_themes),
            schema.CLAUSE_PARENT_IDS: lists(clause_parents),
            schema.CLAUSE_SENTIMENTS: lists(sentiments),
            "country": pd.array(
                np.array(["PT", "NL", None], dtype=object)[rng.integers(0, 3, size=n)],
                dtype="string",
            ),
            "plan": pd.array(rng.choice(["free", "pro"], size=n), dtype="string"),
        }
    )
    frame[schema.PARENT_THEME_ID] = np.where(
        frame[schema.THEME_ID] < 0, -1, frame[schema.THEME_ID] // 2
    )
    frame[schema.NPS_GROUP] = pd.array(
        [None if pd.isna(s) else schema.nps_group(int(s)).value for s in frame[schema.NPS_SCORE]],
        dtype="string",
    )
    return frame


# Six tagged comments whose counts the tests check by hand; parents: 1 -> 0, 2 and 3 -> 1.
TINY = pd.DataFrame(
    {
        schema.ID: ["a", "b", "c", "d", "e", "f"],
        schema.SOURCE: ["survey", "survey", "ticket", "survey", "survey", "ticket"],
        schema.CREATED_AT: pd.to_datetime(
            [
                "2024-03-01 10:00:00",
                "2024-03-01 23:59:59",
                "2024-03-02 00:00:00",
                "2024-03-08 12:00:00",
                "2024-04-01 00:00:00",
                None,
            ],
            utc=True,
        ),
        schema.TEXT: [
            "Delivery was LATE",
            "great app",
            "late_fee of 100%",
            "ok",
            "late but fine",
            "100 percent wrong",
        ],
        schema.LANGUAGE: ["en", "pt", "pt", "en", "nl", "en"],
        schema.NPS_SCORE: pd.array([2, 9, None, 7, 10, None], dtype="Int64"),
        schema.SENTIMENT: [-0.5, 0.6, -0.3, 0.0, 0.7, -0.2],
        schema.SENTIMENT_LABEL: ["negative", "positive", "negative", "neutral", "positive", None],
        schema.PREDICTED_NPS_GROUP: [None, None, "detractor", None, None, None],
        schema.THEME_ID: [1, 1, 2, -1, 3, 3],
        schema.PARENT_THEME_ID: [0, 0, 1, -1, 1, 1],
        schema.THEME_IDS: [[1, 2], [1], [2], [], [3, 2], [3]],
        schema.PARENT_THEME_IDS: [[0, 1], [0], [1], [], [1], [1]],
        schema.CLAUSE_THEME_IDS: [[1, 2, 1], [1], [2, -1], [-1], [3, 2], [3]],
        schema.CLAUSE_PARENT_IDS: [[0, 1, 0], [0], [1, -1], [-1], [1, 1], [1]],
        schema.CLAUSE_SENTIMENTS: [
            [-0.8, 0.2, -0.4],
            [0.6],
            [-0.5, 0.1],
            [0.0],
            [0.4, 0.9],
            [-0.2],
        ],
        "country": ["PT", "PT", "NL", "NL", None, "PT"],
        "plan": ["pro", "free", "pro", None, "pro", "free"],
    }
)
TINY[schema.NPS_GROUP] = [
    None if pd.isna(s) else schema.nps_group(int(s)).value for s in TINY[schema.NPS_SCORE]
]
# A comment ingested but not tagged (no model).
UNTAGGED = pd.DataFrame(
    {
        schema.ID: ["g"],
        schema.SOURCE: ["survey"],
        schema.CREATED_AT: pd.to_datetime([None], utc=True),
        schema.TEXT: ["no model yet"],
        schema.NPS_SCORE: pd.array([3], dtype="Int64"),
        "country": ["PT"],
    }
)


def publish_demo(store: Store) -> None:
    """Publish the demo model (4 themes, 2 parents) and make it active."""
    store.publish_model(MANIFEST, THEMES, PARENTS, activate=True)


def ids_of(frame: pd.DataFrame) -> list[str]:
    """Sorted comment ids of a frame."""
    return sorted(np.asarray(frame[schema.ID], dtype=str).tolist())
