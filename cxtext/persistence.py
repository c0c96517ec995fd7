"""Model bundle folders: manifest, arrays, JSON parts, config and model card.

A bundle is one folder, ``models/<name>/<version>/`` by convention::

    manifest.json   schema_version, type (a registry name such as "cxtext.ThemeModel.v1"),
                    name, version, created, cxtext_version, libraries, encoder, params,
                    data_fingerprint, metrics, lineage, files {name: sha256}
    arrays.npz      named numeric / bool / fixed-width unicode arrays, no pickle
    <part>.json     JSON parts by name, e.g. themes.json
    config.toml     the training config as used (optional)
    MODEL_CARD.md   what it was trained on, metrics, limits

:func:`write_bundle` builds the folder in a hidden temporary sibling and renames it into
place, so ``target`` never holds a half-written bundle. :func:`read_bundle` checks the
schema version, the type and every file's sha256 before it parses anything, and loads
arrays with ``allow_pickle=False``. The module knows nothing about any model class.

:func:`replacing` writes any other output file the same way: through ``<file>.partial``,
renamed into place.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import tomllib
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from cxtext import __version__
from cxtext.errors import ArtifactError, BundleVersionError, DataValidationError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
CONFIG = "config.toml"
MODEL_CARD = "MODEL_CARD.md"

_LIBRARIES = ("numpy", "scikit-learn", "sentence-transformers", "torch")
_ARRAY_KINDS = frozenset("biufcU")  # bool, signed, unsigned, float, complex, unicode
_PART_NAME = re.compile(r"[A-Za-z0-9_-]+")
_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_TYPE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\.v\d+")
_VERSION_DIR = re.compile(r"v(\d+)")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed member dates: same arrays, same bytes


@dataclass(frozen=True)
class Bundle:
    """A verified bundle, read back from disk.

    Attributes
    ----------
    manifest
        The parsed ``manifest.json``.
    arrays
        Arrays from ``arrays.npz`` by name, dtypes and shapes as written.
    parts
        Parsed JSON parts by file stem, e.g. ``{"themes": [...]}``.
    config
        Parsed ``config.toml``; ``{}`` when the bundle has none.
    path
        The bundle folder.
    """

    manifest: dict[str, Any]
    arrays: dict[str, np.ndarray]
    parts: dict[str, Any]
    config: dict[str, Any]
    path: Path


def write_bundle(
    target: Path,
    *,
    type_name: str,
    name: str,
    version: str,
    params: dict[str, Any],
    arrays: Mapping[str, np.ndarray],
    parts: dict[str, Any],
    model_card: str,
    config_toml: str | None = None,
    encoder: dict[str, Any] | None = None,
    data_fingerprint: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    lineage: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a bundle folder atomically.

    Everything is serialized and validated in memory first; the files are then written
    and fsynced in a hidden sibling folder that is renamed to ``target``. With
    ``overwrite`` an existing ``target`` is renamed aside, replaced, then deleted.

    Parameters
    ----------
    target
        The bundle folder to create, e.g. ``models/nps/v3`` (see :func:`next_version`).
    type_name
        Versioned registry name, e.g. ``"cxtext.ThemeModel.v1"``; never an import path.
    name, version
        The model's name and version, recorded in the manifest.
    params
        Constructor parameters of the estimator (JSON values).
    arrays
        Named arrays of bool, integer, float, complex or fixed-width unicode dtype.
        Names match ``[A-Za-z0-9_-]+``.
    parts
        JSON parts by name: ``{"themes": [...]}`` becomes ``themes.json``. Key order
        is kept; dictionary keys must be strings.
    model_card
        Markdown text of ``MODEL_CARD.md``.
    config_toml
        The training config as used, written verbatim to ``config.toml`` (must parse).
    encoder
        Encoder reference: id, source, dim, normalized, prompt, max_seq_length.
    data_fingerprint
        Training data fingerprint, see :func:`fingerprint`.
    metrics
        Evaluation metrics (JSON values; NaN and infinity are refused).
    lineage
        Parent version and the list of edits that produced this one.
    overwrite
        Replace an existing ``target`` instead of refusing.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    ArtifactError
        On an invalid name, array or JSON value, an existing ``target`` without
        ``overwrite``, or an OS error while writing (nothing is left at ``target``).
    """
    if not _TYPE_NAME.fullmatch(type_name):
        raise ArtifactError(
            f"bundle type {type_name!r} is not a versioned registry name like "
            "'cxtext.ThemeModel.v1'"
        )
    if target.exists() and not overwrite:
        raise ArtifactError(f"{target} already exists; pass overwrite=True to replace it")
    contents = {ARRAYS: _npz_bytes(arrays)}
    for part, value in parts.items():
        if not _PART_NAME.fullmatch(part) or part == "manifest":
            raise ArtifactError(f"invalid part name {part!r}: use [A-Za-z0-9_-]+, not 'manifest'")
        contents[f"{part}.json"] = _json_bytes(value, what=f"part {part!r}", sort_keys=False)
    if config_toml is not None:
        try:
            tomllib.loads(config_toml)
        except tomllib.TOMLDecodeError as exc:
            raise ArtifactError(f"config_toml does not parse: {exc}") from exc
        contents[CONFIG] = config_toml.encode("utf-8")
    contents[MODEL_CARD] = model_card.encode("utf-8")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "type": type_name,
        "name": name,
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "cxtext_version": __version__,
        "libraries": library_versions(),
        "encoder": encoder,
        "params": params,
        "data_fingerprint": data_fingerprint,
        "metrics": metrics,
        "lineage": lineage,
        "files": {
            file: hashlib.sha256(data).hexdigest() for file, data in sorted(contents.items())
        },
    }
    for section in ("encoder", "params", "data_fingerprint", "metrics", "lineage"):
        _json_bytes(manifest[section], what=section, sort_keys=True)  # names the culprit
    contents[MANIFEST] = _json_bytes(manifest, what="manifest", sort_keys=True)

    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = parent / f".{target.name}.tmp-{secrets.token_hex(6)}"
        tmp.mkdir()  # not mkdtemp: its 0700 mode would follow the bundle into place
        try:
            for file, data in contents.items():
                _write_file(tmp / file, data)
            _fsync_dir(tmp)
            if overwrite and target.exists():
                old = tmp.with_name(f"{tmp.name}.old")
                os.rename(target, old)
                try:
                    os.rename(tmp, target)
                except OSError:
                    os.rename(old, target)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, target)
            _fsync_dir(parent)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # already gone after a successful rename
    except OSError as exc:
        raise ArtifactError(f"could not write bundle {target}: {exc}") from exc
    return target


def read_bundle(path: Path, *, expected_type: str) -> Bundle:
    """Read and verify a bundle folder.

    The manifest, the schema version, the type and every file's sha256 are checked
    before anything else is parsed; arrays load with ``allow_pickle=False``.

    Parameters
    ----------
    path
        The bundle folder (see :func:`resolve_bundle` for ``models/<name>``).
    expected_type
        The registry name the caller can build, e.g. ``"cxtext.ThemeModel.v1"``.

    Returns
    -------
    Bundle

    Raises
    ------
    BundleVersionError
        The bundle's schema is newer than this cxtext reads.
    ArtifactError
        No manifest, a malformed one, another type, a missing, unlisted or corrupt file.

    Warns
    -----
    UserWarning
        The bundle was written by a newer cxtext with a schema this one still reads.
    """
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(f"{path} is not a cxtext bundle: {manifest_path} does not exist")
    try:
        manifest = json.loads(manifest_path.read_bytes().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{manifest_path} cannot be read as JSON: {exc}") from exc
    files = _check_manifest(manifest, manifest_path, expected_type)

    unlisted = sorted(
        entry.name
        for entry in path.iterdir()
        if not entry.name.startswith(".") and entry.name != MANIFEST and entry.name not in files
    )
    if unlisted:
        raise ArtifactError(
            f"{path} holds files its manifest does not list: {', '.join(unlisted)}; "
            "bundles are immutable, write a new version instead of editing one"
        )
    contents: dict[str, bytes] = {}
    for file, digest in files.items():
        if not (path / file).is_file():
            raise ArtifactError(f"{path / file} is listed in the manifest but missing")
        try:
            data = (path / file).read_bytes()
        except OSError as exc:
            raise ArtifactError(f"{path / file} cannot be read: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise ArtifactError(f"{path / file} does not match its sha256 in the manifest")
        contents[file] = data

    arrays: dict[str, np.ndarray] = {}
    parts: dict[str, Any] = {}
    config: dict[str, Any] = {}
    for file, data in contents.items():
        try:
            if file == ARRAYS:
                with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                    arrays = {key: npz[key] for key in npz.files}
            elif file == CONFIG:
                config = tomllib.loads(data.decode("utf-8"))
            elif file.endswith(".json"):
                parts[file.removesuffix(".json")] = json.loads(data.decode("utf-8"))
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise ArtifactError(f"{path / file} cannot be parsed: {exc}") from exc
    return Bundle(manifest=manifest, arrays=arrays, parts=parts, config=config, path=path)


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield ``<target>.partial`` to write; it is renamed over ``target`` when the block
    ends without an exception and removed otherwise, so ``target`` is never half written.

    Writers of one target take turns: each holds an exclusive ``flock`` on the partial file
    from before it empties it until after the rename. A partial file left by a killed
    writer (its lock died with it) is emptied and reused by the next write, while a live
    writer's file is never touched. The caller must write the path in place (truncating
    it), not replace it. POSIX only (``fcntl``).
    """
    target = Path(target)
    partial = target.with_name(target.name + ".partial")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = _lock_file(partial)
    try:
        os.ftruncate(descriptor, 0)
        yield partial
        os.fsync(descriptor)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.close(descriptor)  # releases the lock


def _lock_file(path: Path) -> int:
    """An open descriptor of ``path`` (created if absent) under an exclusive ``flock``."""
    import fcntl

    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            held, named = os.fstat(descriptor), os.stat(path)
            if (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino):
                return descriptor
        except FileNotFoundError:
            pass  # the previous holder renamed or removed it: lock the new file
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def fingerprint(ids: Sequence[str], texts: Sequence[str]) -> dict[str, Any]:
    """Fingerprint of training data: row count and sha256 of the (id, text) records.

    Records are hashed in order as ``id \\x1f text \\x1e`` in UTF-8, so the same rows in
    another order give another digest.

    Returns
    -------
    dict
        ``{"rows": n, "sha256": hex digest}``.
    """
    if len(ids) != len(texts):
        raise DataValidationError(f"{len(ids)} ids but {len(texts)} texts")
    digest = hashlib.sha256()
    for id_, text in zip(ids, texts, strict=True):
        digest.update(f"{id_}\x1f{text}\x1e".encode())
    return {"rows": len(ids), "sha256": digest.hexdigest()}


def next_version(model_dir: Path) -> str:
    """The next free version under ``models/<name>``: ``"v1"``, then ``"v2"``, ..."""
    return f"v{max(_versions(model_dir), default=0) + 1}"


def resolve_bundle(path: Path) -> Path:
    """A bundle folder itself, or the highest ``vN`` folder of a ``models/<name>`` folder.

    Raises
    ------
    ArtifactError
        ``path`` does not exist, or holds neither a manifest nor version folders.
    """
    path = Path(path)
    if (path / MANIFEST).is_file():
        return path
    if not path.is_dir():
        raise ArtifactError(f"no model bundle at {path}: the folder does not exist")
    versions = _versions(path)
    if not versions:
        raise ArtifactError(
            f"no model bundle at {path}: it has no {MANIFEST} and no version folders v1, v2, ..."
        )
    return path / f"v{max(versions)}"


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries that shape a model ("not installed" if absent)."""
    versions = {"python": platform.python_version()}
    for library in _LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            versions[library] = "not installed"
    return versions


def _check_manifest(manifest: Any, manifest_path: Path, expected_type: str) -> dict[str, str]:
    """Check schema version, type and file list; warn on a newer cxtext; return the files."""
    if not isinstance(manifest, dict):
        raise ArtifactError(f"{manifest_path} is not a JSON object")
    schema = manifest.get("schema_version")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ArtifactError(f"{manifest_path} has no valid schema_version (got {schema!r})")
    writer = manifest.get("cxtext_version", "unknown")
    if schema > SCHEMA_VERSION:
        raise BundleVersionError(
            f"{manifest_path.parent} uses bundle schema {schema} (written by cxtext {writer}); "
            f"this cxtext {__version__} reads schema {SCHEMA_VERSION} at most: upgrade cxtext"
        )
    if manifest.get("type") != expected_type:
        raise ArtifactError(
            f"{manifest_path.parent} holds a {manifest.get('type')!r} bundle, "
            f"not the expected {expected_type!r}"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(file, str)
        and _FILE_NAME.fullmatch(file)
        and file != MANIFEST
        and isinstance(digest, str)
        for file, digest in files.items()
    ):
        raise ArtifactError(f"{manifest_path} has no valid 'files' table of {{name: sha256}}")
    ours, theirs = _release(__version__), _release(str(writer))
    if ours is not None and theirs is not None and theirs > ours:
        warnings.warn(
            f"{manifest_path.parent} was written by a newer cxtext ({writer}) than this one "
            f"({__version__}); its schema {schema} is supported, but consider upgrading",
            UserWarning,
            stacklevel=3,
        )
    return files


def _release(version: str) -> tuple[int, ...] | None:
    """The numeric release of a version string, trailing zeros dropped ("0.10.0" -> (0, 10))."""
    match = re.match(r"\d+(\.\d+)*", version)
    if match is None:
        return None
    release = [int(piece) for piece in match.group().split(".")]
    while release and release[-1] == 0:
        release.pop()
    return tuple(release)


def _versions(model_dir: Path) -> list[int]:
    """Numbers N of the ``vN`` folders in ``model_dir`` (empty when it does not exist)."""
    if not model_dir.is_dir():
        return []
    return [
        int(match.group(1))
        for entry in model_dir.iterdir()
        if entry.is_dir() and (match := _VERSION_DIR.fullmatch(entry.name))
    ]


def _npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """Serialize arrays as a compressed .npz (what ``np.savez_compressed`` writes).

    Written member by member so that no array name can clash with a keyword argument
    of ``savez_compressed`` and member dates are fixed (same arrays, same sha256).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            if not _PART_NAME.fullmatch(key):
                raise ArtifactError(f"invalid array name {key!r}: use [A-Za-z0-9_-]+")
            if not isinstance(array, np.ndarray) or array.dtype.kind not in _ARRAY_KINDS:
                kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
                raise ArtifactError(
                    f"array {key!r} has type {kind}; bundles store only bool, numeric or "
                    "fixed-width unicode ndarrays (no object arrays, no pickle)"
                )
            member = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, array, allow_pickle=False)
    return buffer.getvalue()


def _json_bytes(value: Any, *, what: str, sort_keys: bool) -> bytes:
    """UTF-8 JSON of ``value``; numpy scalars become Python numbers."""
    _check_keys(value, what)
    try:
        text = json.dumps(
            value,
            ensure_ascii=False,
            allow_nan=False,
            sort_keys=sort_keys,
            indent=2,
            default=_json_default,
        )
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"{what} cannot be stored as JSON: {exc}") from exc
    return (text + "\n").encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _check_keys(value: Any, what: str) -> None:
    """Refuse dictionary keys that JSON would silently turn into strings."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ArtifactError(
                    f"{what} has a non-string key {key!r}; JSON would load it back as a string"
                )
            _check_keys(item, what)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item, what)


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    """Persist a folder's entries (renames); a no-op where folders cannot be opened."""
    if os.name == "nt":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
