"""Batch tagging: chunked output equals tagging the whole file, counts add up, a stopped
job resumes, and bad arguments fail before any work."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cxtext import schema
from cxtext.batch import LocalEngine, TagSpec, run_tag_job, work_folder
from cxtext.batch.engines import Task, make_engine
from cxtext.errors import ArtifactError, ConfigError, DataValidationError
from cxtext.io import ingest_file
from cxtext.io.mapping import ColumnMapping
from cxtext.pipeline import load_serving_models, tag_comments
from tests.fakes import PHRASES, fake_encoder_for, fake_models

MAPPING = ColumnMapping.from_dict(
    {
        "source": "survey",
        "columns": {"id": "Id", "text": "Comment", "nps_score": "Score", "created_at": "Date"},
    }
)
LANGUAGE_PHRASES = ["de factuur klopt weer niet", "la connexion internet coupe sans cesse"]


def export(path: Path, n: int, *, start: int = 0, bad_every: int = 9) -> Path:
    """``n`` answers in several languages; every ``bad_every``-th has a score of 11."""
    rows = []
    for i in range(start, start + n):
        text = (PHRASES + LANGUAGE_PHRASES)[i % 5] + f" (visit {i})"
        score = "11" if i % bad_every == 4 else str(i % 11)
        rows.append([f"c{i}", f"2026-03-{i % 28 + 1:02d}", score, text])
    rows.append([f"c{start}", "2026-03-01", "5", "a repeated id"])
    pd.DataFrame(rows, columns=["Id", "Date", "Score", "Comment"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return fake_models(tmp_path_factory.mktemp("batch_models"))


@pytest.fixture
def spec(models: dict[str, Path], tmp_path: Path) -> TagSpec:
    return TagSpec(
        model=models["themes"],
        sentiment=models["sentiment"],
        cache_dir=tmp_path / "cache",
        encoder_factory=fake_encoder_for,
    )


def whole_file(path: Path, spec: TagSpec) -> pd.DataFrame:
    """The file ingested and tagged in one piece, as Parquet would give it back."""
    frame = ingest_file(path, MAPPING).frame
    models = load_serving_models(spec.model, fake_encoder_for, sentiment_path=spec.sentiment)
    tagged = tag_comments(frame, models)
    out = path.with_suffix(".whole.parquet")
    tagged.to_parquet(out, index=False)
    return pd.read_parquet(out)


def test_chunks_give_the_whole_files_tags_and_the_counts_add_up(
    tmp_path: Path, spec: TagSpec
) -> None:
    source = export(tmp_path / "answers.csv", 60)
    out = tmp_path / "tagged.parquet"
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=7)
    assert summary.chunks == 9  # 61 rows read 7 at a time
    assert summary.read == 61 == summary.tagged + summary.quarantined
    assert summary.quarantined == 8  # 7 scores of 11 and the repeated id
    assert summary.reasons == {"nps_score:out_of_range": 7, "id:duplicate": 1}
    quarantined = pd.read_csv(summary.quarantine_files[0], dtype=str)
    assert len(quarantined) == 8 and "61" in quarantined[schema.SOURCE_ROW].tolist()
    tagged = pd.read_parquet(out)
    pd.testing.assert_frame_equal(tagged, whole_file(source, spec))
    assert set(tagged[schema.LANGUAGE]) == {"en", "nl", "fr"}
    assert not work_folder(out).exists()
    assert summary.unassigned == int((tagged[schema.THEME_ID] == -1).sum())


class StopAfter:
    """An engine that stops the job (as a kill would) after ``n`` chunks."""

    name = "local"

    def __init__(self, n: int) -> None:
        self.n = n

    def run(self, tasks: Iterable[Task]) -> Iterator[Any]:
        for done, (function, args, kwargs) in enumerate(tasks):
            if done == self.n:
                raise KeyboardInterrupt
            yield function(*args, **kwargs)

    def close(self) -> None:
        return None


def test_a_stopped_job_resumes_and_gives_the_uninterrupted_output(
    tmp_path: Path, spec: TagSpec
) -> None:
    source = export(tmp_path / "answers.csv", 50)
    straight = tmp_path / "straight.parquet"
    run_tag_job(source, MAPPING, straight, spec, LocalEngine(), chunk_rows=8)
    out = tmp_path / "tagged.parquet"
    with pytest.raises(KeyboardInterrupt):
        run_tag_job(source, MAPPING, out, spec, StopAfter(3), chunk_rows=8)
    assert not out.exists()
    assert len(list(work_folder(out).glob("part-*.parquet"))) == 3
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=8)
    assert summary.resumed_chunks == 3 and summary.chunks == 7
    assert summary.read == 51 == summary.tagged + summary.quarantined
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(straight))


def test_other_arguments_start_the_work_over(tmp_path: Path, spec: TagSpec) -> None:
    source = export(tmp_path / "answers.csv", 40)
    out = tmp_path / "tagged.parquet"
    with pytest.raises(KeyboardInterrupt):
        run_tag_job(source, MAPPING, out, spec, StopAfter(2), chunk_rows=8)
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=10)
    assert summary.resumed_chunks == 0 and summary.chunks == 4
    export(source, 40, start=100)  # the same file, changed
    with pytest.raises(KeyboardInterrupt):
        run_tag_job(source, MAPPING, out, spec, StopAfter(1), chunk_rows=10)
    export(source, 41, start=100)
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=10)
    assert summary.resumed_chunks == 0
    assert pd.read_parquet(out)[schema.ID].str.startswith("c1").all()


def test_a_folder_of_inputs_keeps_a_quarantine_per_file(tmp_path: Path, spec: TagSpec) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    export(folder / "a.csv", 20)
    export(folder / "b.csv", 15, start=500)
    (folder / "notes.txt").write_text("not an export")
    out = tmp_path / "tagged.parquet"
    summary = run_tag_job(folder, MAPPING, out, spec, LocalEngine(), chunk_rows=6)
    assert summary.read == 21 + 16 == summary.tagged + summary.quarantined
    assert [Path(p).name for p in summary.quarantine_files] == [
        "0000-a.quarantine.csv",
        "0001-b.quarantine.csv",
    ]
    ids = pd.read_parquet(out)[schema.ID]
    assert ids.is_unique and ids.iloc[0] == "c0" and ids.iloc[-1] == "c514"
    by_glob = run_tag_job(
        str(folder / "*.csv"), MAPPING, tmp_path / "g.parquet", spec, LocalEngine()
    )
    assert by_glob.tagged == summary.tagged


def test_an_input_with_no_accepted_row_gives_an_empty_tagged_file(
    tmp_path: Path, spec: TagSpec
) -> None:
    source = tmp_path / "bad.csv"
    pd.DataFrame(
        [["x1", "2026-01-01", "12", "too high"]], columns=["Id", "Date", "Score", "Comment"]
    ).to_csv(source, index=False)
    out = tmp_path / "tagged.parquet"
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine())
    assert (summary.read, summary.tagged, summary.quarantined) == (1, 0, 1)
    tagged = pd.read_parquet(out)
    assert len(tagged) == 0 and schema.THEME_ID in tagged.columns


def test_bad_arguments_fail_before_any_work(tmp_path: Path, spec: TagSpec) -> None:
    source = export(tmp_path / "answers.csv", 10)
    out = tmp_path / "tagged.parquet"
    missing = TagSpec(model=tmp_path / "nowhere", sentiment=None, cache_dir=tmp_path)
    with pytest.raises(ArtifactError, match="nowhere"):
        run_tag_job(source, MAPPING, out, missing, LocalEngine())
    with pytest.raises(ConfigError, match="no input file"):
        run_tag_job(tmp_path / "*.jsonl", MAPPING, out, spec, LocalEngine())
    other = ColumnMapping.from_dict({"source": "survey", "columns": {"id": "Id", "text": "Body"}})
    with pytest.raises(DataValidationError, match="Body"):
        run_tag_job(source, other, out, spec, LocalEngine())
    with pytest.raises(ConfigError, match="canonical Parquet"):
        run_tag_job(source, None, out, spec, LocalEngine())
    assert not work_folder(out).exists() or not any(work_folder(out).glob("part-*"))
    with pytest.raises(ConfigError, match="--scheduler"):
        make_engine("local", "tcp://127.0.0.1:1")
    with pytest.raises(ConfigError, match="unknown engine"):
        make_engine("spark")


def test_canonical_parquet_inputs_are_tagged_as_they_are(tmp_path: Path, spec: TagSpec) -> None:
    canonical = tmp_path / "ingested.parquet"
    frame = ingest_file(export(tmp_path / "answers.csv", 30), MAPPING).frame
    frame.loc[frame.index[:5], schema.LANGUAGE] = pd.NA  # identified again where missing
    frame.to_parquet(canonical, index=False)
    out = tmp_path / "tagged.parquet"
    summary = run_tag_job(canonical, None, out, spec, LocalEngine(), chunk_rows=9)
    assert summary.read == summary.tagged == len(frame)
    tagged = pd.read_parquet(out)
    assert tagged[schema.LANGUAGE].notna().all()
    assert tagged[schema.ID].tolist() == frame[schema.ID].tolist()
