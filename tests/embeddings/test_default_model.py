"""The E5S1 converter, checked on small hand-made files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from cxtext.embeddings.default_model import (
    E5Checkpoint,
    _dequantize_q4_0,
    read_e5s1,
    to_bert_state_dict,
)
from cxtext.errors import EncoderError


def _q4_block(scale: float, weights: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale then 16 bytes, weight j low nibble, j+16 high nibble."""
    assert len(weights) == 32
    packed = bytes((weights[j] & 0x0F) | ((weights[j + 16] & 0x0F) << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def test_dequantize_follows_the_documented_nibble_order() -> None:
    quants = list(range(16)) + list(range(15, -1, -1))
    raw = np.frombuffer(_q4_block(0.5, quants), dtype=np.uint8)
    out = _dequantize_q4_0(raw, 1, 32)
    expected = (np.array(quants, dtype=np.float32) - 8) * 0.5
    np.testing.assert_array_equal(out[0], expected)


def _write_tiny_e5s1(path: Path, *, hidden: int = 32, ffn: int = 64, vocab: int = 5) -> dict:
    """Write a one-layer E5S1 file with known values; return the dense tensors."""
    rng = np.random.default_rng(0)
    header = b"E5S1" + struct.pack("<I", 1)
    header += struct.pack("<7i", hidden, 1, 2, ffn, vocab, 8, 2)
    header += struct.pack("<fi", 1e-12, 32)
    pieces = [b"<s>", b"<pad>", b"</s>", b"<unk>", b"a"]
    blob = b"".join(pieces)
    offsets = np.cumsum([0] + [len(p) for p in pieces]).astype("<u4")
    header += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", len(blob))
    header += offsets.tobytes() + np.zeros(len(pieces), "<f4").tobytes() + blob
    header += struct.pack("<iI", 0, 0)
    shapes = {
        "emb.word": (vocab, hidden),
        "emb.pos": (8, hidden),
        "emb.type": (2, hidden),
        "emb.ln.w": (hidden,),
        "emb.ln.b": (hidden,),
    }
    for suffix in ("q", "k", "v", "ao"):
        shapes[f"l0.{suffix}.w"] = (hidden, hidden)
        shapes[f"l0.{suffix}.b"] = (hidden,)
    shapes |= {
        "l0.aln.w": (hidden,),
        "l0.aln.b": (hidden,),
        "l0.fi.w": (ffn, hidden),
        "l0.fi.b": (ffn,),
        "l0.fo.w": (hidden, ffn),
        "l0.fo.b": (hidden,),
        "l0.oln.w": (hidden,),
        "l0.oln.b": (hidden,),
    }
    dense: dict[str, np.ndarray] = {}
    payloads: list[tuple[str, int, int, bytes]] = []
    for name, shape in shapes.items():
        if len(shape) == 2 and name != "emb.pos" and name != "emb.type":
            quants = rng.integers(0, 16, size=shape)
            scales = rng.uniform(0.01, 0.1, size=(shape[0], shape[1] // 32)).astype(np.float16)
            data = b"".join(
                _q4_block(float(scales[r, b]), list(quants[r, b * 32 : (b + 1) * 32]))
                for r in range(shape[0])
                for b in range(shape[1] // 32)
            )
            dense[name] = (
                (quants.reshape(shape[0], -1, 32) - 8) * scales.astype(np.float32)[..., None]
            ).reshape(shape)
            payloads.append((name, 1, int(np.prod(shape)), data))
        else:
            values = rng.normal(size=shape).astype(np.float32)
            dense[name] = values
            payloads.append((name, 0, values.size, values.astype("<f4").tobytes()))
    directory_size = 4 + sum(2 + len(n) + 1 + 20 for n, *_ in payloads)
    offset = len(header) + directory_size
    directory = struct.pack("<i", len(payloads))
    body = b""
    for name, dtype, count, data in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([dtype])
        directory += struct.pack("<IQQ", count, offset + len(body), len(data))
        body += data
    path.write_bytes(header + directory + body)
    return dense


def test_read_e5s1_recovers_every_tensor(tmp_path: Path) -> None:
    path = tmp_path / "tiny.bin"
    dense = _write_tiny_e5s1(path)
    checkpoint = read_e5s1(path)
    assert checkpoint.config["hidden"] == 32 and checkpoint.config["vocab"] == 5
    assert set(checkpoint.tensors) == set(dense)
    for name, expected in dense.items():
        np.testing.assert_allclose(checkpoint.tensors[name], expected, rtol=1e-6, atol=1e-7)


def test_bad_magic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.bin"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(EncoderError, match="bad magic"):
        read_e5s1(path)


def test_state_dict_loads_into_bert_model_strictly(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import BertConfig, BertModel

    path = tmp_path / "tiny.bin"
    _write_tiny_e5s1(path)
    checkpoint = read_e5s1(path)
    config = BertConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        vocab_size=5,
        max_position_embeddings=8,
        type_vocab_size=2,
    )
    model = BertModel(config)
    state = {k: torch.from_numpy(v) for k, v in to_bert_state_dict(checkpoint).items()}
    result = model.load_state_dict(state, strict=False)
    assert not result.unexpected_keys
    # Only buffers (position ids) may be absent from the converted checkpoint.
    assert all("position_ids" in key for key in result.missing_keys)


def test_unknown_tensor_name_is_an_error() -> None:
    checkpoint = E5Checkpoint(config={"hidden": 4}, tensors={"l0.zz.w": np.zeros((4, 4))})
    with pytest.raises(EncoderError, match="unexpected tensor"):
        to_bert_state_dict(checkpoint)


def test_verify_folder_catches_a_changed_file(tmp_path: Path) -> None:
    import hashlib
    import json

    from cxtext.embeddings.default_model import MANIFEST_NAME, MANIFEST_VERSION, verify_folder

    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"0123456789")
    digest = hashlib.sha256(b"0123456789").hexdigest()
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "files": {"model.safetensors": {"sha256": digest, "bytes": 10}},
    }
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest))
    verify_folder(tmp_path)
    weights.write_bytes(b"0123456780")  # same size, other content
    verify_folder(tmp_path, full=False)
    with pytest.raises(EncoderError, match="sha256"):
        verify_folder(tmp_path, full=True)
    weights.write_bytes(b"01234")
    with pytest.raises(EncoderError):
        verify_folder(tmp_path, full=False)
