"""The researcher notebooks (notebooks/): stored without outputs, and each runs top to
bottom on the demo data with the real encoder, in order (03 uses the model 02 saved)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
ROWS = "400"  # the demo survey's size here; the notebooks' default is larger


def test_the_three_notebooks_are_stored_without_outputs() -> None:
    assert [p.stem for p in NOTEBOOKS] == [
        "01_explore_feedback",
        "02_train_and_curate_themes",
        "03_drivers_and_trends",
    ]
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert code and all(c.outputs == [] and c.execution_count is None for c in code)
        imports = {
            line.split()[1].split(".")[0]
            for c in code
            for line in c.source.splitlines()
            if line.startswith(("import ", "from "))
        }
        assert imports <= {"cxtext", "numpy", "pandas", "plotly", "os", "pathlib"}, path.name


@pytest.mark.integration
def test_the_notebooks_run_top_to_bottom(
    encoder_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXTEXT_NOTEBOOK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("CXTEXT_NOTEBOOK_ROWS", ROWS)
    monkeypatch.setenv("CXTEXT_CACHE_DIR", str(encoder_folder.parent))
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        NotebookClient(
            book, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
        ).execute()
        errors = [o for c in book.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert errors == [], path.name
        figures = [
            o
            for c in book.cells
            for o in c.get("outputs", [])
            if "application/vnd.plotly.v1+json" in o.get("data", {})
        ]
        assert len(figures) >= 2, f"{path.name}: {len(figures)} plots"
    saved = {p.name for p in (tmp_path / "work" / "models" / "themes").iterdir()}
    assert {"v1", "v2"} <= saved  # trained, then curated
