"""Loading: the ingest job that reads each planned file, builds its records and upserts them in
batches, with every bad row set aside in the rejects file and progress checkpointed.

A file loads whole or not at all: a survey (:mod:`ingest.pipeline.plan`) reads it first, and a
file it refuses leaves nothing of itself in the store; then its rows load chunk by chunk, each
chunk mapped and built (:mod:`ingest.pipeline.build`) and upserted, with the store committed and
the ledger checkpointed every ``commit_rows`` rows. A batch the store refuses is split in halves
until the rows at fault are found and set aside.
"""

from __future__ import annotations

import gc
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from common.settings import ledger_path, rejects_path
from geodata.gazetteer import Gazetteer
from graph import GraphError, GraphStore, now_iso
from graph.contract import BulkLoad, EachBatchCommits
from graph.merge import coalesce_entities
from ingest.defaults import DEFAULT_CHUNK, DEFAULT_COMMIT_ROWS
from ingest.errors import IngestError, ReaderError
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest
from ingest.mapping import RowMapper, SourceSpec, load_specs
from ingest.pipeline.build import Builder, BuiltRow, FileMemory, Found, Mappers, map_rows, wanted_references
from ingest.pipeline.plan import Survey, survey_file
from ingest.pipeline.report import FileReport, RunReport
from ingest.postcode_lookup import load_postcode_lookup
from ingest.readers import SourceRow, open_export

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class Ingest:
    """One ingest run into a store, with its ledger (checkpoints, rejects) in ``work_dir``."""

    def __init__(
        self,
        store: GraphStore,
        work_dir: Path,
        *,
        specs: dict[str, SourceSpec] | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        commit_rows: int = DEFAULT_COMMIT_ROWS,
        restart: bool = False,
        progress: Progress | None = None,
        encoding: str | None = None,
    ) -> None:
        self.store = store
        self.encoding = encoding  # of every text file; None: judged file by file
        self.specs = specs if specs is not None else load_specs(store.schema)
        self.work_dir = work_dir
        self.chunk_size = chunk_size
        self.commit_rows = commit_rows
        self.restart = restart
        self.progress = progress or (lambda n: None)
        self.gazetteer = Gazetteer()
        self.run_id = uuid.uuid4().hex[:16]
        self.started_at = now_iso()
        self.ledger = Ledger(ledger_path(work_dir), store.url)
        self.report = RunReport(self.run_id)
        self.mappers = Mappers(self.specs, store.schema)
        self.bulk: BulkLoad = EachBatchCommits()  # the store's bulk load while a run is on

    def close(self) -> None:
        self.ledger.close()

    def __enter__(self) -> Ingest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, files: Sequence[tuple[Path, SourceSpec]], unrecognised: Iterable[str] = ()) -> RunReport:
        """Load the files in order; write the rejects file; return the report."""
        started = time.perf_counter()
        before = self.store.counts()
        self.report.unrecognised = list(unrecognised)
        with self.store.bulk_load() as self.bulk, _collecting_at_commits():
            for path, spec in files:
                self.report.files.append(self.load_file(path, spec))
            finishing = time.perf_counter()
        self.report.finish_seconds = time.perf_counter() - finishing
        after = self.store.counts()
        kinds = sorted({*before.entities, *after.entities})
        self.report.by_kind = {
            k: {"before": before.entities.get(k, 0), "after": after.entities.get(k, 0)} for k in kinds
        }
        target = rejects_path(self.work_dir)
        self.ledger.write_rejects_csv(target)
        self.report.rejects_file = str(target)
        self.report.seconds = time.perf_counter() - started
        self.ledger.record_run(self.run_id, self.started_at, self.report.as_dict())
        return self.report

    def load_file(self, path: Path, spec: SourceSpec) -> FileReport:
        report = FileReport(spec.source, str(path))
        started = time.perf_counter()
        try:
            if spec.role == "gazetteer":
                report.rows_loaded = load_postcode_lookup(self.gazetteer, path)
                report.rows_rejected = len(self.gazetteer.set_aside)  # no postcode, no or impossible coordinates
                report.rows_read = report.rows_loaded + report.rows_rejected
                report.status = "gazetteer"
                self._record_set_aside(path, spec, self.gazetteer.set_aside)
            elif spec.role == "boundaries":
                report.status, report.message = "boundaries", "ward boundaries are read by the app's maps"
            else:
                self._load_graph_file(path, spec, report)
        except (IngestError, OSError) as exc:
            report.status, report.message = "failed", str(exc)
            log.error("%s: %s", path.name, exc)
        report.seconds = time.perf_counter() - started
        if report.rows_read != report.rows_loaded + report.rows_rejected:
            raise AssertionError(f"{path}: rows read {report.rows_read} != loaded + rejected")  # a bug, never data
        return report

    def _record_set_aside(self, path: Path, spec: SourceSpec, rows: list[tuple[int, str, str]]) -> None:
        """Put the rows of a lookup file that could not be used in the rejects, with their reasons."""
        if rows:
            digest = file_digest(path)
            rejects = [Reject(str(path), row, column, reason) for row, column, reason in rows]
            point = self.ledger.checkpoint(digest, spec.source)
            self.ledger.advance(digest, spec.source, str(path), point, rejects, self.run_id, now_iso())

    def _load_graph_file(self, path: Path, spec: SourceSpec, report: FileReport) -> None:
        """Load one file whole or not at all: survey it, then load its rows, each bad one set aside."""
        digest = file_digest(path)
        if self.restart:
            self.ledger.forget(digest, spec.source)
        point = self.ledger.checkpoint(digest, spec.source)
        if point.complete:
            report.rows_read, report.rows_loaded, report.rows_rejected = (
                point.rows_read,
                point.rows_loaded,
                point.rows_rejected,
            )
            report.status, report.message = "already loaded", "this file was loaded before; --restart loads it again"
            self.progress(point.rows_read)
            return
        self.ledger.clear_failure(digest, spec.source, str(path))
        survey = self._survey(path, spec, digest, report)
        if survey is not None:
            _FileLoad(self, path, spec, digest, point, report).run(survey)

    def _survey(self, path: Path, spec: SourceSpec, digest: str, report: FileReport) -> Survey | None:
        """The file's survey; None (the file failed whole, and the ledger says why) if it refuses it."""
        survey = Survey()
        try:
            with report.stage("survey"):
                survey_file(path, spec, self.mappers.get(spec), survey, encoding=self.encoding)
        except Exception as exc:
            # nothing is written before the survey ends, so a refused file has nothing in the store;
            # whatever a reader library raises on a damaged file fails that file, not the run
            if not isinstance(exc, (IngestError, OSError)):
                log.exception("%s: unreadable", path.name)
                exc = ReaderError(f"{path}: not readable ({type(exc).__name__}: {exc})")
            report.rows_read = report.rows_rejected = survey.rows
            report.status = "failed"
            report.message = f"{exc} (nothing of this file was loaded; {survey.rows:,} rows read, all set aside)"
            at = exc.line if isinstance(exc, ReaderError) and exc.line else 1  # else the header is at fault
            self.ledger.record_failure(
                digest, spec.source, str(path), at, f"the whole file was set aside: {exc}", self.run_id
            )
            log.error("%s: %s", path.name, exc)
            return None
        report.encoding, report.sheet = survey.encoding or "", survey.sheet or ""
        return survey


class _FileLoad:
    """The rows of one surveyed graph file, loading chunk by chunk: each chunk's rows screened
    (unreadable, exact duplicates, done by an interrupted run), mapped, built and upserted; the
    store committed and the ledger checkpointed every ``commit_rows`` rows."""

    def __init__(
        self, job: Ingest, path: Path, spec: SourceSpec, digest: str, point: Checkpoint, report: FileReport
    ) -> None:
        self.job, self.path, self.spec, self.digest, self.point, self.report = job, path, spec, digest, point, report
        self.memory = FileMemory()
        self.held: list[Reject] = []  # rejects of the chunks upserted since the last commit
        self.held_rows = 0

    def run(self, survey: Survey) -> None:
        job, report = self.job, self.report
        mapper = job.mappers.get(self.spec, survey.orders)
        builder = Builder(job.store.schema, self.spec, job.mappers, job.run_id, job.started_at, job.gazetteer)
        export = open_export(
            self.path,
            encoding=survey.encoding,
            delimiter=survey.delimiter,
            sheet=survey.sheet,
            columns=mapper.columns(),
            what=self.spec.source,
        )
        try:
            with export:
                for chunk in report.timed_reads(export.chunks(job.chunk_size)):
                    self._chunk(chunk, mapper, builder)
        except Exception as exc:
            # the survey read this file whole, so this is the machine or a bug, not the data: say
            # truly what is stored (the rows up to the checkpoint) and go on with the next file
            if self.held_rows:
                self._commit()
            log.exception("%s: failed part-way", self.path.name)
            self._report_point()
            report.status = "failed"
            report.message = (
                f"failed after row {self.point.upto} ({type(exc).__name__}: {exc}); the "
                f"{self.point.rows_loaded:,} rows loaded before it stay loaded, and the next run goes on from there"
            )
            return
        except BaseException:
            if self.held_rows:
                self._commit()  # keep what loaded before the interruption, as batch-by-batch commits would
            raise
        p = self.point
        self.point = Checkpoint(p.upto, p.rows_read, p.rows_loaded, p.rows_rejected, complete=True)
        self._commit()
        self._report_point()

    def _report_point(self) -> None:
        p, report = self.point, self.report
        report.rows_read, report.rows_loaded, report.rows_rejected = p.rows_read, p.rows_loaded, p.rows_rejected

    def _commit(self) -> None:
        """Commit the store, then checkpoint: a crash in between replays chunks the store holds."""
        job = self.job
        with self.report.stage("commit"):
            job.bulk.commit()
            job.ledger.advance(
                self.digest, self.spec.source, str(self.path), self.point, self.held, job.run_id, now_iso()
            )
            gc.collect()
        self.held.clear()
        self.held_rows = 0

    def _chunk(self, chunk: list[SourceRow], mapper: RowMapper, builder: Builder) -> None:
        point, memory = self.point, self.memory
        todo: list[SourceRow] = []
        rejects: list[Reject] = []
        for row in chunk:
            duplicate_of = memory.duplicate_of(row) if row.problem is None else None
            if row.row <= point.upto:  # done by an earlier, interrupted run: remember its record id
                if row.problem is None and duplicate_of is None:
                    mapped = mapper.map(row.values, row.row)
                    if not isinstance(mapped, list):
                        memory.first_with_id(self.spec, mapped, row.row)
                continue
            if row.problem:
                rejects.append(Reject(row.file, row.row, row.column, f"row {row.problem}"))
            elif duplicate_of is not None:
                rejects.append(Reject(row.file, row.row, "", f"exact duplicate of row {duplicate_of}"))
            else:
                todo.append(row)
        loaded = self._load_rows(todo, mapper, builder, rejects)
        done = sum(1 for r in chunk if r.row > point.upto)
        self.point = Checkpoint(
            upto=max(point.upto, chunk[-1].row),
            rows_read=point.rows_read + done,
            rows_loaded=point.rows_loaded + loaded,
            rows_rejected=point.rows_rejected + len({r.row for r in rejects}),
        )
        self.held.extend(rejects)
        self.held_rows += done
        if self.held_rows >= self.job.commit_rows:
            self._commit()
        self.job.progress(done)

    def _load_rows(self, rows: list[SourceRow], mapper: RowMapper, builder: Builder, rejects: list[Reject]) -> int:
        """Map, build and upsert rows; return how many loaded (the rest are in ``rejects``)."""
        report, store = self.report, self.job.store
        with report.stage("map"):
            mapped, refused = map_rows(rows, self.spec, mapper, self.memory)
            rejects.extend(refused)
        with report.stage("build"):
            found: Found = {
                (source, kind): store.find_by_source(source, values, kind=kind)
                for (source, kind), values in wanted_references(mapped).items()
            }
            built, refused = builder.build(mapped, found)
            rejects.extend(refused)
            report.not_geocoded = builder.counts.not_geocoded
            report.placeholders = builder.counts.placeholders
            report.links_skipped = builder.counts.links_skipped
            built = self._without_erased(built, rejects)
        with report.stage("store"):
            return upsert_bisecting(store, built, rejects, report)

    def _without_erased(self, built: list[BuiltRow], rejects: list[Reject]) -> list[BuiltRow]:
        """Set aside the rows that would bring back an erased entity; keep the rest."""
        erased = self.job.store.erased_ids({e.id for b in built for e in b.entities})
        if not erased:
            return built
        kept = []
        for b in built:
            hit = next((e for e in b.entities if e.id in erased), None)
            if hit is None:
                kept.append(b)
                continue
            self.report.rows_erased += 1
            reason = f"names a {hit.kind} that was erased (erasure {erased[hit.id]}); it is not loaded again"
            rejects.append(Reject(b.row.file, b.row.row, "", reason))
        return kept


def upsert_bisecting(store: GraphStore, built: list[BuiltRow], rejects: list[Reject], report: FileReport) -> int:
    """Upsert the rows' records, repeats of one entity merged first (``graph.merge``); if the store
    refuses the batch, split it in halves until the rows at fault are found and set aside. Return
    how many rows loaded."""
    if not built:
        return 0
    try:
        summary = store.upsert(
            coalesce_entities(store.schema, [e for b in built for e in b.entities]),
            [ln for b in built for ln in b.links],
        )
    except GraphError as exc:
        if len(built) == 1:
            row = built[0].row
            rejects.append(Reject(row.file, row.row, "", f"the graph refused the row: {exc}"))
            return 0
        half = len(built) // 2
        return upsert_bisecting(store, built[:half], rejects, report) + upsert_bisecting(
            store, built[half:], rejects, report
        )
    report.entities_created += summary.entities_created
    report.entities_merged += summary.entities_merged
    report.links_created += summary.links_created
    report.links_merged += summary.links_merged
    return len(built)


@contextmanager
def _collecting_at_commits() -> Iterator[None]:
    """Pause Python's automatic cyclic garbage collection for a load; the load collects at each
    commit instead. Left on, the collector runs every few hundred allocations and walks each
    chunk's live objects again and again: on the 1,000,000-person world that cost 31 s of 200.
    A load makes little cyclic garbage, so memory stays bounded by the commit interval."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = ["Ingest", "Progress", "upsert_bisecting"]
