"""The worked notebooks in ``notebooks/`` run from top to bottom on a small synthetic district."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_the_two_worked_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} == {"exploring_a_group.ipynb", "hotspots_briefing.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISRUPT_NOTEBOOK_PEOPLE", "3000")
    monkeypatch.delenv("DISRUPT_NOTEBOOK_STORE", raising=False)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("groups" in str(o) for o in outputs)
