"""A small classifier on sentence vectors with calibrated probabilities.

:class:`EmbeddingClassifier` is the shared core of the sentiment model and the predicted
NPS group model: a linear head (multinomial logistic regression) or a one-hidden-layer
ReLU network, trained with scikit-learn, then calibrated by temperature scaling (Guo et
al. 2017, "On Calibration of Modern Neural Networks"): one scalar ``T`` divides the
logits, fitted by negative log-likelihood on a held-out share of the training rows.

Inference is plain numpy over the stored layers, so a saved head needs no pickle and
predicts exactly what it predicted before it was saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from cxtext.errors import DataValidationError, NotFittedError

HEADS = ("logistic", "mlp")
ClassifierT = TypeVar("ClassifierT", bound="EmbeddingClassifier")


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of shape (n, k) logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of ``y`` (class indices)."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        scaled = logits / np.exp(log_t)
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float((log_norm - scaled[rows, y]).mean())

    found = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(found.x))


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, *, bins: int = 15) -> float:
    """Top-label ECE: the size-weighted gap between confidence and accuracy over bins."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap += members.mean() * abs(confidence[members].mean() - correct[members].mean())
    return float(gap)


class EmbeddingClassifier(ClassifierMixin, BaseEstimator):
    """Classifier over L2-normalised sentence vectors with temperature-scaled probabilities.

    Parameters
    ----------
    head
        ``"logistic"`` (multinomial logistic regression) or ``"mlp"`` (one hidden ReLU
        layer of ``hidden`` units, early stopping).
    C
        Inverse L2 strength of the logistic head.
    hidden, alpha
        Hidden units and L2 strength of the MLP head.
    calibration_share
        Share of the training rows held out (stratified) to fit the temperature.
    random_state
        Seed of the calibration split and the MLP's initialisation.
    """

    def __init__(
        self,
        *,
        head: str = "logistic",
        C: float = 1.0,
        hidden: int = 256,
        alpha: float = 1e-3,
        calibration_share: float = 0.1,
        random_state: int = 0,
    ) -> None:
        self.head = head
        self.C = C
        self.hidden = hidden
        self.alpha = alpha
        self.calibration_share = calibration_share
        self.random_state = random_state

    def fit(
        self, X: np.ndarray, y: Sequence[str] | np.ndarray, sample_weight: np.ndarray | None = None
    ) -> EmbeddingClassifier:
        """Fit the head on ``X`` (n, d) and labels ``y`` (n,), then its temperature."""
        from sklearn.model_selection import train_test_split

        if self.head not in HEADS:
            raise DataValidationError(f"head must be one of {HEADS}, got {self.head!r}")
        X = np.asarray(X, dtype=np.float32)
        labels = np.asarray(y).astype(str)
        if X.ndim != 2 or len(X) != len(labels):
            raise DataValidationError(f"X {X.shape} and y ({len(labels)}) do not match")
        classes, codes = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise DataValidationError(f"need at least 2 classes to fit, got {classes.tolist()}")
        weight = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, float)
        fit_idx, cal_idx = train_test_split(
            np.arange(len(X)),
            test_size=self.calibration_share,
            stratify=codes,
            random_state=self.random_state,
        )
        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.layers_ = self._train(X[fit_idx], codes[fit_idx], weight[fit_idx])
        self.temperature_ = fit_temperature(self._logits(X[cal_idx]), codes[cal_idx])
        return self

    def _train(
        self, X: np.ndarray, codes: np.ndarray, weight: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        if self.head == "logistic":
            from sklearn.linear_model import LogisticRegression

            lr = LogisticRegression(C=self.C, max_iter=3000)
            lr.fit(X, codes, sample_weight=weight)
            return [(lr.coef_.T.astype(np.float32), lr.intercept_.astype(np.float32))]
        from sklearn.neural_network import MLPClassifier

        mlp = MLPClassifier(
            hidden_layer_sizes=(self.hidden,),
            alpha=self.alpha,
            early_stopping=True,
            max_iter=200,
            random_state=self.random_state,
        )
        mlp.fit(X, codes, sample_weight=weight)
        return [
            (W.astype(np.float32), b.astype(np.float32))
            for W, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)
        ]

    def check_fitted(self) -> None:
        if not hasattr(self, "layers_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def hidden_features(self, X: np.ndarray) -> np.ndarray:
        """Input of the last layer: ``X`` itself for the logistic head, (n, hidden) else."""
        self.check_fitted()
        H = np.asarray(X, dtype=np.float32)
        if H.ndim != 2 or H.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"vectors have shape {H.shape}; the model needs (n, {self.n_features_in_})"
            )
        for W, b in self.layers_[:-1]:
            H = np.maximum(H @ W + b, 0.0)
        return H

    def _logits(self, X: np.ndarray) -> np.ndarray:
        H = self.hidden_features(X)
        W, b = self.layers_[-1]
        return H @ W + b

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Temperature-scaled logits, shape (n, n_classes), columns follow ``classes_``."""
        return self._logits(X) / self.temperature_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, shape (n, n_classes)."""
        return softmax(self.decision_function(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Most probable class per row, shape (n,)."""
        best = self.decision_function(X).argmax(axis=1)  # checks fitted first
        return self.classes_[best]

    def adapted(
        self,
        X: np.ndarray,
        y: Sequence[str] | np.ndarray,
        *,
        penalty: float,
        sample_weight: np.ndarray | None = None,
    ) -> EmbeddingClassifier:
        """A copy whose last layer is refitted on new data, pulled towards the current one.

        Minimises mean cross-entropy + ``penalty`` * ||W - W0||^2 / 2 over the last
        layer (a Gaussian prior centred on the fitted weights) on all but a stratified
        ``calibration_share`` of the rows, which then refit the temperature. Labels must
        be among ``classes_``.
        """
        import copy

        from scipy.optimize import minimize
        from sklearn.model_selection import train_test_split

        self.check_fitted()
        labels = np.asarray(y).astype(str)
        unknown = sorted(set(labels) - set(self.classes_))
        if unknown:
            raise DataValidationError(f"labels {unknown} are not classes of the model")
        all_codes = np.searchsorted(self.classes_, labels)
        fit_idx, cal_idx = train_test_split(
            np.arange(len(labels)),
            test_size=self.calibration_share,
            stratify=all_codes,
            random_state=self.random_state,
        )
        codes = all_codes[fit_idx]
        H = self.hidden_features(np.asarray(X)[fit_idx]).astype(np.float64)
        weight = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight)
        weight = weight[fit_idx] / weight[fit_idx].sum()
        W0, b0 = (a.astype(np.float64) for a in self.layers_[-1])
        shape, k = W0.shape, len(self.classes_)
        onehot = np.eye(k)[codes]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b = theta[: W0.size].reshape(shape), theta[W0.size :]
            p = softmax(H @ W + b)
            ce = -(weight * np.log(np.clip(p[np.arange(len(H)), codes], 1e-12, None))).sum()
            d = (p - onehot) * weight[:, None]
            gW = H.T @ d + penalty * (W - W0)
            gb = d.sum(axis=0) + penalty * (b - b0)
            reg = 0.5 * penalty * (((W - W0) ** 2).sum() + ((b - b0) ** 2).sum())
            return float(ce + reg), np.concatenate([gW.ravel(), gb])

        theta0 = np.concatenate([W0.ravel(), b0])
        found = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        new = copy.deepcopy(self)
        W, b = found.x[: W0.size].reshape(shape), found.x[W0.size :]
        new.layers_ = [*self.layers_[:-1], (W.astype(np.float32), b.astype(np.float32))]
        new.temperature_ = fit_temperature(new._logits(np.asarray(X)[cal_idx]), all_codes[cal_idx])
        return new

    # --- state for bundles ---------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        """Learned arrays by name, for :func:`cxtext.persistence.write_bundle`."""
        self.check_fitted()
        out: dict[str, np.ndarray] = {"classes": self.classes_.astype(str)}
        for i, (W, b) in enumerate(self.layers_):
            out[f"layer{i}_weight"], out[f"layer{i}_bias"] = W, b
        return out

    def state(self) -> dict[str, Any]:
        """JSON state beside :meth:`arrays`."""
        self.check_fitted()
        return {
            "temperature": self.temperature_,
            "n_features_in": self.n_features_in_,
            "layers": len(self.layers_),
        }

    def restore(self, arrays: dict[str, np.ndarray], state: dict[str, Any]) -> None:
        """Set the learned state from :meth:`arrays` and :meth:`state` output."""
        self.classes_ = np.asarray(arrays["classes"]).astype(str)
        self.layers_ = [
            (arrays[f"layer{i}_weight"], arrays[f"layer{i}_bias"])
            for i in range(int(state["layers"]))
        ]
        self.temperature_ = float(state["temperature"])
        self.n_features_in_ = int(state["n_features_in"])


def write_classifier(
    model: EmbeddingClassifier,
    target: Path,
    *,
    type_name: str,
    name: str,
    version: str,
    encoder: dict[str, Any],
    model_card: str,
    metrics: dict[str, Any] | None = None,
    data_fingerprint: dict[str, Any] | None = None,
    lineage: dict[str, Any] | None = None,
) -> Path:
    """Write a fitted classifier as a bundle folder (docs/architecture.md, "Bundles")."""
    from cxtext.persistence import write_bundle

    return write_bundle(
        target,
        type_name=type_name,
        name=name,
        version=version,
        params=model.get_params(),
        arrays=model.arrays(),
        parts={"state": model.state()},
        model_card=model_card,
        encoder=encoder,
        data_fingerprint=data_fingerprint,
        metrics=metrics,
        lineage=lineage,
    )


def read_classifier(
    folder: Path, cls: type[ClassifierT], *, type_name: str
) -> tuple[ClassifierT, dict[str, Any]]:
    """Load a classifier bundle (a version folder, or its parent for the latest version)."""
    from cxtext.persistence import read_bundle, resolve_bundle

    bundle = read_bundle(resolve_bundle(folder), expected_type=type_name)
    model = cls(**bundle.manifest["params"])
    model.restore(bundle.arrays, bundle.parts["state"])
    return model, bundle.manifest
