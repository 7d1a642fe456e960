"""Planning a run: which files to load, as which source, in what order; and a survey of each file
before it loads (encoding, sheet, header, the order of day and month in its dates), so that a file
that cannot load whole is refused before anything of it is written."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import IngestError
from ingest.mapping import RowMapper, SourceSpec, date_order_fields
from ingest.readers import open_export

PlannedFiles = list[tuple[Path, SourceSpec]]


def plan_paths(path: Path, specs: dict[str, SourceSpec], source: str | None = None) -> tuple[PlannedFiles, list[str]]:
    """The files to load from a file (of ``source`` kind) or a folder, and those not recognised.

    Raises:
        IngestError: the path does not exist, the source kind is unknown, or no file is recognised.
    """
    if path.is_dir():
        if source is not None:
            raise IngestError("--source names the kind of one file; for a folder, drop it (files are recognised)")
        files, unrecognised = plan_folder(path, specs)
        if not files:
            raise IngestError(f"{path}: no file is recognised as a known export; give a file with --source KIND")
        return files, unrecognised
    if path.is_file():
        if source is None:
            raise IngestError(f"{path}: say what it holds with --source KIND (one of {', '.join(sorted(specs))})")
        if source not in specs:
            raise IngestError(f"unknown source kind {source!r}; known: {', '.join(sorted(specs))}")
        return [(path, specs[source])], []
    raise IngestError(f"{path}: no such file or folder")


def plan_folder(folder: Path, specs: dict[str, SourceSpec]) -> tuple[PlannedFiles, list[str]]:
    """Files of a folder with their source kind (by ``manifest.json``, else by file name), in
    dependency order; and the files no spec recognises."""
    manifest = folder / "manifest.json"
    chosen: PlannedFiles = []
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


def _in_dependency_order(files: PlannedFiles) -> PlannedFiles:
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


def survey_file(path: Path, spec: SourceSpec, mapper: RowMapper, survey: Survey, *, encoding: str | None) -> None:
    """Read every row of the file once, writing nothing, and fill ``survey`` (``rows`` counts as
    it goes, so a caller knows how far a refused file was read).

    Raises:
        ReaderError: the file cannot be read whole (encoding, broken sheet, a field past the
            reader's limit) or no sheet fits.
        IngestError: the header lacks a column the mapping reads, or the file's dates leave
            day and month in doubt.
    """
    columns = mapper.columns()
    dated = date_order_fields(spec)
    evidence = {name: _DayMonth() for name in dated}
    keys: set[str] = set()
    with open_export(path, encoding=encoding, sheet=spec.sheet, columns=columns, what=spec.source) as export:
        survey.encoding, survey.delimiter, survey.sheet = export.encoding, export.delimiter, export.sheet
        if export.header is not None:
            check_header(path, spec, mapper, export.header)
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
        check_header(path, spec, mapper, keys)  # JSON lines: the names the lines use
    survey.orders = _date_orders(path, spec, dated, evidence)


def check_header(path: Path, spec: SourceSpec, mapper: RowMapper, header: Iterable[str]) -> None:
    """Refuse a file whose header lacks a column the mapping reads.

    Raises:
        IngestError: naming the missing columns and the mapping.
    """
    missing = mapper.missing_columns(set(header))
    if missing:
        raise IngestError(
            f"{path}: columns {', '.join(missing)} are missing from the header; the {spec.source} mapping "
            f"expects them. Check the file is a {spec.description or spec.source} export, or give your own "
            "spec (--specs DIR)"
        )


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


__all__ = ["PlannedFiles", "Survey", "check_header", "plan_folder", "plan_paths", "survey_file"]
