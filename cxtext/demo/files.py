"""The demo's files: survey and ticket exports, their mappings, the seed themes, and
their hidden truth, written by :func:`write_demo` for ``cxtext demo``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from cxtext import schema
from cxtext.demo import (
    COMPANY,
    SURVEY_COLUMNS,
    SURVEY_SEGMENTS,
    TICKET_COLUMNS,
    generate_survey,
    generate_tickets,
)


def mapping_toml(source: schema.Source) -> str:
    """The column-mapping TOML that maps the demo export of ``source`` onto the schema."""
    columns, segments = (
        (SURVEY_COLUMNS, SURVEY_SEGMENTS)
        if source == schema.Source.SURVEY
        else (TICKET_COLUMNS, {})
    )
    lines = [
        f"# {COMPANY} demo {source} export -> cxtext canonical columns (cxtext.demo)",
        f"source = {json.dumps(str(source))}",
        "",
        "[columns]",
        *(f"{field_} = {json.dumps(col, ensure_ascii=False)}" for field_, col in columns.items()),
    ]
    if segments:
        lines += ["", "[segments]"]
        lines += [
            f"{name} = {json.dumps(col, ensure_ascii=False)}" for name, col in segments.items()
        ]
    return "\n".join(lines) + "\n"


# Seed phrases for the survey's problem list (NPS+ picks), in a few languages each; written
# fresh for the demo's theme training config, not drawn from the phrase banks above.
SEED_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "Billing / invoice": (
        "my invoice is wrong",
        "I was charged twice",
        "de factuur klopt niet",
        "factura este greșită",
        "a fatura veio errada",
    ),
    "Internet speed or outages": (
        "the internet is slow and keeps dropping",
        "het internet valt steeds weg",
        "internetul merge foarte greu",
        "a internet está sempre a falhar",
    ),
    "Waiting time customer service": (
        "I waited an hour on the phone",
        "lang in de wacht bij de klantenservice",
        "am așteptat mult la telefon",
        "esperei muito tempo pelo atendimento",
    ),
    "Staff attitude": (
        "the agent was rude",
        "de medewerker was onbeleefd",
        "angajatul a fost nepoliticos",
        "o funcionário foi mal-educado",
    ),
    "App or website": (
        "the app keeps crashing",
        "de app werkt niet",
        "aplicația nu funcționează",
        "a aplicação não abre",
    ),
    "Price": ("it is too expensive", "veel te duur", "prea scump", "é muito caro"),
}


def themes_toml() -> str:
    """Theme training config for the demo: broad themes, the problem list as seeds."""
    lines = [
        f"# {COMPANY} demo: theme training config (cxtext.demo). The survey's problem list",
        "# seeds themes; everything else is discovered.",
        "[themes]",
        "granularity = 2.0",
        "min_theme_size = 15",
    ]
    for name, phrases in SEED_PHRASES.items():
        quoted = ", ".join(json.dumps(p, ensure_ascii=False) for p in phrases)
        lines += [
            "",
            "[[seeds]]",
            f"name = {json.dumps(name)}",
            f"phrases = [{quoted}]",
            'polarity = "negative"  # the problem list holds complaints',
        ]
    return "\n".join(lines) + "\n"


def write_demo(
    out_dir: Path,
    *,
    n_survey: int = 2000,
    n_tickets: int = 800,
    seed: int = 0,
    n_bad: int | None = None,
) -> dict[str, Path]:
    """Write the demo data set into ``out_dir`` (created if missing).

    Files: ``survey.csv``, ``tickets.csv`` (UTF-8 exports), ``survey_mapping.toml``,
    ``tickets_mapping.toml`` (their column mappings) and ``survey_truth.csv``,
    ``tickets_truth.csv`` (ground truth for evaluation; not for ingestion). The same arguments
    give byte-identical files.

    Returns
    -------
    dict
        Path of each file by key: ``survey``, ``tickets``, ``survey_mapping``,
        ``tickets_mapping``, ``survey_truth``, ``tickets_truth``, ``themes_config`` (a
        theme training config seeding the survey's problem list, see :func:`themes_toml`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    survey, survey_truth = generate_survey(n_survey, seed, n_bad=n_bad, with_truth=True)
    tickets, tickets_truth = generate_tickets(n_tickets, seed, with_truth=True)
    paths = {
        "survey": out_dir / "survey.csv",
        "tickets": out_dir / "tickets.csv",
        "survey_mapping": out_dir / "survey_mapping.toml",
        "tickets_mapping": out_dir / "tickets_mapping.toml",
        "survey_truth": out_dir / "survey_truth.csv",
        "tickets_truth": out_dir / "tickets_truth.csv",
    }
    frames = {
        "survey": survey,
        "tickets": tickets,
        "survey_truth": survey_truth,
        "tickets_truth": tickets_truth,
    }
    for key, frame in frames.items():
        frame.to_csv(paths[key], index=False, encoding="utf-8", lineterminator="\n")
    for key, source in (
        ("survey_mapping", schema.Source.SURVEY),
        ("tickets_mapping", schema.Source.TICKET),
    ):
        paths[key].write_text(mapping_toml(source), encoding="utf-8", newline="\n")
    paths["themes_config"] = out_dir / "themes.toml"
    paths["themes_config"].write_text(themes_toml(), encoding="utf-8", newline="\n")
    return paths
