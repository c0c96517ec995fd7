"""Two runtimes of one model, and which one a machine should tag with.

The default encoder runs as fp32 on torch (``default``) or as int8 on onnxruntime
(``default-int8``). Neither is faster everywhere: the int8 one encoded about twice as fast
on an AVX2 CPU and slower than fp32 on one with AVX-512 VNNI. Their vectors differ by
about 0.057 (mean distance, cosine 0.998), and a fitted theme model gives the same theme
to 97-99% of comments whichever runtime encodes them (Banking77, 3,000 training and 2,000
held-out queries, either runtime trained). So a model trained on one may tag with the
other: :func:`tagging_encoder` picks the runtime measured faster on this CPU
(:func:`measure_runtimes`, run by ``cxtext encoder build``), unless told which.

Training always uses the encoder its config names: a fit moves more with the runtime than
tagging does (``training/benchmarks/results/cross_runtime.json``).
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from cxtext.embeddings.default_model import DEFAULT_ENCODER_ID
from cxtext.embeddings.onnx_int8 import INT8_ENCODER_ID, INT8_MODEL
from cxtext.errors import EncoderError

Runtime = Literal["auto", "trained", "fp32", "int8"]
RUNTIMES: tuple[str, ...] = ("auto", "trained", "fp32", "int8")
# Runtime name -> (encoder name to load, encoder id of its vectors).
_RUNTIME_ENCODERS = {"fp32": ("default", DEFAULT_ENCODER_ID), "int8": (INT8_MODEL, INT8_ENCODER_ID)}
SPEEDS_FILE = "runtime_speeds.json"
_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8")


def runtime_of(encoder_id: str) -> str | None:
    """``fp32`` or ``int8`` for an id of the default model's runtimes, else None."""
    return next((name for name, (_, eid) in _RUNTIME_ENCODERS.items() if eid == encoder_id), None)


def same_model(a: str, b: str) -> bool:
    """Whether vectors of encoder ids ``a`` and ``b`` come from one model (same id, or the
    default model's two runtimes)."""
    return a == b or (runtime_of(a) is not None and runtime_of(b) is not None)


def cpu() -> dict[str, Any]:
    """The CPU model and the vector extensions that decide which runtime is faster."""
    path = Path("/proc/cpuinfo")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
    model = next(
        (ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    flags = next((ln.split(":", 1)[1].split() for ln in lines if ln.startswith("flags")), [])
    return {"model": model, "flags": [flag for flag in _FLAGS if flag in flags]}


def measure_runtimes(
    cache_dir: Path, texts: Sequence[str], load: Callable[[str], Any]
) -> dict[str, Any]:
    """Time both runtimes on ``texts`` (uncached, after one warm-up batch) and record in
    ``cache_dir`` which is faster on this CPU.

    ``load`` builds an encoder from its name (``default`` or ``default-int8``).
    """
    if len(texts) < 64:
        raise EncoderError(f"timing the runtimes needs at least 64 texts, got {len(texts)}")
    rates = {}
    for name, (model, _) in _RUNTIME_ENCODERS.items():
        encoder = load(model)
        encoder.encode(list(texts[:32]))
        started = time.perf_counter()
        encoder.encode(list(texts))
        rates[name] = round(len(texts) / (time.perf_counter() - started), 1)
    record = {
        "cpu": cpu(),
        "texts": len(texts),
        "texts_per_second": rates,
        "faster": max(rates, key=lambda name: rates[name]),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (cache_dir / SPEEDS_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def measured_faster(cache_dir: Path | None) -> str | None:
    """The runtime measured faster on this CPU, None when not measured here (no cache
    folder, no record, or one made on another CPU)."""
    if cache_dir is None:
        return None
    path = cache_dir / SPEEDS_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("cpu") != cpu():
        return None
    faster = record.get("faster")
    return faster if faster in _RUNTIME_ENCODERS else None


def choose_runtime(trained_id: str, runtime: str, cache_dir: Path | None) -> str:
    """The runtime to tag with a model trained on ``trained_id``'s vectors: ``trained``
    (that encoder), ``fp32`` or ``int8``.

    ``runtime`` ``auto`` takes the runtime measured faster on this CPU (in ``cache_dir``),
    else the trained one; ``fp32`` / ``int8`` name one; a model of another encoder only
    has its own.
    """
    if runtime not in RUNTIMES:
        raise EncoderError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
    trained = runtime_of(trained_id)
    if trained is None:
        if runtime in _RUNTIME_ENCODERS:
            raise EncoderError(
                f"the model was trained on {trained_id!r}, which has no {runtime} runtime"
            )
        return "trained"
    if runtime == "auto":
        return measured_faster(cache_dir) or trained
    return trained if runtime == "trained" else runtime


def tagging_encoder(trained_id: str, runtime: str, cache_dir: Path | None) -> str:
    """The encoder name to load for :func:`choose_runtime`'s choice."""
    chosen = choose_runtime(trained_id, runtime, cache_dir)
    return trained_id if chosen == "trained" else _RUNTIME_ENCODERS[chosen][0]
