"""A fitted :class:`~cxtext.themes.model.ThemeModel` as a bundle folder and back
(docs/architecture.md, "Bundles"): arrays in ``arrays.npz``, themes and seeds as JSON,
the model card, and the manifest that checks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cxtext.persistence import read_bundle, resolve_bundle, write_bundle
from cxtext.themes.card import model_card
from cxtext.themes.model import ThemeModel

TYPE_NAME = "cxtext.ThemeModel.v1"
_ARRAY_STATE = (
    "theme_ids_",
    "projection_",
    "centroids_",
    "raw_centroids_",
    "parents_",
    "seed_prototypes_",
    "sample_vectors_",
    "sample_languages_",
    "sample_weights_",
    "sample_labels_",
    "sample_content_",
)
# State that bundles written before one-direction themes lack (set to neutral on load).
_OPTIONAL_ARRAY_STATE = ("polarities_", "sample_signs_")


def save_model(
    model: ThemeModel,
    target: Path,
    *,
    name: str,
    version: str,
    encoder: dict[str, Any] | None,
    data_fingerprint: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    config_toml: str | None = None,
    edited_from: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a fitted model as a bundle folder (docs/architecture.md, "Bundles").

    ``edited_from`` names the version a curated model was edited from; the manifest's
    lineage records it with the edits.
    """
    model.check_fitted()
    languages = sorted(model.language_offsets_)
    arrays = {
        attr.rstrip("_"): np.asarray(getattr(model, attr))
        for attr in (*_ARRAY_STATE, *_OPTIONAL_ARRAY_STATE)
    }
    arrays["offset_languages"] = np.asarray(languages, dtype=str)
    arrays["offsets"] = (
        np.vstack([model.language_offsets_[code] for code in languages])
        if languages
        else np.zeros((0, model.n_features_in_), np.float32)
    )
    state = {
        "n_features_in": model.n_features_in_,
        "max_distance": model.max_distance_,
        "seed_names": model.seed_names_,
        "seed_threshold": None if np.isnan(model.seed_threshold_) else model.seed_threshold_,
        "origins": {str(k): v for k, v in model.origins_.items()},
        "labels_by_id": {str(k): v for k, v in model.labels_by_id_.items()},
        "lineage": model.lineage_,
        "stability": {str(k): v for k, v in getattr(model, "stability_", {}).items()},
    }
    parts = {
        "themes": model.themes_,
        "parents": model.parent_themes_,
        "state": state,
        "sample": {"texts": list(model.sample_texts_), "ids": list(model.sample_ids_)},
    }
    return write_bundle(
        target,
        type_name=TYPE_NAME,
        name=name,
        version=version,
        params=model.get_params(),
        arrays=arrays,
        parts=parts,
        model_card=model_card(
            model,
            name=name,
            version=version,
            encoder=encoder,
            metrics=metrics,
            data_fingerprint=data_fingerprint,
        ),
        config_toml=config_toml,
        encoder=encoder,
        data_fingerprint=data_fingerprint,
        metrics=metrics,
        lineage=({"edited_from": edited_from, "edits": model.lineage_} if model.lineage_ else None),
        overwrite=overwrite,
    )


def load_model(path: Path) -> tuple[ThemeModel, dict[str, Any]]:
    """Load a bundle (a version folder, or ``models/<name>`` for its latest version).

    Returns
    -------
    model, manifest
        The fitted model, predicting exactly as when it was saved, and the bundle manifest.
    """
    bundle = read_bundle(resolve_bundle(path), expected_type=TYPE_NAME)
    # Bundles from before clause context themed every clause on its own.
    model = ThemeModel(**({"clause_context": 0.0} | bundle.manifest["params"]))
    arrays = bundle.arrays
    for attr in _ARRAY_STATE:
        setattr(model, attr, arrays[attr.rstrip("_")])
    model.polarities_ = np.asarray(
        arrays.get("polarities", np.zeros(len(model.theme_ids_))), dtype=np.int8
    )
    model.sample_signs_ = np.asarray(
        arrays.get("sample_signs", np.zeros(len(model.sample_labels_))), dtype=np.int8
    )
    state = bundle.parts["state"]
    model.language_offsets_ = {
        str(code): arrays["offsets"][i] for i, code in enumerate(arrays["offset_languages"])
    }
    model.n_features_in_ = int(state["n_features_in"])
    model.max_distance_ = float(state["max_distance"])
    model.seed_names_ = list(state["seed_names"])
    threshold = state["seed_threshold"]
    model.seed_threshold_ = float("nan") if threshold is None else float(threshold)
    model.origins_ = {int(k): v for k, v in state["origins"].items()}
    model.labels_by_id_ = {int(k): v for k, v in state["labels_by_id"].items()}
    model.lineage_ = list(state["lineage"])
    # Bundles from before stability was measured have none.
    model.stability_ = {int(k): v for k, v in state.get("stability", {}).items()}
    model.themes_ = bundle.parts["themes"]
    model.parent_themes_ = bundle.parts["parents"]
    model.sample_texts_ = list(bundle.parts["sample"]["texts"])
    model.sample_ids_ = list(bundle.parts["sample"]["ids"])
    return model, bundle.manifest
