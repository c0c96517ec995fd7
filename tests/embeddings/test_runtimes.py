"""Which runtime of the default model tags: measured per CPU, chosen once, never mixed up."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from cxtext.embeddings import DEFAULT_ENCODER_ID, INT8_ENCODER_ID
from cxtext.embeddings.runtimes import (
    SPEEDS_FILE,
    choose_runtime,
    cpu,
    measure_runtimes,
    same_model,
    tagging_encoder,
)
from cxtext.errors import ArtifactError, EncoderError
from cxtext.sentiment.model import check_encoder
from tests.fakes import FakeEncoder


@dataclass
class _Slow(FakeEncoder):
    """The fake encoder, made slower per text to stand for a slower runtime."""

    delay: float = 0.0

    def encode(self, texts: list[str]) -> np.ndarray:  # type: ignore[override]
        time.sleep(self.delay * len(texts))
        return super().encode(texts)


def _record(cache: Path, faster: str, *, other_cpu: bool = False) -> None:
    machine = {"model": "another CPU", "flags": []} if other_cpu else cpu()
    (cache / SPEEDS_FILE).write_text(json.dumps({"cpu": machine, "faster": faster}))


def test_the_two_runtimes_are_one_model() -> None:
    assert same_model(DEFAULT_ENCODER_ID, INT8_ENCODER_ID)
    assert same_model("fake/hashing", "fake/hashing")
    assert not same_model(DEFAULT_ENCODER_ID, "fake/hashing")
    check_encoder({"encoder": {"id": INT8_ENCODER_ID}}, DEFAULT_ENCODER_ID, what="model")
    with pytest.raises(ArtifactError, match="trained on vectors of encoder"):
        check_encoder({"encoder": {"id": "fake/hashing"}}, DEFAULT_ENCODER_ID, what="model")


def test_auto_takes_the_runtime_measured_faster_on_this_cpu_only(tmp_path: Path) -> None:
    assert choose_runtime(INT8_ENCODER_ID, "auto", tmp_path) == "int8"  # nothing measured
    _record(tmp_path, "fp32")
    assert choose_runtime(INT8_ENCODER_ID, "auto", tmp_path) == "fp32"
    assert tagging_encoder(INT8_ENCODER_ID, "auto", tmp_path) == "default"
    assert choose_runtime(INT8_ENCODER_ID, "trained", tmp_path) == "int8"
    assert choose_runtime(DEFAULT_ENCODER_ID, "int8", tmp_path) == "int8"
    _record(tmp_path, "fp32", other_cpu=True)  # measured elsewhere: not trusted here
    assert choose_runtime(INT8_ENCODER_ID, "auto", tmp_path) == "int8"
    (tmp_path / SPEEDS_FILE).write_text("{not json")
    assert choose_runtime(DEFAULT_ENCODER_ID, "auto", tmp_path) == "fp32"


def test_another_encoder_keeps_its_own(tmp_path: Path) -> None:
    _record(tmp_path, "int8")
    assert choose_runtime("fake/hashing", "auto", tmp_path) == "trained"
    assert tagging_encoder("fake/hashing", "auto", tmp_path) == "fake/hashing"
    with pytest.raises(EncoderError, match="no fp32 runtime"):
        choose_runtime("fake/hashing", "fp32", tmp_path)
    with pytest.raises(EncoderError, match="runtime must be one of"):
        choose_runtime(INT8_ENCODER_ID, "gpu", tmp_path)


def test_measuring_records_the_faster_runtime(tmp_path: Path) -> None:
    delays = {"default": 0.002, "default-int8": 0.0}
    texts = [f"comment number {i}" for i in range(80)]
    record = measure_runtimes(tmp_path, texts, lambda name: _Slow(delay=delays[name]))
    assert record["faster"] == "int8" and record["cpu"] == cpu()
    assert record["texts_per_second"]["int8"] > record["texts_per_second"]["fp32"]
    assert choose_runtime(DEFAULT_ENCODER_ID, "auto", tmp_path) == "int8"
    with pytest.raises(EncoderError, match="at least 64 texts"):
        measure_runtimes(tmp_path, texts[:10], lambda name: _Slow())
