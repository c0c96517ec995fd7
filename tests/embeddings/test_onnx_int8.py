"""The int8 onnxruntime encoder, built once in a temporary cache, against the fp32 one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from cxtext.embeddings import (
    INT8_ENCODER_ID,
    INT8_MODEL,
    OnnxInt8Encoder,
    SentenceTransformerEncoder,
    build_int8_encoder,
    cached_encoder,
    load_encoder,
    onnx_int8,
)
from cxtext.embeddings.cache import encoder_key
from cxtext.embeddings.default_model import _VERIFY_SENTENCES, DEFAULT_FOLDER_NAME, MANIFEST_NAME
from cxtext.errors import EncoderError

pytestmark = pytest.mark.integration

SENTENCES = [
    "My bill was charged twice this month.",
    "Mijn rekening is deze maand twee keer afgeschreven.",
    "Mi factura se cobró dos veces este mes.",
    "Minha fatura foi cobrada duas vezes este mês.",
    "تم خصم فاتورتي مرتين هذا الشهر.",
    "Die Lieferung kam zwei Wochen zu spät und niemand hat sich entschuldigt.",
    "Le technicien était très aimable et a tout réparé en une heure.",
    "Il servizio clienti non risponde mai al telefono.",
    "मेरा इंटरनेट हर रात बंद हो जाता है।",
    "Die kliëntediens was baie vriendelik en vinnig.",
    "Factura a venit dublă și nimeni nu răspunde la telefon.",
    "Love this dress!  it's sooo pretty.  ",
    "@united flight delayed 3 hours, no info at the gate. #fail",
    "ok",
    "The app crashes every time I try to pay, but the new design looks great.",
    "Het wifi-signaal is zwak in de slaapkamer; kunnen jullie een repeater sturen?",
    "Preço alto, qualidade baixa. Não recomendo.",
    "¡Excelente atención! Resolvieron mi problema en minutos.",
    "the fabric is thin and see-through, returned it",
    "Service rapide, mais le produit est arrivé abîmé.",
]


@pytest.fixture(scope="module")
def int8_cache(encoder_folder: Path) -> Path:
    """The user's cache, with the int8 encoder built there once (its build checks the
    agreement with fp32 on the verification sentences) and reused while intact."""
    build_int8_encoder(encoder_folder.parent)
    return encoder_folder.parent


@pytest.fixture(scope="module")
def int8_encoder(int8_cache: Path) -> OnnxInt8Encoder:
    encoder = load_encoder(INT8_MODEL, cache_dir=int8_cache, threads=2)
    assert isinstance(encoder, OnnxInt8Encoder)
    return encoder


def test_vectors_agree_with_the_fp32_encoder(
    int8_encoder: OnnxInt8Encoder, real_encoder: SentenceTransformerEncoder
) -> None:
    ours = int8_encoder.encode(SENTENCES)
    reference = real_encoder.encode(SENTENCES)
    assert ours.shape == (len(SENTENCES), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(ours * reference, axis=1)
    assert cosines.min() >= 0.98 and cosines.mean() >= 0.99


def test_tokens_are_those_of_the_fp32_encoder(
    int8_encoder: OnnxInt8Encoder, real_encoder: SentenceTransformerEncoder
) -> None:
    texts = [int8_encoder.prompt + t for t in SENTENCES]
    fp32_ids = real_encoder.model.tokenizer(texts, truncation=True, max_length=512)["input_ids"]
    assert [e.ids for e in int8_encoder.tokenizer.encode_batch(texts)] == fp32_ids


def test_identity_differs_from_fp32_so_vectors_never_mix(
    int8_encoder: OnnxInt8Encoder, real_encoder: SentenceTransformerEncoder
) -> None:
    ours, theirs = int8_encoder.info, real_encoder.info
    assert ours.id == INT8_ENCODER_ID != theirs.id
    assert (ours.dim, ours.prompt, ours.max_seq_length) == (
        theirs.dim,
        theirs.prompt,
        theirs.max_seq_length,
    )
    assert encoder_key(ours) != encoder_key(theirs)


def test_duplicates_are_encoded_once_and_long_texts_counted(
    int8_encoder: OnnxInt8Encoder,
) -> None:
    before = int8_encoder.stats.to_dict()
    vectors = int8_encoder.encode(["late delivery", "word " * 700, "late delivery"])
    after = int8_encoder.stats.to_dict()
    assert after["texts"] - before["texts"] == 3
    assert after["encoded"] - before["encoded"] == 2
    assert after["over_window"] - before["over_window"] == 1
    np.testing.assert_array_equal(vectors[0], vectors[2])
    assert int8_encoder.encode([]).shape == (0, 384)


def test_a_second_load_reuses_the_folder(int8_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_rebuild(*args: object) -> None:
        raise AssertionError("the int8 encoder was rebuilt")

    monkeypatch.setattr(onnx_int8, "_export", no_rebuild)
    encoder = load_encoder(INT8_ENCODER_ID, cache_dir=int8_cache, batch_size=8)
    assert encoder.info.id == INT8_ENCODER_ID and encoder.batch_size == 8


def test_the_embedding_cache_keys_by_the_int8_id(int8_cache: Path, tmp_path: Path) -> None:
    for folder in (onnx_int8.INT8_FOLDER_NAME, DEFAULT_FOLDER_NAME):
        (tmp_path / folder).symlink_to(int8_cache / folder, target_is_directory=True)
    cached = cached_encoder(INT8_MODEL, cache_dir=tmp_path)  # a fresh embedding cache
    first = cached.encode(["the router keeps dropping", "great support"])
    second = cached.encode(["great support", "the router keeps dropping"])
    np.testing.assert_array_equal(first, second[::-1])
    assert cached.stats.cache_hits == 2
    assert cached.cache.count(encoder_key(cached.info)) == 2


def test_a_corrupted_folder_is_rebuilt(
    int8_cache: Path,
    encoder_folder: Path,
    real_encoder: SentenceTransformerEncoder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = int8_cache / onnx_int8.INT8_FOLDER_NAME
    (tmp_path / encoder_folder.name).symlink_to(encoder_folder, target_is_directory=True)
    shutil.copytree(built, tmp_path / built.name)
    with (tmp_path / built.name / "model.onnx").open("r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)[0]
        handle.seek(1000)
        handle.write(bytes([byte ^ 0xFF]))  # same size: only the sha256 tells
    calls: list[str] = []

    # The real export and quantisation take ~45 s; these stand-ins produce the same files.
    def export(source: Path, onnx_path: Path, tokenizer_path: Path) -> np.ndarray:
        calls.append("export")
        onnx_path.touch()
        shutil.copyfile(built / "tokenizer.json", tokenizer_path)
        return real_encoder.encode(list(_VERIFY_SENTENCES))

    def quantize(fp32_path: Path, int8_path: Path) -> None:
        calls.append("quantize")
        shutil.copyfile(built / "model.onnx", int8_path)

    monkeypatch.setattr(onnx_int8, "_export", export)
    monkeypatch.setattr(onnx_int8, "_quantize", quantize)
    folder = build_int8_encoder(tmp_path)
    assert calls == ["export", "quantize"]
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["files"] == json.loads((built / MANIFEST_NAME).read_text())["files"]
    assert not list(tmp_path.glob(".build-*"))


def test_a_graph_without_the_node_kept_in_fp32_is_refused(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 4), np.float32), "weight")
    node = helper.make_node("MatMul", ["x", "weight"], ["y"], name="/model/renamed/MatMul")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [weight],
    )
    onnx.save(helper.make_model(graph), tmp_path / "fp32.onnx")
    with pytest.raises(EncoderError, match=r"layer\.4/output/dense/MatMul"):
        onnx_int8._quantize(tmp_path / "fp32.onnx", tmp_path / "int8.onnx")
    assert not (tmp_path / "int8.onnx").exists()


def test_a_model_of_the_first_int8_build_is_told_to_retrain(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"first int8 build.*retrain"):
        load_encoder("cxtext/multilingual-e5-small-int8", cache_dir=tmp_path)
