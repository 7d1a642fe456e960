"""What a run did: a report per file and one for the run, as the CLI prints and the ledger keeps.

Rows read = rows loaded + rows rejected, for every file of every run (checked before a run ends).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.readers import SourceRow


@dataclass
class FileReport:
    """What one file's load did."""

    source: str
    file: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    entities_created: int = 0
    entities_merged: int = 0
    links_created: int = 0
    links_merged: int = 0
    not_geocoded: int = 0
    placeholders: int = 0  # entities made from a reference alone (the record they name is not loaded)
    links_skipped: int = 0  # links left out because the record they name is not loaded
    rows_erased: int = 0  # rows set aside (among the rejected) because they name an erased entity
    status: str = "loaded"  # loaded | already loaded | gazetteer | boundaries | failed
    message: str = ""
    encoding: str = ""  # how a text file was read (judged over the whole file)
    sheet: str = ""  # the sheet of a workbook that was read
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)  # read, map, build, store, commit

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the time the block takes to the named stage."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + time.perf_counter() - started

    def timed_reads(self, chunks: Iterator[list[SourceRow]]) -> Iterator[list[SourceRow]]:
        """The chunks, with the time spent reading each added to the read stage."""
        while True:
            with self.stage("read"):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk


@dataclass
class RunReport:
    """What a whole ingest run did."""

    run_id: str
    files: list[FileReport] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    rejects_file: str = ""
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> {before, after}
    seconds: float = 0.0
    finish_seconds: float = 0.0  # ending the store's bulk load: its last commit and any index builds

    @property
    def stage_seconds(self) -> dict[str, float]:
        """Seconds by stage over all files, and ``finish`` for ending the bulk load."""
        totals: dict[str, float] = defaultdict(float)
        for f in self.files:
            for stage, seconds in f.stage_seconds.items():
                totals[stage] += seconds
        return {**totals, "finish": self.finish_seconds}

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "files": [asdict(f) for f in self.files],
            "unrecognised": self.unrecognised,
            "rejects_file": self.rejects_file,
            "by_kind": self.by_kind,
            "seconds": round(self.seconds, 3),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
        }


__all__ = ["FileReport", "RunReport"]
