"""The Dask engine on a real local cluster, and a job killed for real (SIGKILL) that is
started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from cxtext.batch import DaskEngine, LocalEngine, TagSpec, run_tag_job, work_folder
from cxtext.errors import ConfigError
from tests.batch.test_job import MAPPING, export
from tests.fakes import fake_encoder_for, fake_models

pytest.importorskip("distributed", reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> TagSpec:
    root = tmp_path_factory.mktemp("engines")
    models = fake_models(root)
    return TagSpec(
        model=models["themes"],
        sentiment=models["sentiment"],
        cache_dir=root / "cache",
        encoder_factory=fake_encoder_for,
    )


def test_the_dask_engine_gives_the_local_engines_output(tmp_path: Path, spec: TagSpec) -> None:
    source = export(tmp_path / "answers.csv", 80)
    local = tmp_path / "local.parquet"
    run_tag_job(source, MAPPING, local, spec, LocalEngine(), chunk_rows=9)
    engine = DaskEngine(workers=2)
    try:
        assert engine.workers == 2
        out = tmp_path / "dask.parquet"
        summary = run_tag_job(source, MAPPING, out, spec, engine, chunk_rows=9)
    finally:
        engine.close()
    assert summary.engine == "dask" and summary.chunks == 9
    assert summary.read == 81 == summary.tagged + summary.quarantined
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(local))


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(
        ConfigError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        DaskEngine("tcp://127.0.0.1:9", timeout=2)
    assert time.monotonic() - started < 30


JOB = """
import sys, time
from pathlib import Path
from cxtext.batch import LocalEngine, TagSpec, run_tag_job
from tests.batch.test_job import MAPPING
from tests.fakes import FakeEncoder

class Slow(FakeEncoder):
    def encode(self, texts):
        time.sleep(0.4)
        return super().encode(texts)

def slow_encoder(_id):
    return Slow()

source, out, themes, sentiment, cache = map(Path, sys.argv[1:6])
spec = TagSpec(model=themes, sentiment=sentiment, cache_dir=cache, encoder_factory=slow_encoder)
run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=6)
"""


def test_a_job_killed_for_real_resumes_to_the_same_output(tmp_path: Path, spec: TagSpec) -> None:
    source = export(tmp_path / "answers.csv", 60)
    straight = tmp_path / "straight.parquet"
    run_tag_job(source, MAPPING, straight, spec, LocalEngine(), chunk_rows=6)
    out = tmp_path / "tagged.parquet"
    script = tmp_path / "job.py"
    script.write_text(textwrap.dedent(JOB))
    args = [source, out, spec.model, spec.sentiment, spec.cache_dir]
    root = Path(__file__).resolve().parents[2]
    env = os.environ | {"PYTHONPATH": str(root)}
    job = subprocess.Popen([sys.executable, str(script), *map(str, args)], env=env, cwd=root)
    manifest = work_folder(out) / "manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and job.poll() is None:
        if manifest.exists() and manifest.read_text().count('"index"') >= 3:
            break
        time.sleep(0.05)
    assert job.poll() is None, "the job ended before it could be killed"
    job.send_signal(signal.SIGKILL)
    job.wait(timeout=30)
    assert not out.exists()
    summary = run_tag_job(source, MAPPING, out, spec, LocalEngine(), chunk_rows=6)
    assert 3 <= summary.resumed_chunks < summary.chunks == 10  # the 11th chunk: a bad row
    assert summary.read == 61 == summary.tagged + summary.quarantined
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(straight))
