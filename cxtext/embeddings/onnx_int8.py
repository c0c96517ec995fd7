"""The default encoder as an int8 ONNX model run by onnxruntime.

The fp32 default encoder's transformer (:mod:`cxtext.embeddings.default_model`) is
exported by ``torch.onnx.export`` (input_ids, attention_mask -> last hidden state, batch
and sequence axes dynamic) and quantised by onnxruntime's ``quantize_dynamic``: unsigned
int8 weights per output channel, except the feed-forward output projection of layer 4,
which stays fp32. On AVX2 without VNNI, signed int8 weights run through an instruction
that saturates its 16-bit sums, which cost the first build (QInt8) 0.04 in SIB-200
translation consistency; unsigned weights do not saturate there. Layer 4's projection
was the one layer whose quantisation alone moved the vectors most (lowest cosine to fp32
on mixed real comments); keeping it fp32 costs one of 72 matrix products. Measured by the
themes benchmark's SIB-200 task, mean of five runs with a 1e-4 perturbation each: fp32
0.627, this recipe 0.625, QUInt8 everywhere 0.615, the first build 0.601.
The folder sits next to the fp32 one, is written to a temporary sibling and renamed into
place, and is rebuilt when a file is missing or fails its manifest's sha256, or when the
fp32 weights changed. Run time needs only onnxruntime, tokenizers and numpy; the tokenizer
is the fp32 folder's as ``transformers.AutoTokenizer`` (so sentence-transformers) reads it.
The vectors differ slightly from the fp32 ones, hence a distinct id: bundles and the
embedding cache never mix the two.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cxtext.embeddings.base import EncoderInfo, EncodeStats, encode_each_once
from cxtext.embeddings.default_model import (
    _VERIFY_SENTENCES,
    DEFAULT_ENCODER_ID,
    DEFAULT_PROMPT,
    MANIFEST_NAME,
    _sha256,
    build_default_encoder,
    read_manifest,
)
from cxtext.errors import EncoderError

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

log = logging.getLogger(__name__)

INT8_ENCODER_ID = "cxtext/multilingual-e5-small-int8-v2"
# The first build (signed weights), replaced; its vectors cannot be made again.
RETIRED_INT8_IDS = ("cxtext/multilingual-e5-small-int8",)
INT8_MODEL = "default-int8"
INT8_FOLDER_NAME = "multilingual-e5-small-int8"
# Lowest cosine to the fp32 encoder accepted on the verification sentences at build time.
MIN_INT8_AGREEMENT = 0.98
_MANIFEST_VERSION = 2
_MODEL_FILE = "model.onnx"
_TOKENIZER_FILE = "tokenizer.json"
_QUANTIZATION: dict[str, Any] = {
    "weight_type": "QUInt8",
    "per_channel": True,
    "keep_fp32": ["/model/encoder/layer.4/output/dense/MatMul"],
}


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of ``hidden`` (n, seq, d) over unmasked tokens, L2-normalised, float32 (n, d)."""
    weights = mask.astype(np.float32)
    summed = np.einsum("nsd,ns->nd", hidden.astype(np.float32, copy=False), weights)
    pooled = summed / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def _export(source: Path, onnx_path: Path, tokenizer_path: Path) -> np.ndarray:
    """Export the fp32 transformer to ONNX, save its tokenizer, and return the fp32
    vectors (n, d) of the verification sentences for the agreement check."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(source))
    # The window of sentence-transformers (its max_seq_length), prompt and specials included;
    # the call below sets padding and truncation for itself, as every call does.
    config = json.loads((source / "sentence_bert_config.json").read_text())
    tokenizer.backend_tokenizer.no_padding()
    tokenizer.backend_tokenizer.enable_truncation(int(config["max_seq_length"]))
    tokenizer.backend_tokenizer.save(str(tokenizer_path))

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = AutoModel.from_pretrained(str(source))

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask)[0]

    model = LastHidden().eval()  # the exporter restores this mode afterwards: no dropout
    # A padded example, so that no all-ones mask is specialised into the graph.
    example = tokenizer([DEFAULT_PROMPT + "a b", DEFAULT_PROMPT], padding=True, return_tensors="pt")
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is deprecated but needs no extra package and traces
        # this model exactly; its tracer warnings concern shapes kept dynamic here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (example["input_ids"], example["attention_mask"]),
            str(onnx_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=17,
            dynamo=False,
        )
        batch = tokenizer([DEFAULT_PROMPT + s for s in _VERIFY_SENTENCES], padding=True)
        ids, mask = (torch.tensor(batch[k]) for k in ("input_ids", "attention_mask"))
        return _mean_pool(model(ids, mask).numpy(), mask.numpy())


def _quantize(fp32_path: Path, int8_path: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = list(_QUANTIZATION["keep_fp32"])
    nodes = {node.name for node in onnx.load(str(fp32_path), load_external_data=False).graph.node}
    missing = sorted(set(keep) - nodes)
    if missing:
        # A renamed node would silently be quantised with the rest.
        raise EncoderError(f"the exported graph has no node {', '.join(missing)} to keep in fp32")
    weight_type = QuantType[str(_QUANTIZATION["weight_type"])]
    per_channel = bool(_QUANTIZATION["per_channel"])
    # The quantiser logs advice on static-graph pre-processing through the root logger at
    # every call; the build check measures the result instead.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            fp32_path,
            int8_path,
            weight_type=weight_type,
            per_channel=per_channel,
            nodes_to_exclude=keep,
        )
    finally:
        root.setLevel(level)


def _intact(folder: Path, source_sha: str) -> bool:
    """Whether ``folder`` holds a complete int8 build of the fp32 weights ``source_sha``."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text())
        files: dict[str, dict[str, Any]] = manifest["files"]
        return (
            manifest["manifest_version"] == _MANIFEST_VERSION
            and manifest["source"]["model_sha256"] == source_sha
            and {_MODEL_FILE, _TOKENIZER_FILE} <= files.keys()
            and all(
                (folder / name).stat().st_size == entry["bytes"]
                and _sha256(folder / name) == entry["sha256"]
                for name, entry in files.items()
            )
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def build_int8_encoder(cache_dir: Path, *, force: bool = False) -> Path:
    """Build (once) the int8 encoder folder under ``cache_dir`` and return its path.

    The fp32 default encoder is built first if needed. An existing folder is reused when
    every file matches its manifest's sha256 and the fp32 weights are unchanged.

    Raises
    ------
    EncoderError
        The int8 model disagrees with the fp32 one on the verification sentences.
    """
    source = build_default_encoder(cache_dir)
    source_files: dict[str, Any] = read_manifest(source)["files"]  # type: ignore[assignment]
    source_sha = source_files["model.safetensors"]["sha256"]
    target = cache_dir / INT8_FOLDER_NAME
    if not force and _intact(target, source_sha):
        return target
    if target.exists():
        log.warning("rebuilding the int8 encoder in %s: missing, stale or corrupt", target)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".build-int8-") as tmp:
        folder = Path(tmp) / INT8_FOLDER_NAME
        folder.mkdir()
        reference = _export(source, Path(tmp) / "fp32.onnx", folder / _TOKENIZER_FILE)
        _quantize(Path(tmp) / "fp32.onnx", folder / _MODEL_FILE)
        encoder = OnnxInt8Encoder.from_folder(folder, threads=None)
        agreement = float(np.min(np.sum(encoder.encode(_VERIFY_SENTENCES) * reference, axis=1)))
        if agreement < MIN_INT8_AGREEMENT:
            raise EncoderError(
                f"the int8 encoder disagrees with the fp32 one: lowest cosine "
                f"{agreement:.4f} < {MIN_INT8_AGREEMENT}"
            )
        manifest = {
            "manifest_version": _MANIFEST_VERSION,
            "id": INT8_ENCODER_ID,
            "source": {"id": DEFAULT_ENCODER_ID, "model_sha256": source_sha},
            "quantization": _QUANTIZATION,
            "versions": {
                p: metadata.version(p) for p in ("onnxruntime", "onnx", "torch", "transformers")
            },
            "prompt": DEFAULT_PROMPT,
            "max_seq_length": encoder.window,
            "agreement_min_cosine": round(agreement, 6),
            "build_seconds": round(time.perf_counter() - started, 2),
            "files": {
                name: {"sha256": _sha256(folder / name), "bytes": (folder / name).stat().st_size}
                for name in (_MODEL_FILE, _TOKENIZER_FILE)
            },
        }
        (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)
    return target


@dataclass
class OnnxInt8Encoder:
    """Encoder over the int8 ONNX model; same prompt, tokens and pooling as the fp32 one.

    Parameters
    ----------
    session
        onnxruntime session of ``model.onnx``.
    tokenizer
        The fp32 encoder's tokenizer, truncating at ``window`` tokens.
    window
        Tokens per text, prompt and special tokens included; longer texts are cut.
    batch_size
        Texts per forward pass; texts are sorted by length so batches carry little padding.
    """

    session: onnxruntime.InferenceSession
    tokenizer: tokenizers.Tokenizer
    window: int
    prompt: str = DEFAULT_PROMPT
    batch_size: int = 32
    stats: EncodeStats = field(default_factory=EncodeStats)

    @classmethod
    def from_folder(
        cls, folder: Path, *, threads: int | None, batch_size: int = 32
    ) -> OnnxInt8Encoder:
        """Load a built folder with ``threads`` onnxruntime threads (None: every core)."""
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(folder / _MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER_FILE))
        if tokenizer.truncation is None:
            raise EncoderError(f"{folder / _TOKENIZER_FILE} sets no truncation window")
        window = int(tokenizer.truncation["max_length"])
        return cls(session, tokenizer, window, batch_size=batch_size)

    @property
    def info(self) -> EncoderInfo:
        return EncoderInfo(
            id=INT8_ENCODER_ID,
            source=f"onnxruntime int8 ({_QUANTIZATION['weight_type']}) of {DEFAULT_ENCODER_ID}",
            dim=int(self.session.get_outputs()[0].shape[-1]),
            normalized=True,
            prompt=self.prompt,
            max_seq_length=self.window,
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors of ``texts``, each distinct text encoded once."""
        return encode_each_once(texts, self._encode_unique, self.stats)

    def _encode_unique(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        if not texts:
            return vectors
        encodings = self.tokenizer.encode_batch([self.prompt + t for t in texts])
        over = sum(bool(e.overflowing) for e in encodings)
        if over:
            message = "%d of %d texts exceed the encoder window of %d tokens; only their start"
            log.warning(message + " is encoded", over, len(texts), self.window)
        self.stats.over_window += over
        self.stats.encoded += len(texts)
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        pad_id = self.tokenizer.token_to_id("<pad>") or 0
        for start in range(0, len(texts), self.batch_size):
            rows = order[start : start + self.batch_size]
            ids = np.full((len(rows), lengths[rows[0]]), pad_id, dtype=np.int64)
            mask = np.zeros_like(ids)
            for i, row in enumerate(rows):
                ids[i, : lengths[row]] = encodings[row].ids
                mask[i, : lengths[row]] = 1
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            vectors[rows] = _mean_pool(hidden, mask)
        return vectors


def load_int8_encoder(
    cache_dir: Path, *, batch_size: int = 32, threads: int | None = None
) -> OnnxInt8Encoder:
    """Build the int8 encoder if needed and load it (``threads``: None uses every core)."""
    folder = build_int8_encoder(cache_dir)
    return OnnxInt8Encoder.from_folder(folder, threads=threads, batch_size=batch_size)
