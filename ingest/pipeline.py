"""The ingest job: read -> map -> validate -> normalise -> look up references -> upsert in batches,
with every bad row set aside in the rejects file and progress checkpointed.

Rows read = rows loaded + rows rejected, for every file of every run (checked before a run ends).
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import json
import logging
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from graph import Entity, GraphError, GraphStore, Link, Provenance, make_id, now_iso
from graph.records import make_label
from graph.store import BulkLoad, EachBatchCommits
from ingest.defaults import DEFAULT_CHUNK, DEFAULT_COMMIT_ROWS
from ingest.gazetteer import Gazetteer
from ingest.ledger import Checkpoint, Ledger, Reject, file_digest
from ingest.mapping import (
    MappedRow,
    PlannedEntity,
    Problem,
    RowMapper,
    SourceSpec,
    date_order_fields,
    load_specs,
    with_date_orders,
)
from ingest.readers import ReaderError, SourceRow, open_export

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class IngestError(Exception):
    """A file or folder cannot be ingested at all; the message says what to do."""


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


# -- choosing files ---------------------------------------------------------------------------


def plan_folder(folder: Path, specs: dict[str, SourceSpec]) -> tuple[list[tuple[Path, SourceSpec]], list[str]]:
    """Files of a folder with their source kind (by ``manifest.json``, else by file name), in
    dependency order; and the files no spec recognises."""
    manifest = folder / "manifest.json"
    chosen: list[tuple[Path, SourceSpec]] = []
    unrecognised: list[str] = []
    if manifest.is_file():
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            pairs = [(folder / e["path"], str(e["source"])) for e in entries]
        except (ValueError, KeyError, TypeError) as exc:
            raise IngestError(
                f"{manifest}: not a Disrupt manifest ({exc}); remove it to recognise files by name"
            ) from exc
        for path, source in pairs:
            if source not in specs:
                unrecognised.append(f"{path} (source {source!r} has no mapping spec)")
            else:
                chosen.append((path, specs[source]))
    else:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            spec = next((s for s in specs.values() if any(fnmatch.fnmatch(path.name, g) for g in s.files)), None)
            if spec is None:
                unrecognised.append(str(path))
            else:
                chosen.append((path, spec))
    return _in_dependency_order(chosen), unrecognised


def _in_dependency_order(files: list[tuple[Path, SourceSpec]]) -> list[tuple[Path, SourceSpec]]:
    present = {spec.source for _, spec in files}
    rank: dict[str, int] = {}

    def depth(source: str, trail: tuple[str, ...]) -> int:
        if source in trail:
            raise IngestError(f"mapping specs depend on each other in a circle: {' -> '.join((*trail, source))}")
        if source not in rank:
            spec = next(s for _, s in files if s.source == source)
            deps = [d for d in spec.depends_on if d in present]
            base = -1 if spec.role == "gazetteer" else 0
            rank[source] = max([base, *(depth(d, (*trail, source)) + 1 for d in deps)])
        return rank[source]

    return sorted(files, key=lambda item: (depth(item[1].source, ()), item[1].source, str(item[0])))


# -- surveying a file ------------------------------------------------------------------------------


@dataclass
class Survey:
    """What reading a file once, before loading it, found."""

    rows: int = 0  # rows read so far (all of them, once the survey ends)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    orders: dict[str, str] = field(default_factory=dict)  # date field -> the order the file proved


_DAY_MONTH = re.compile(r"\s*([0-9]{1,2})/([0-9]{1,2})/[0-9]")


@dataclass
class _DayMonth:
    """The evidence a column of dd/mm or mm/dd dates gives of its order: values whose first part
    is above 12 prove day first; whose second part is, month first."""

    proofs: dict[str, int] = field(default_factory=lambda: {"day-first": 0, "month-first": 0})
    example: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, value: str, row: int) -> None:
        found = _DAY_MONTH.match(value)
        if found is None:
            return
        first, second = int(found.group(1)), int(found.group(2))
        order = "day-first" if first > 12 >= second else "month-first" if second > 12 >= first else None
        if order is not None:
            self.proofs[order] += 1
            self.example.setdefault(order, (value.strip(), row))

    def shown(self, order: str) -> str:
        value, row = self.example[order]
        return f"{value!r} on row {row}"


def _date_orders(
    path: Path, spec: SourceSpec, dated: dict[str, tuple[str, str | None]], evidence: dict[str, _DayMonth]
) -> dict[str, str]:
    """The order of day and month for each date field whose spec leaves it open, from the file;
    refuse a file whose dates contradict the spec, or leave the order in doubt.

    Raises:
        IngestError: saying what the file shows and how to say the order in a spec.
    """
    orders: dict[str, str] = {}
    for name, (column, said) in dated.items():
        e = evidence[name]
        day, month = e.proofs["day-first"], e.proofs["month-first"]
        how = (
            f"say which in your own copy of the {spec.source} spec (--specs DIR) with `date_order: day-first` "
            f"or `date_order: month-first` on field {name} (month first also needs `us` in its formats)"
        )
        if said is not None:
            other = "month-first" if said == "day-first" else "day-first"
            if e.proofs[other] and not e.proofs[said]:
                wrote, reads, also = other.replace("-", " "), said.replace("-", " "), ""
                if other == "month-first":
                    also = " (and `us` in its formats)"
                raise IngestError(
                    f"{path}: column {column!r} writes its dates {wrote} ({e.shown(other)}; {e.proofs[other]:,} "
                    f"such values and none {reads}), but the {spec.source} mapping reads them {reads}, so every "
                    "date up to the 12th of a month would load with day and month swapped. Correct the file, or, "
                    f"if it really is {wrote}, say so in your own copy of the {spec.source} spec (--specs DIR): "
                    f"`date_order: {other}` on field {name}{also}"
                )
            continue
        if day and month:
            raise IngestError(
                f"{path}: column {column!r} mixes dates written day first ({e.shown('day-first')}) and month "
                f"first ({e.shown('month-first')}); correct the file, or {how}"
            )
        if not (day or month):
            raise IngestError(
                f"{path}: column {column!r} could be dd/mm/yyyy or mm/dd/yyyy (no date in it has a day above "
                f"12), and the {spec.source} mapping allows both; {how}"
            )
        orders[name] = "day-first" if day else "month-first"
    return orders


def _record_key(record_id: str) -> bytes:
    return hashlib.blake2b(record_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _first_with_id(ids: dict[bytes, int], spec: SourceSpec, mapped: MappedRow, row: int) -> int | None:
    """Remember the row's record id; return the row that gave it first, if another did."""
    if spec.record_id is None or mapped.record_id == f"row-{row}":
        return None  # the row has no id of its own
    key = _record_key(mapped.record_id)
    first = ids.get(key)
    if first is None:
        ids[key] = row
    return first


def _id_column(spec: SourceSpec) -> str:
    rule = spec.record_id
    return (spec.fields[rule].column or rule) if isinstance(rule, str) and rule in spec.fields else ""


def _repeated_id(record_id: str, first: int) -> str:
    return (
        f"repeats record id {record_id[:60]!r} of row {first} with other content; row {first} is loaded and "
        "this row is set aside (one record cannot say two things): correct or remove one of them"
    )


# -- the job ------------------------------------------------------------------------------------


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
        self.ledger = Ledger(work_dir / "ingest-ledger.db", store.url)
        self.report = RunReport(self.run_id)
        self._mappers: dict[tuple[str, tuple[tuple[str, str], ...]], RowMapper] = {}
        self._load: BulkLoad = EachBatchCommits()

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
        with self.store.bulk_load() as self._load, _collecting_at_commits():
            for path, spec in files:
                self.report.files.append(self.load_file(path, spec))
            finishing = time.perf_counter()
        self.report.finish_seconds = time.perf_counter() - finishing
        after = self.store.counts()
        kinds = sorted({*before.entities, *after.entities})
        self.report.by_kind = {
            k: {"before": before.entities.get(k, 0), "after": after.entities.get(k, 0)} for k in kinds
        }
        target = self.work_dir / "rejects.csv"
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
                report.rows_loaded = self.gazetteer.load(path)
                report.rows_rejected = len(self.gazetteer.set_aside)  # no postcode, no or impossible coordinates
                report.rows_read = report.rows_loaded + report.rows_rejected
                report.status = "gazetteer"
                self._record_set_aside(path, spec, self.gazetteer.set_aside)
            elif spec.role == "boundaries":
                report.status, report.message = "boundaries", "ward boundaries are read by the app's maps"
            else:
                self._load_graph_file(path, spec, report)
        except (ReaderError, IngestError, OSError) as exc:
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
        """Load one file whole or not at all: a survey reads every row first (encoding, header,
        sheet, the order of day and month in its dates, rows a reader cannot read) and a file it
        refuses leaves nothing of itself in the store; then the rows load, each bad one set aside."""
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
        survey = Survey()
        try:
            with report.stage("survey"):
                self._survey(path, spec, survey)
        except Exception as exc:
            # nothing is written before the survey ends, so a refused file has nothing in the store;
            # whatever a reader library raises on a damaged file fails that file, not the run
            if not isinstance(exc, (ReaderError, IngestError, OSError)):
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
            return
        report.encoding, report.sheet = survey.encoding or "", survey.sheet or ""
        mapper = self._mapper(spec, survey.orders)
        seen: dict[bytes, int] = {}
        ids: dict[bytes, int] = {}
        held: list[Reject] = []  # rejects of the chunks upserted since the last commit
        held_rows = 0

        def commit() -> None:
            """Commit the store, then checkpoint: a crash in between replays chunks the store holds."""
            nonlocal held_rows
            with report.stage("commit"):
                self._load.commit()
                self.ledger.advance(digest, spec.source, str(path), point, held, self.run_id, now_iso())
                gc.collect()
            held.clear()
            held_rows = 0

        export = open_export(
            path,
            encoding=survey.encoding,
            delimiter=survey.delimiter,
            sheet=survey.sheet,
            columns=mapper.columns(),
            what=spec.source,
        )
        try:
            with export:
                for chunk in report.timed_reads(export.chunks(self.chunk_size)):
                    todo: list[SourceRow] = []
                    rejects: list[Reject] = []
                    done_before: list[SourceRow] = []
                    for row in chunk:
                        duplicate_of = _remember(seen, row) if row.problem is None else None
                        if row.row <= point.upto:
                            if row.problem is None and duplicate_of is None:
                                done_before.append(row)
                            continue  # done by an earlier, interrupted run
                        if row.problem:
                            rejects.append(Reject(row.file, row.row, row.column, f"row {row.problem}"))
                        elif duplicate_of is not None:
                            rejects.append(Reject(row.file, row.row, "", f"exact duplicate of row {duplicate_of}"))
                        else:
                            todo.append(row)
                    if done_before:
                        self._remember_ids(done_before, spec, mapper, ids)
                    loaded = self._load_rows(todo, spec, mapper, rejects, report, ids)
                    rejected_rows = len({r.row for r in rejects})
                    done = sum(1 for r in chunk if r.row > point.upto)
                    point = Checkpoint(
                        upto=max(point.upto, chunk[-1].row),
                        rows_read=point.rows_read + done,
                        rows_loaded=point.rows_loaded + loaded,
                        rows_rejected=point.rows_rejected + rejected_rows,
                    )
                    held.extend(rejects)
                    held_rows += done
                    if held_rows >= self.commit_rows:
                        commit()
                    self.progress(done)
        except Exception as exc:
            # the survey read this file whole, so this is the machine or a bug, not the data: say
            # truly what is stored (the rows up to the checkpoint) and go on with the next file
            if held_rows:
                commit()
            log.exception("%s: failed part-way", path.name)
            report.rows_read, report.rows_loaded, report.rows_rejected = (
                point.rows_read,
                point.rows_loaded,
                point.rows_rejected,
            )
            report.status = "failed"
            report.message = (
                f"failed after row {point.upto} ({type(exc).__name__}: {exc}); the {point.rows_loaded:,} rows "
                "loaded before it stay loaded, and the next run goes on from there"
            )
            return
        except BaseException:
            if held_rows:
                commit()  # keep what loaded before the interruption, as batch-by-batch commits would
            raise
        point = Checkpoint(point.upto, point.rows_read, point.rows_loaded, point.rows_rejected, complete=True)
        commit()
        report.rows_read, report.rows_loaded, report.rows_rejected = (
            point.rows_read,
            point.rows_loaded,
            point.rows_rejected,
        )

    def _survey(self, path: Path, spec: SourceSpec, survey: Survey) -> None:
        """Read every row of the file once, writing nothing, and fill ``survey``.

        Raises:
            ReaderError: the file cannot be read whole (encoding, broken sheet, a field past the
                reader's limit) or no sheet fits.
            IngestError: the header lacks a column the mapping reads, or the file's dates leave
                day and month in doubt.
        """
        mapper = self._mapper(spec)
        columns = mapper.columns()
        dated = date_order_fields(spec)
        evidence = {name: _DayMonth() for name in dated}
        keys: set[str] = set()
        with open_export(path, encoding=self.encoding, sheet=spec.sheet, columns=columns, what=spec.source) as export:
            survey.encoding, survey.delimiter, survey.sheet = export.encoding, export.delimiter, export.sheet
            if export.header is not None:
                self._check_header(path, spec, mapper, export.header)
            for row in export.rows():
                survey.rows += 1
                if row.problem is not None:
                    continue
                if export.header is None:
                    keys.update(row.values)
                for name, (column, _) in dated.items():
                    value = row.values.get(column)
                    if value and "/" in value:
                        evidence[name].add(value, row.row)
        if export.header is None and survey.rows:
            self._check_header(path, spec, mapper, keys)  # JSON lines: the names the lines use
        survey.orders = _date_orders(path, spec, dated, evidence)

    def _remember_ids(self, rows: list[SourceRow], spec: SourceSpec, mapper: RowMapper, ids: dict[bytes, int]) -> None:
        """Remember the record ids of rows an interrupted run loaded, as loading them would."""
        for row in rows:
            result = mapper.map(row.values, row.row)
            if not isinstance(result, list):
                _first_with_id(ids, spec, result, row.row)

    def _mapper(self, spec: SourceSpec, orders: dict[str, str] | None = None) -> RowMapper:
        key = (spec.source, tuple(sorted((orders or {}).items())))
        if key not in self._mappers:
            self._mappers[key] = RowMapper(with_date_orders(spec, orders or {}), schema=self.store.schema)
        return self._mappers[key]

    @staticmethod
    def _check_header(path: Path, spec: SourceSpec, mapper: RowMapper, header: Iterable[str]) -> None:
        missing = mapper.missing_columns(set(header))
        if missing:
            raise IngestError(
                f"{path}: columns {', '.join(missing)} are missing from the header; the {spec.source} mapping "
                f"expects them. Check the file is a {spec.description or spec.source} export, or give your own "
                "spec (--specs DIR)"
            )

    def _load_rows(
        self,
        rows: list[SourceRow],
        spec: SourceSpec,
        mapper: RowMapper,
        rejects: list[Reject],
        report: FileReport,
        ids: dict[bytes, int],
    ) -> int:
        mapped: list[tuple[SourceRow, MappedRow]] = []
        with report.stage("map"):
            for row in rows:
                result = mapper.map(row.values, row.row)
                if isinstance(result, list):
                    rejects.extend(Reject(row.file, row.row, p.column, p.reason) for p in result)
                    continue
                first = _first_with_id(ids, spec, result, row.row)
                if first is not None:
                    rejects.append(Reject(row.file, row.row, _id_column(spec), _repeated_id(result.record_id, first)))
                    continue
                mapped.append((row, result))
        records: list[tuple[SourceRow, list[Entity], list[Link]]] = []
        with report.stage("build"):
            found = self._look_up(mapped)
            for row, m in mapped:
                built = self._build(row, m, spec, found, report)
                if isinstance(built, list):
                    rejects.extend(Reject(row.file, row.row, p.column, p.reason) for p in built)
                else:
                    records.append((row, *built))
            records = self._without_erased(records, rejects, report)
        with report.stage("store"):
            return self._upsert(records, rejects, report)

    def _without_erased(
        self, records: list[tuple[SourceRow, list[Entity], list[Link]]], rejects: list[Reject], report: FileReport
    ) -> list[tuple[SourceRow, list[Entity], list[Link]]]:
        """Set aside the rows that would bring back an erased entity; keep the rest."""
        erased = self.store.erased_ids({e.id for _, es, _ in records for e in es})
        if not erased:
            return records
        kept = []
        for row, entities, links in records:
            hit = next((e for e in entities if e.id in erased), None)
            if hit is None:
                kept.append((row, entities, links))
                continue
            report.rows_erased += 1
            reason = f"names a {hit.kind} that was erased (erasure {erased[hit.id]}); it is not loaded again"
            rejects.append(Reject(row.file, row.row, "", reason))
        return kept

    def _look_up(self, mapped: list[tuple[SourceRow, MappedRow]]) -> dict[tuple[str, str], dict[str, str]]:
        wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
        for _, m in mapped:
            for e in m.entities.values():
                if e.lookup is not None:
                    wanted[(e.lookup.source, e.lookup.kind)].update(e.values)
        return {
            (source, kind): self.store.find_by_source(source, values, kind=kind)
            for (source, kind), values in wanted.items()
        }

    def _build(
        self,
        row: SourceRow,
        m: MappedRow,
        spec: SourceSpec,
        found: dict[tuple[str, str], dict[str, str]],
        report: FileReport,
    ) -> tuple[list[Entity], list[Link]] | list[Problem]:
        schema = self.store.schema
        prov = (Provenance(spec.source, m.record_id, self.started_at, self.run_id, m.grading),)
        ids: dict[str, list[str]] = {}
        entities: list[Entity] = []
        problems: list[Problem] = []
        planned_entities = list(m.entities.values())
        for planned in list(planned_entities):
            lookup = planned.lookup
            if lookup is None:
                continue
            table = found.get((lookup.source, lookup.kind), {})
            ids[planned.name] = []
            for value in planned.values:
                hit = table.get(value)
                if hit is not None:
                    ids[planned.name].append(hit)
                    continue
                stand_in = (
                    self._stand_in(lookup.source, lookup.kind, value) if lookup.missing == "placeholder" else None
                )
                if stand_in is not None:
                    report.placeholders += 1
                    planned_entities.append(stand_in)
                    stand_in.name = f"{planned.name}#{len(ids[planned.name])}"
                    ids[planned.name].append(stand_in.name)  # replaced by its id below
                elif lookup.missing == "skip":
                    report.links_skipped += 1
                else:
                    column = spec.fields[lookup.field].column or lookup.field
                    problems.append(Problem(column, f"{value[:40]!r} matches no loaded {lookup.source} record"))
        made: dict[str, str] = {}
        for planned in planned_entities:
            if planned.lookup is not None:
                continue
            ek = schema.entities[planned.kind]
            props = planned.properties
            missing = [k for k in ek.key if props.get(k) in (None, "")]
            if missing:
                problems.append(Problem("", f"cannot identify the {planned.kind}: {', '.join(missing)} is empty"))
                continue
            if not self._geocode(planned.kind, props):
                report.not_geocoded += 1
            entity_id = make_id(planned.kind, *(props[k] for k in ek.key))
            entities.append(
                Entity(
                    entity_id,
                    planned.kind,
                    make_label(schema, planned.kind, props),
                    props,
                    prov,
                    planned.seen,
                    planned.seen,
                )
            )
            made[planned.name] = entity_id
            if "#" not in planned.name:
                ids[planned.name] = [entity_id]
        if problems:
            return problems
        ids = {name: [made.get(i, i) for i in found_ids] for name, found_ids in ids.items()}
        links = [
            _link(schema, p.kind, s, t, p.properties, prov, p.seen)
            for p in m.links
            for s in ids.get(p.source, [])
            for t in ids.get(p.target, [])
            if s != t
        ]
        return entities, links

    def _stand_in(self, source: str, kind: str, record_id: str) -> PlannedEntity | None:
        spec = self.specs.get(source)
        return self._mapper(spec).placeholder(kind, record_id) if spec is not None else None

    def _geocode(self, kind: str, props: dict[str, Any]) -> bool:
        """Fill coordinates and ward from the postcode lookup; False if the postcode is not in it."""
        ek = self.store.schema.entities[kind]
        wants_point = "latitude" in ek.properties and props.get("latitude") is None
        wants_ward = "ward" in ek.properties and props.get("ward") is None
        postcode = props.get("postcode")
        if not (wants_point or wants_ward) or not postcode or not self.gazetteer:
            return True
        place = self.gazetteer.find(postcode)
        if place is None:
            return False
        if wants_point:
            props["latitude"], props["longitude"] = place.latitude, place.longitude
        if wants_ward and place.ward:
            props["ward"] = place.ward
        return True

    def _upsert(
        self, records: list[tuple[SourceRow, list[Entity], list[Link]]], rejects: list[Reject], report: FileReport
    ) -> int:
        """Upsert the batch; if the store refuses it, split it to find the rows at fault."""
        if not records:
            return 0
        try:
            summary = self.store.upsert(
                _coalesce([e for _, es, _ in records for e in es]), [ln for _, _, ls in records for ln in ls]
            )
        except GraphError as exc:
            if len(records) == 1:
                row = records[0][0]
                rejects.append(Reject(row.file, row.row, "", f"the graph refused the row: {exc}"))
                return 0
            half = len(records) // 2
            return self._upsert(records[:half], rejects, report) + self._upsert(records[half:], rejects, report)
        report.entities_created += summary.entities_created
        report.entities_merged += summary.entities_merged
        report.links_created += summary.links_created
        report.links_merged += summary.links_merged
        return len(records)


def _link(
    schema: Any,
    kind: str,
    source: str,
    target: str,
    props: dict[str, Any],
    prov: tuple[Provenance, ...],
    seen: str | None,
) -> Link:
    lk = schema.links[kind]
    if lk.symmetric and target < source:
        source, target = target, source
    key_parts = [str(props[k]) if props.get(k) not in (None, "") else "-" for k in lk.key]
    return Link(make_id(kind, source, target, *key_parts), kind, source, target, props, prov, seen, seen)


def _coalesce(entities: list[Entity]) -> list[Entity]:
    """One record per id: what the store's merge would make of the repeats (later values win,
    provenance kept, first and last seen widened), so a car read a thousand times is written once."""
    merged: dict[str, Entity] = {}
    for e in entities:
        held = merged.get(e.id)
        if held is None:
            merged[e.id] = e
            continue
        seen = [s for s in (held.first_seen, held.last_seen, e.first_seen, e.last_seen) if s]
        merged[e.id] = Entity(
            e.id,
            e.kind,
            e.label or held.label,
            {**held.properties, **e.properties},
            held.provenance + e.provenance,
            min(seen) if seen else None,
            max(seen) if seen else None,
        )
    return list(merged.values())


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


def _remember(seen: dict[bytes, int], row: SourceRow) -> int | None:
    """Remember a row's content; return the number of an earlier row with the same content."""
    digest = hashlib.blake2b("\x1f".join(row.values.values()).encode("utf-8", "surrogatepass"), digest_size=16).digest()
    earlier = seen.get(digest)
    if earlier is None:
        seen[digest] = row.row
    return earlier


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
    """
    specs = load_specs(store.schema, specs_dir)
    if path.is_dir():
        if source is not None:
            raise IngestError("--source names the kind of one file; for a folder, drop it (files are recognised)")
        files, unrecognised = plan_folder(path, specs)
        if not files:
            raise IngestError(f"{path}: no file is recognised as a known export; give a file with --source KIND")
    elif path.is_file():
        if source is None:
            raise IngestError(f"{path}: say what it holds with --source KIND (one of {', '.join(sorted(specs))})")
        if source not in specs:
            raise IngestError(f"unknown source kind {source!r}; known: {', '.join(sorted(specs))}")
        files, unrecognised = [(path, specs[source])], []
    else:
        raise IngestError(f"{path}: no such file or folder")
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
