"""The synthetic partner-agency exports of a fictional district, with planted ground truth.

>>> from pathlib import Path; import tempfile
>>> truth = generate(Path(tempfile.mkdtemp()), people=1000, seed=1)
>>> len(truth["groups"])
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synthetic.exports import write_exports
from synthetic.simulate import build_world


def generate(out: Path, *, people: int = 5000, seed: int = 1) -> dict[str, Any]:
    """Simulate a district of ``people`` people and write its exports and ``truth.json`` to ``out``."""
    return write_exports(build_world(people, seed), out)


__all__ = ["generate"]
