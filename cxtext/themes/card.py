"""MODEL_CARD.md of a theme model bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cxtext.themes.stability import MIN_MEMBERS, NOISE, UNSTABLE_BELOW

if TYPE_CHECKING:
    from cxtext.themes.model import ThemeModel


def model_card(
    model: ThemeModel,
    *,
    name: str,
    version: str,
    encoder: dict[str, Any] | None,
    metrics: dict[str, Any] | None,
    data_fingerprint: dict[str, Any] | None,
) -> str:
    """Markdown describing what the model was trained on, its themes, metrics and limits."""
    lines = [
        f"# Theme model {name} {version}",
        "",
        "Root-cause themes over sentence vectors (cxtext.ThemeModel.v1).",
        "",
        "## Training",
        "",
        f"- encoder: {encoder.get('id') if encoder else 'unknown'}",
        f"- rows (clauses): {data_fingerprint.get('rows') if data_fingerprint else 'unknown'}",
        f"- data sha256: {data_fingerprint.get('sha256') if data_fingerprint else 'unknown'}",
        f"- parameters: {model.get_params()}",
        f"- languages debiased: {', '.join(sorted(model.language_offsets_)) or 'none'}",
    ]
    if model.lineage_:
        lines += ["", "## Edits", ""]
        lines += [f"- {edit['op']}: {edit['detail']}" for edit in model.lineage_]
    if metrics:
        lines += ["", "## Metrics", ""]
        lines += [f"- {key}: {value}" for key, value in metrics.items()]
    lines += [
        "",
        "## Themes",
        "",
        "| id | label | size | origin | parent | stability |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {t['id']} | {t['label']} | {t['size']} | {t['origin']} | {t['parent']} | "
        f"{_stability(t.get('stability'))} |"
        for t in model.themes_
    ]
    lines += [
        "",
        "## Limits",
        "",
        "- Themes are found in the training comments only; new kinds of complaint land in the",
        "  nearest theme or stay unassigned (-1) until the model is retrained or edited.",
        "- Labels are phrases cut from each theme's own clauses (in the label language when",
        "  it has some); rename themes after reading their representatives.",
        "- Vectors from another encoder are refused: retrain for a new encoder.",
        "- Stability is the mean Jaccard of a theme's members with the best-matching theme",
        f"  when the fit is repeated on vectors moved by noise of norm {NOISE} (about the gap",
        "  between two encoder runtimes) with another random state; below "
        f"{UNSTABLE_BELOW} a theme",
        "  may not come back on another machine. Themes with fewer than "
        f"{MIN_MEMBERS} members are not measured.",
        "",
    ]
    return "\n".join(lines)


def _stability(stability: dict[str, Any] | None) -> str:
    if not stability or stability["score"] is None:
        reason = (stability or {}).get("reason") or "no measure in this model"
        return f"not measured: {reason}"
    return f"{stability['score']:.2f} {stability['status']}"
