"""The ingest pipeline: read -> map -> validate -> normalise -> look up references -> upsert in
batches, with every bad row set aside in the rejects file and progress checkpointed.

- :mod:`ingest.pipeline.plan`: which files, in what order, and a survey of each before it loads;
- :mod:`ingest.pipeline.build`: rows in, records out (pure: no store);
- :mod:`ingest.pipeline.load`: the job that loads the files into a store, chunk by chunk;
- :mod:`ingest.pipeline.report`: what a run did, file by file.

Rows read = rows loaded + rows rejected, for every file of every run (checked before a run ends).
"""

from __future__ import annotations

from pathlib import Path

from graph import GraphStore
from ingest.defaults import DEFAULT_CHUNK, DEFAULT_COMMIT_ROWS
from ingest.errors import IngestError
from ingest.mapping import load_specs
from ingest.pipeline.load import Ingest, Progress
from ingest.pipeline.plan import plan_folder, plan_paths
from ingest.pipeline.report import FileReport, RunReport


def ingest_paths(
    store: GraphStore,
    path: Path,
    work_dir: Path,
    *,
    source: str | None = None,
    specs_dir: Path | None = None,
    restart: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    commit_rows: int = DEFAULT_COMMIT_ROWS,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> RunReport:
    """Ingest a file (of ``source`` kind) or a folder of exports into ``store``; ``encoding`` is
    that of every text file (judged over each file when None).

    Raises:
        IngestError: the path does not exist, the source kind is unknown, or no file is recognised.
        InvalidMapping: a spec in ``specs_dir`` is wrong.
    """
    specs = load_specs(store.schema, specs_dir)
    files, unrecognised = plan_paths(path, specs, source)
    with Ingest(
        store,
        work_dir,
        specs=specs,
        chunk_size=chunk_size,
        commit_rows=commit_rows,
        restart=restart,
        progress=progress,
        encoding=encoding,
    ) as job:
        return job.run(files, unrecognised)


__all__ = ["FileReport", "Ingest", "IngestError", "RunReport", "ingest_paths", "plan_folder"]
