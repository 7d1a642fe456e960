"""Moved (issue 23): the lookup to :mod:`geodata.gazetteer`, reading its file to :mod:`ingest.postcode_lookup`.

This shim keeps ``Gazetteer().load(path)`` working until its importers follow (07:35 UTC).
"""

from __future__ import annotations

from pathlib import Path

from geodata import gazetteer as _geodata
from geodata.gazetteer import Place
from ingest.postcode_lookup import load_postcode_lookup


class Gazetteer(_geodata.Gazetteer):
    def load(self, path: Path) -> int:
        return load_postcode_lookup(self, path)


__all__ = ["Gazetteer", "Place"]
