"""Tag comments with the active model; store them (write scope)."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request

from api.deps import require
from api.models import tag_sent_comments
from api.problems import PROBLEM_RESPONSE
from api.routers.common import WriteKey
from api.schemas import (
    ISO_8601,
    IngestComment,
    IngestRequest,
    IngestResponse,
    TagRequest,
    TagResponse,
)
from api.serving import current_models, store_of
from cxtext import schema
from cxtext.io.mapping import ColumnMapping
from cxtext.io.validate import ChunkValidator
from cxtext.loop import cases_to_open, load_routing, notify_run
from cxtext.pipeline import ServingModels

router = APIRouter(
    tags=["tagging"],
    responses={
        401: PROBLEM_RESPONSE,
        403: PROBLEM_RESPONSE,
        413: PROBLEM_RESPONSE,
        422: PROBLEM_RESPONSE,
        503: PROBLEM_RESPONSE,
    },
)


def loaded_models(request: Request) -> ServingModels:
    """The models of the store's active version (reloaded when another one was activated)."""
    models = current_models(request.app)
    if models is None:
        raise HTTPException(503, "no theme model is loaded; publish and activate one")
    return models


ModelsDep = Annotated[ServingModels, Depends(loaded_models)]


def _check_batch(request: Request, n: int) -> None:
    limit = request.app.state.settings.max_tag_batch
    if n > limit:
        raise HTTPException(413, f"{n} comments in one request; the limit is {limit}")


def _tagged(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.itertuples(index=False):
        clauses = [
            {"theme_id": int(t), "parent_theme_id": int(p), "sentiment": float(s)}
            for t, p, s in zip(
                getattr(row, schema.CLAUSE_THEME_IDS),
                getattr(row, schema.CLAUSE_PARENT_IDS),
                getattr(row, schema.CLAUSE_SENTIMENTS),
                strict=True,
            )
        ]
        sentiment = getattr(row, schema.SENTIMENT)
        out.append(
            {
                "id": str(getattr(row, schema.ID)),
                "language": str(getattr(row, schema.LANGUAGE)),
                "theme_id": int(getattr(row, schema.THEME_ID)),
                "theme_label": str(getattr(row, schema.THEME_LABEL)),
                "theme_ids": [int(t) for t in getattr(row, schema.THEME_IDS)],
                "parent_theme_id": int(getattr(row, schema.PARENT_THEME_ID)),
                "clauses": clauses,
                "sentiment": None if pd.isna(sentiment) else float(sentiment),
                "sentiment_label": _text(getattr(row, schema.SENTIMENT_LABEL)),
                "predicted_nps_group": _text(getattr(row, schema.PREDICTED_NPS_GROUP, None)),
            }
        )
    return out


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _store(
    request: Request,
    models: ServingModels,
    frame: pd.DataFrame,
    segments: list[str],
    *,
    read: int,
    background: BackgroundTasks,
) -> tuple[str, int]:
    """Store tagged comments and open the cases the routing rules (when set) give them;
    their owners' webhooks are called after the answer is sent. Returns the run id and
    the cases opened."""
    started = datetime.now(UTC)
    store = store_of(request.app)
    settings = request.app.state.settings
    routing = settings.routing
    cases = rules = None
    if routing is not None:
        themes = models.themes
        rules = load_routing(routing, themes.themes_, themes.parent_themes_, segments=None)
        cases, _ = cases_to_open(
            frame,
            rules,
            themes=themes.themes_,
            model=models.manifest["name"],
            version=models.manifest["version"],
        )
    run_id = store.write_comments(
        frame,
        run={
            "kind": "tag",
            "run_id": f"api-{uuid.uuid4().hex[:12]}",
            "input": "POST /v1",
            "started_at": started,
            "read": read,
            "accepted": len(frame),
            "quarantined": read - len(frame),
        },
        segments=segments,
        model=models.manifest["name"],
        version=models.manifest["version"],
        cases=cases,
    )
    if rules is None:
        return run_id, 0
    background.add_task(notify_run, store, run_id, rules, settings.webhook_secret)
    return run_id, store.cases_opened(run_id)


def new_id() -> str:
    """A comment id unique for ever, in time order: a UUID of version 7's layout (48 bits
    of Unix milliseconds, then 74 random bits)."""
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    return str(uuid.UUID(int=value))


def _distinct_ids(ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise HTTPException(422, "comment ids repeat within the request")


@router.post("/tag", response_model=TagResponse, summary="Tag comments")
def tag(
    body: TagRequest,
    request: Request,
    background: BackgroundTasks,
    models: ModelsDep,
    key: Annotated[str, Depends(require("read"))],
) -> Any:
    """Language, themes per clause, sentiment and predicted NPS group of up to
    ``max_tag_batch`` comments (default 256). Nothing is stored unless ``store`` is true,
    which needs the write scope.

    A comment without an id gets a new one, unique for ever (a time-ordered UUID), returned
    with it. A stored comment is keyed by its id: storing a comment whose id is already
    stored replaces the earlier one."""
    _check_batch(request, len(body.comments))
    if body.store:
        require("write")(request.app.state.settings, request.headers.get("X-API-Key"))
    ids = [c.id or new_id() for c in body.comments]
    if body.store:
        _distinct_ids(ids)
    frame = tag_sent_comments(
        models,
        [
            {"id": i, "text": c.text, "language": c.language}
            for i, c in zip(ids, body.comments, strict=True)
        ],
        languages=request.app.state.settings.languages,
    )
    stored = opened = 0
    if body.store:
        frame[schema.SOURCE] = schema.Source.SURVEY.value
        _, opened = _store(request, models, frame, [], read=len(frame), background=background)
        stored = len(frame)
    return {
        "model": models.version,
        "comments": _tagged(frame),
        "stored": stored,
        "cases_opened": opened,
    }


def _check_dates(comments: list[IngestComment]) -> tuple[pd.Series, list[dict[str, Any]]]:
    """The comments' ``created_at`` checked as ingestion checks a date column, and in ISO
    8601's extended form: the dates of those that pass (UTC; NaT: undated), in order, and
    those quarantined, with their ``index``, ``id`` and ``reasons`` (ingestion's keys, e.g.
    ``created_at:unparseable_date``)."""
    values = [(c.created_at or "").strip() for c in comments]
    raw = pd.DataFrame({schema.CREATED_AT: values}, dtype=str)
    mapping = ColumnMapping(columns={schema.CREATED_AT: (schema.CREATED_AT,)})
    checked = ChunkValidator(mapping).validate(raw, first_row=0)
    reasons = {
        int(i): str(keys).split(";")
        for i, keys in zip(checked.bad.nonzero()[0], checked.reasons, strict=True)
    }
    for i, value in enumerate(values):
        if value and i not in reasons and not ISO_8601.fullmatch(value):
            reasons[i] = [f"{schema.CREATED_AT}:unparseable_date"]
    quarantined = [
        {"index": i, "id": comments[i].id, "reasons": reasons[i]} for i in sorted(reasons)
    ]
    dates = pd.Series(checked.frame[schema.CREATED_AT].array, index=(~checked.bad).nonzero()[0])
    return dates.drop(list(reasons), errors="ignore"), quarantined


@router.post("/ingest", response_model=IngestResponse, summary="Tag and store comments")
def ingest(
    body: IngestRequest,
    request: Request,
    background: BackgroundTasks,
    models: ModelsDep,
    _: WriteKey,
) -> Any:
    """Tag comments with the active model and store them; a comment sent again replaces
    the stored one (keyed by id).

    A comment whose ``created_at`` is not an ISO 8601 date (or lies outside 1677-2262) is
    quarantined as ingestion does: not stored, and listed in ``quarantined`` with its index
    in the request and its reasons; the other comments are stored. A comment without
    ``created_at`` is stored undated: it counts in totals and in no period."""
    _check_batch(request, len(body.comments))
    _distinct_ids([c.id for c in body.comments])
    dates, quarantined = _check_dates(body.comments)
    bad = {q["index"] for q in quarantined}
    comments = [c for i, c in enumerate(body.comments) if i not in bad]
    answer = {"run_id": None, "stored": 0, "quarantined": quarantined, "model": models.version}
    if not comments:
        return answer
    frame = tag_sent_comments(
        models,
        [{"id": c.id, "text": c.text, "language": c.language} for c in comments],
        languages=request.app.state.settings.languages,
    )
    frame[schema.SOURCE] = [c.source for c in comments]
    frame[schema.CREATED_AT] = dates.array
    frame[schema.NPS_SCORE] = pd.array([c.nps_score for c in comments], dtype="Int64")
    frame[schema.CSAT] = pd.array([c.csat for c in comments], dtype="Int64")
    names = sorted({k for c in comments for k in c.segments})
    for name in names:
        frame[name] = [c.segments.get(name) for c in comments]
    run_id, opened = _store(
        request, models, frame, names, read=len(body.comments), background=background
    )
    return answer | {"run_id": run_id, "stored": len(frame), "cases_opened": opened}
