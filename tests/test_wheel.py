"""A built wheel carries what a fresh install needs: the shipped sentiment bundle, the
default theme config and the demo's phrase banks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources, so no build folder of an earlier run leaks in.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("cxtext", "api"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{built.stderr[-2000:]}")
    (found,) = out.glob("cxtext-*.whl")
    return found


def test_the_wheel_lists_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for version in ("v1", "v2", "v4"):
        for part in ("manifest.json", "arrays.npz", "state.json", "MODEL_CARD.md"):
            assert f"cxtext/shipped/sentiment/{version}/{part}" in names
    assert any(n.startswith("cxtext/themes/data/") and n.endswith(".toml") for n in names)
    assert {f"cxtext/demo/banks/{code}.json" for code in ("en", "nl", "ar")} <= names


def test_an_installed_copy_loads_the_shipped_sentiment_model(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    probe = (
        "import cxtext.sentiment.model as m; model, manifest = m.load_sentiment(); "
        "print(m.__file__); print(manifest['version'], model.classes_.tolist())"
    )
    # Run outside the repository with only the installed copy on the path.
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    where, loaded = done.stdout.strip().splitlines()
    assert where.startswith(str(target))
    assert loaded == "v2 ['negative', 'neutral', 'positive']"
