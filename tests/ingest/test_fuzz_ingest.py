"""Fuzzed ingest (issue 21): the exports of a small seeded world, spoilt at random (truncation,
stray quotes, encodings, stray bytes, control characters, over-long cells, sheet order, broken
workbooks), then ingested. For every file: rows read = rows loaded + rows rejected; a file that
fails leaves nothing of itself in the store; and no physical line of a CSV vanishes uncounted.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph import open_store
from ingest.ledger import Ledger
from ingest.pipeline import ingest_paths
from synthetic import generate

CASES = 6
FILES_PER_CASE = 5
_LINES = re.compile(rb"\r\n|\r|\n")  # what a text file and the csv reader take as line ends

Spoil = Callable[[Path, random.Random], None]


def _lines(path: Path) -> list[bytes]:
    return _LINES.split(path.read_bytes())


def _write_lines(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines))


def _data_line(lines: list[bytes], rng: random.Random) -> int:
    """A random line after the header that holds something."""
    return rng.choice([i for i in range(1, len(lines)) if lines[i]] or [0])


def truncate(path: Path, rng: random.Random) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randint(len(data) // 3, len(data) - 1)])


def stray_quote(path: Path, rng: random.Random) -> None:
    lines = _lines(path)
    i = _data_line(lines, rng)
    sep = b"\t" if path.suffix == ".tsv" else b","
    cells = lines[i].split(sep)
    k = rng.randrange(len(cells))
    cells[k] = b'"' + cells[k]
    lines[i] = sep.join(cells)
    _write_lines(path, lines)


def as_cp1252(path: Path, rng: random.Random) -> None:
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    path.write_bytes(text.encode("cp1252", errors="replace"))


def as_utf16(path: Path, rng: random.Random) -> None:
    path.write_bytes(path.read_bytes().decode("utf-8-sig", errors="replace").encode("utf-16"))


def stray_byte(path: Path, rng: random.Random) -> None:
    lines = _lines(path)
    i = _data_line(lines, rng)
    at = rng.randrange(len(lines[i]) + 1)
    lines[i] = lines[i][:at] + rng.choice([b"\xeb", b"\x81", b"\xff"]) + lines[i][at:]
    _write_lines(path, lines)


def control_character(path: Path, rng: random.Random) -> None:
    lines = _lines(path)
    for _ in range(rng.randint(1, 3)):
        i = _data_line(lines, rng)
        at = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:at] + bytes([rng.choice([0, 1, 7, 0x0B, 0x0C, 0x1B, 0x1F])]) + lines[i][at:]
    _write_lines(path, lines)


def long_cell(path: Path, rng: random.Random) -> None:
    lines = _lines(path)
    i = _data_line(lines, rng)
    sep = b"\t" if path.suffix == ".tsv" else b","
    cells = lines[i].split(sep)
    cells[rng.randrange(len(cells))] = b"y" * rng.choice([20_000, 140_000])
    lines[i] = sep.join(cells)
    _write_lines(path, lines)


def sheet_in_front(path: Path, rng: random.Random) -> None:
    book = load_workbook(path)
    book.create_sheet("Read me", 0).append(["exported by the case system"])
    book.save(path)


def sheet_copied(path: Path, rng: random.Random) -> None:
    book = load_workbook(path)
    book.copy_worksheet(book.worksheets[0])
    book.save(path)


def sheet_xml_cut(path: Path, rng: random.Random) -> None:
    broken = path.with_name(path.name + ".part")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: rng.randint(len(data) // 4, len(data) - 10)]
            dst.writestr(item, data)
    broken.replace(path)


TEXT_SPOILS: dict[str, Spoil] = {
    "truncate": truncate,
    "stray_quote": stray_quote,
    "cp1252": as_cp1252,
    "utf16": as_utf16,
    "stray_byte": stray_byte,
    "control_character": control_character,
    "long_cell": long_cell,
}
SHEET_SPOILS: dict[str, Spoil] = {
    "sheet_in_front": sheet_in_front,
    "sheet_copied": sheet_copied,
    "sheet_xml_cut": sheet_xml_cut,
    "truncate": truncate,
}


def held_by(db: Path, source: str) -> int:
    """Entities, links and provenance entries in the store that came from ``source``."""
    with sqlite3.connect(db) as conn:
        return sum(
            conn.execute(f"SELECT count(*) FROM {table} WHERE source = ?", (source,)).fetchone()[0]
            for table in ("entities", "links", "provenance")
        )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "exports"
    generate(folder, people=300, seed=21)
    return folder


def test_fuzzed_exports_lose_no_row_and_failed_files_leave_nothing(world: Path, tmp_path: Path) -> None:
    manifest = json.loads((world / "manifest.json").read_text(encoding="utf-8"))
    graph_files = [
        f for f in manifest["files"] if f["format"] in ("csv", "tsv", "xlsx") and f["source"] != "postcode_lookup"
    ]
    for f in graph_files:  # the generator writes one line per record: the line count below rests on it
        if f["format"] != "xlsx":
            assert len([x for x in _lines(world / f["path"])[1:] if x]) == f["rows"], f["path"]
    applied: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for case in range(CASES):
        rng = random.Random(2100 + case)
        folder = tmp_path / f"case{case}" / "exports"
        shutil.copytree(world, folder)
        spoilt: dict[str, str] = {}
        sheets = [f for f in graph_files if f["format"] == "xlsx"]  # the workbook every time, and others
        texts = [f for f in graph_files if f["format"] != "xlsx"]
        for f in sheets + rng.sample(texts, FILES_PER_CASE - len(sheets)):
            spoils = SHEET_SPOILS if f["format"] == "xlsx" else TEXT_SPOILS
            name = rng.choice(sorted(spoils))
            spoils[name](folder / f["path"], rng)
            spoilt[f["source"]] = name
            applied[name] += 1
        work = tmp_path / f"case{case}" / "data"
        db = work / "graph.db"
        with open_store(f"sqlite:///{db}") as store:
            before = {f["source"]: held_by(db, f["source"]) for f in graph_files}
            report = ingest_paths(store, folder, work, chunk_size=40, commit_rows=80)
        assert not report.unrecognised
        for file in report.files:
            what = f"case {case}, {file.source} ({spoilt.get(file.source, 'untouched')}): {file.message}"
            assert file.rows_read == file.rows_loaded + file.rows_rejected, what
            if file.status == "failed":
                outcomes["failed"] += 1
                assert file.rows_loaded == 0, what
                assert held_by(db, file.source) == before[file.source] == 0, what
                continue
            if file.source not in spoilt or file.status not in ("loaded",):
                continue
            outcomes["loaded spoilt"] += 1
            path = Path(file.file)
            if path.suffix in (".csv", ".tsv"):
                lines = [x for x in _lines(path)[1:] if x]
                assert file.rows_read == len(lines), what  # every physical line is a row, loaded or set aside
        assert report.rows_read == report.rows_loaded + report.rows_rejected
        ledger = Ledger(work / "ingest-ledger.db", f"sqlite:///{db}")
        try:
            assert [run_id for run_id, _, _ in ledger.runs()] == [report.run_id]  # the run is on record
        finally:
            ledger.close()
    assert len(applied) >= 8, applied  # the cases cover most kinds of damage
    assert outcomes["failed"] >= 2 and outcomes["loaded spoilt"] >= 5, outcomes
