"""Bundle folder I/O: round trip, atomic writes, verification before loading."""

from __future__ import annotations

import json
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxtext import __version__, persistence
from cxtext.errors import ArtifactError, BundleVersionError, DataValidationError
from cxtext.persistence import (
    SCHEMA_VERSION,
    fingerprint,
    library_versions,
    next_version,
    read_bundle,
    resolve_bundle,
    write_bundle,
)

TYPE = "cxtext.ThemeModel.v1"
THEMES = [
    {
        "id": 0,
        "label": "preço alto",
        "keywords": {"pt": ["preço", "caro"], "ar": ["سعر", "غالي"], "ro": ["preț", "scump"]},
        "origin": "seed",
    },
    {
        "id": 1,
        "label": "slow internet",
        "keywords": {"nl": ["traag", "storing"]},
        "origin": "edited",
    },
]
CONFIG = 'seed = 7\n[clustering]\nmethod = "kmeans"\nk = 12\nlabel = "Ünïcode"\n'


def _arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "centroids": rng.normal(size=(2, 8)).astype(np.float32),
        "counts": np.array([10, 20], dtype=np.int64),
        "small": np.array([1, 2, 255], dtype=np.uint8),
        "active": np.array([True, False]),
        "languages": np.array(["pt", "nl", "ar"]),
        "scalar": np.array(0.25),
    }


def _write(target: Path, **overrides: Any) -> Path:
    kwargs: dict[str, Any] = {
        "type_name": TYPE,
        "name": "demo",
        "version": target.name,
        "params": {"n_themes": 2, "random_state": np.int64(7)},
        "arrays": _arrays(),
        "parts": {"themes": THEMES, "labels": {"b": 1, "a": 2}},
        "config_toml": CONFIG,
        "model_card": "# Demo — modelo de temas\n",
        "encoder": {"id": "fake", "source": "tests", "dim": 8, "normalized": True},
        "data_fingerprint": fingerprint(["1", "2"], ["caro demais", "traag"]),
        "metrics": {"nmi": np.float64(0.7), "n": np.int64(2)},
        "lineage": {"parent": "v1", "edits": [{"op": "rename", "theme": 0}]},
    }
    kwargs.update(overrides)
    return write_bundle(target, **kwargs)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _edit_manifest(bundle: Path, **changes: Any) -> None:
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_round_trip_keeps_arrays_parts_and_config(tmp_path: Path) -> None:
    target = _write(tmp_path / "models" / "demo" / "v1")
    bundle = read_bundle(target, expected_type=TYPE)

    assert bundle.path == target
    assert bundle.arrays.keys() == _arrays().keys()
    for key, expected in _arrays().items():
        np.testing.assert_array_equal(bundle.arrays[key], expected)
        assert bundle.arrays[key].dtype == expected.dtype
        assert bundle.arrays[key].shape == expected.shape
    assert bundle.parts["themes"] == THEMES
    assert list(bundle.parts["labels"]) == ["b", "a"]  # part key order is kept
    assert bundle.config == {
        "seed": 7,
        "clustering": {"method": "kmeans", "k": 12, "label": "Ünïcode"},
    }
    assert "سعر" in (target / "themes.json").read_text(encoding="utf-8")  # not \\u escaped
    assert (target / "MODEL_CARD.md").read_text(encoding="utf-8") == "# Demo — modelo de temas\n"
    probe = target.with_name("probe")
    probe.mkdir()
    assert target.stat().st_mode == probe.stat().st_mode  # the umask's mode, not 0700


def test_manifest_records_versions_references_and_hashes(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    manifest = read_bundle(target, expected_type=TYPE).manifest

    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["type"] == TYPE
    assert (manifest["name"], manifest["version"]) == ("demo", "v1")
    assert manifest["created"].endswith("+00:00")
    assert manifest["cxtext_version"] == __version__
    assert set(manifest["libraries"]) == {
        "python",
        "numpy",
        "scikit-learn",
        "sentence-transformers",
        "torch",
    }
    assert manifest["encoder"]["id"] == "fake"
    assert manifest["params"] == {"n_themes": 2, "random_state": 7}
    assert manifest["metrics"] == {"nmi": 0.7, "n": 2}
    assert manifest["data_fingerprint"]["rows"] == 2
    assert manifest["lineage"]["parent"] == "v1"
    on_disk = {p.name for p in target.iterdir()} - {"manifest.json"}
    assert (
        set(manifest["files"])
        == on_disk
        == {
            "arrays.npz",
            "themes.json",
            "labels.json",
            "config.toml",
            "MODEL_CARD.md",
        }
    )


def test_optional_parts_may_be_absent(tmp_path: Path) -> None:
    target = _write(
        tmp_path / "v1",
        arrays={},
        parts={},
        config_toml=None,
        encoder=None,
        data_fingerprint=None,
        metrics=None,
        lineage=None,
    )
    bundle = read_bundle(target, expected_type=TYPE)
    assert (bundle.arrays, bundle.parts, bundle.config) == ({}, {}, {})
    assert bundle.manifest["lineage"] is None
    assert not (target / "config.toml").exists()


def test_arrays_file_is_a_plain_deterministic_npz(tmp_path: Path) -> None:
    first = _write(tmp_path / "v1")
    second = _write(tmp_path / "v2")
    with np.load(first / "arrays.npz", allow_pickle=False) as npz:
        np.testing.assert_array_equal(npz["centroids"], _arrays()["centroids"])
    assert (first / "arrays.npz").read_bytes() == (second / "arrays.npz").read_bytes()


@pytest.mark.parametrize("fail_on_call", [1, 3, 6])
def test_failure_mid_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_on_call: int
) -> None:
    real_write = persistence._write_file
    calls = 0

    def flaky_write(path: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_on_call:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(persistence, "_write_file", flaky_write)
    parent = tmp_path / "models" / "demo"
    with pytest.raises(ArtifactError, match="No space left"):
        _write(parent / "v1")
    assert _leftovers(parent) == []


def test_failed_overwrite_keeps_the_old_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _write(tmp_path / "v1", name="old")

    def broken_write(path: Path, data: bytes) -> None:
        raise OSError(5, "I/O error")

    monkeypatch.setattr(persistence, "_write_file", broken_write)
    with pytest.raises(ArtifactError, match="I/O error"):
        _write(target, name="new", overwrite=True)
    assert _leftovers(tmp_path) == ["v1"]
    assert read_bundle(target, expected_type=TYPE).manifest["name"] == "old"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"arrays": {"bad": np.array([{"a": 1}, None], dtype=object)}}, "object"),
        ({"arrays": {"bad": [1.0, 2.0]}}, "list"),
        ({"arrays": {"when": np.array(["2024-01-01"], dtype="datetime64[D]")}}, "datetime"),
        ({"arrays": {"../x": np.zeros(2)}}, "invalid array name"),
        ({"parts": {"manifest": {}}}, "invalid part name"),
        ({"parts": {"themes": {0: "int key"}}}, "non-string key 0"),
        ({"metrics": {"f1": float("nan")}}, "metrics cannot be stored as JSON"),
        ({"parts": {"themes": [object()]}}, "part 'themes'"),
        ({"config_toml": "seed = = 1"}, "config_toml"),
        ({"type_name": "cxtext.themes.model.ThemeModel"}, "registry name"),
    ],
)
def test_invalid_content_is_refused_before_writing(
    tmp_path: Path, overrides: dict[str, Any], message: str
) -> None:
    parent = tmp_path / "models" / "demo"
    with pytest.raises(ArtifactError, match=message):
        _write(parent / "v1", **overrides)
    assert not parent.exists()


def test_existing_bundle_is_replaced_only_with_overwrite(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1", name="first")
    with pytest.raises(ArtifactError, match="already exists"):
        _write(target, name="second")
    assert read_bundle(target, expected_type=TYPE).manifest["name"] == "first"

    _write(target, name="second", parts={}, overwrite=True)
    bundle = read_bundle(target, expected_type=TYPE)
    assert bundle.manifest["name"] == "second"
    assert bundle.parts == {}
    assert not (target / "themes.json").exists()
    assert _leftovers(tmp_path) == ["v1"]


@pytest.mark.parametrize(
    "file", ["arrays.npz", "themes.json", "labels.json", "config.toml", "MODEL_CARD.md"]
)
def test_tampered_file_is_named(tmp_path: Path, file: str) -> None:
    target = _write(tmp_path / "v1")
    with (target / file).open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(ArtifactError, match=rf"{file} does not match its sha256"):
        read_bundle(target, expected_type=TYPE)


def test_missing_and_unlisted_files_are_refused(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    (target / ".DS_Store").write_bytes(b"hidden files are ignored")
    read_bundle(target, expected_type=TYPE)

    (target / "extra.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ArtifactError, match=r"does not list: extra\.json"):
        read_bundle(target, expected_type=TYPE)
    (target / "extra.json").unlink()

    (target / "labels.json").unlink()
    with pytest.raises(ArtifactError, match=r"labels\.json is listed in the manifest but missing"):
        read_bundle(target, expected_type=TYPE)


def test_manifest_cannot_point_outside_the_bundle(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    (tmp_path / "secret.json").write_text("{}", encoding="utf-8")
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    _edit_manifest(target, files={**manifest["files"], "../secret.json": "0" * 64})
    with pytest.raises(ArtifactError, match="no valid 'files'"):
        read_bundle(target, expected_type=TYPE)


def test_wrong_type_is_refused(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    with pytest.raises(ArtifactError, match=r"'cxtext\.ThemeModel\.v1'.*'cxtext\.Sentiment"):
        read_bundle(target, expected_type="cxtext.SentimentModel.v1")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    _edit_manifest(target, schema_version=SCHEMA_VERSION + 1, cxtext_version="9.0.0")
    with pytest.raises(BundleVersionError, match=rf"schema {SCHEMA_VERSION + 1}.*9\.0\.0") as err:
        read_bundle(target, expected_type=TYPE)
    assert f"reads schema {SCHEMA_VERSION} at most" in str(err.value)


@pytest.mark.parametrize("schema", [0, "1", None, True])
def test_invalid_schema_version_is_refused(tmp_path: Path, schema: object) -> None:
    target = _write(tmp_path / "v1")
    _edit_manifest(target, schema_version=schema)
    with pytest.raises(ArtifactError, match="no valid schema_version"):
        read_bundle(target, expected_type=TYPE)


def test_newer_cxtext_warns_but_loads(tmp_path: Path) -> None:
    target = _write(tmp_path / "v1")
    _edit_manifest(target, cxtext_version="99.0.0")
    with pytest.warns(UserWarning, match=r"newer cxtext \(99\.0\.0\)"):
        bundle = read_bundle(target, expected_type=TYPE)
    assert bundle.parts["themes"] == THEMES


@pytest.mark.parametrize("writer", [__version__, "0.0.9", f"{__version__}.0", "unknown"])
def test_same_or_older_cxtext_does_not_warn(tmp_path: Path, writer: str) -> None:
    target = _write(tmp_path / "v1")
    _edit_manifest(target, cxtext_version=writer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_bundle(target, expected_type=TYPE)


def test_missing_or_broken_manifest_names_the_path(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-bundle"
    folder.mkdir()
    with pytest.raises(ArtifactError, match=rf"{folder.name}.*manifest\.json does not exist"):
        read_bundle(folder, expected_type=TYPE)
    (folder / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ArtifactError, match=r"manifest\.json cannot be read as JSON"):
        read_bundle(folder, expected_type=TYPE)


def test_fingerprint_is_stable_and_order_sensitive() -> None:
    ids, texts = ["a1", "a2"], ["Preço alto", "سعر مرتفع"]
    first = fingerprint(ids, texts)
    assert first == fingerprint(list(ids), list(texts))
    assert first["rows"] == 2 and len(first["sha256"]) == 64
    assert fingerprint(ids[::-1], texts[::-1]) != first
    assert fingerprint(["a"], ["bc"]) != fingerprint(["ab"], ["c"])
    assert fingerprint([], []) == {
        "rows": 0,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    with pytest.raises(DataValidationError, match="2 ids but 1 texts"):
        fingerprint(ids, texts[:1])


def test_next_version_counts_numerically(tmp_path: Path) -> None:
    model_dir = tmp_path / "models" / "demo"
    assert next_version(model_dir) == "v1"
    _write(model_dir / next_version(model_dir))
    assert next_version(model_dir) == "v2"
    for name in ("v9", "v10", ".v11.tmp-abc", "v12-draft", "notes"):
        (model_dir / name).mkdir()
    assert next_version(model_dir) == "v11"


def test_resolve_bundle_picks_the_latest_version(tmp_path: Path) -> None:
    model_dir = tmp_path / "models" / "demo"
    for version in ("v2", "v9", "v10"):
        _write(model_dir / version, version=version)
    (model_dir / ".v11.tmp-abc").mkdir()
    assert resolve_bundle(model_dir) == model_dir / "v10"
    assert resolve_bundle(model_dir / "v9") == model_dir / "v9"
    latest = read_bundle(resolve_bundle(model_dir), expected_type=TYPE)
    assert latest.manifest["version"] == "v10"


def test_resolve_bundle_explains_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="does not exist"):
        resolve_bundle(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArtifactError, match=r"no manifest\.json and no version folders"):
        resolve_bundle(tmp_path / "empty")


def test_library_versions_mark_absent_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    real_version = metadata.version

    def version(name: str) -> str:
        if name == "torch":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    versions = library_versions()
    assert versions["torch"] == "not installed"
    assert versions["numpy"] == np.__version__


def test_failed_swap_restores_the_old_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _write(tmp_path / "v1", name="old")
    real_rename = persistence.os.rename

    def rename(src: Path, dst: Path) -> None:
        if Path(dst) == target and not Path(src).name.endswith(".old"):
            raise OSError(18, "Invalid cross-device link")
        real_rename(src, dst)

    monkeypatch.setattr(persistence.os, "rename", rename)
    with pytest.raises(ArtifactError, match="cross-device"):
        _write(target, name="new", overwrite=True)
    assert _leftovers(tmp_path) == ["v1"]
    assert read_bundle(target, expected_type=TYPE).manifest["name"] == "old"
