"""MODEL_CARD.md of a theme model bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
        "| id | label | size | origin | parent |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {t['id']} | {t['label']} | {t['size']} | {t['origin']} | {t['parent']} |"
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
        "",
    ]
    return "\n".join(lines)
