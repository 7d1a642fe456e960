"""Readers: every encoding, delimiter and format the partner exports come in, streamed in chunks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.readers import ReaderError, detect_csv, iter_rows, read_any, read_csv
from synthetic import generate

ROWS = [["id", "surname", "forenames", "postcode"], ["1", "Ødegård", "Zoë", "ZZ1 1AA"], ["2", "O'Brien", "Seán", ""]]


def write_text(path: Path, rows: list[list[str]], *, delimiter: str, encoding: str) -> Path:
    path.write_bytes("\r\n".join(delimiter.join(r) for r in rows).encode(encoding) + b"\r\n")
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_in_any_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_text(tmp_path / "people.csv", ROWS, delimiter=delimiter, encoding=encoding)
    found = detect_csv(path)
    assert found.delimiter == delimiter
    assert found.encoding == (encoding if encoding != "utf-8" else "utf-8")
    rows = list(iter_rows(read_any(path)))
    assert [r.values for r in rows] == [dict(zip(ROWS[0], r, strict=True)) for r in ROWS[1:]]
    assert [r.row for r in rows] == [2, 3] and all(r.problem is None for r in rows)


def test_rows_come_in_chunks_and_keep_their_numbers(tmp_path: Path) -> None:
    body = [["id", "value"]] + [[str(i), f"v{i}"] for i in range(25)]
    path = write_text(tmp_path / "many.csv", body, delimiter=",", encoding="utf-8")
    chunks = list(read_csv(path, chunk_size=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert chunks[2][-1].row == 26 and chunks[2][-1].values == {"id": "24", "value": "v24"}


def test_ragged_rows_are_kept_with_the_problem_and_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('id,name\n1,Ann\n\n2,Bob,extra\n3\n"4","multi\nline"\n', encoding="utf-8")
    rows = list(iter_rows(read_any(path)))
    assert [(r.row, r.problem is None) for r in rows] == [(2, True), (4, False), (5, False), (6, True)]
    assert "3 fields where the header names 2" in (rows[1].problem or "")
    assert rows[3].values["name"] == "multi\nline"


def test_bad_files_say_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ReaderError, match="empty file"):
        list(read_any(empty))
    dup = tmp_path / "dup.csv"
    dup.write_text("id,name,name\n1,a,b\n")
    with pytest.raises(ReaderError, match="repeated column names"):
        list(read_any(dup))
    # unknown encodings are named as such
    plain = tmp_path / "plain.csv"
    plain.write_text("id,name\n1,a\n")
    with pytest.raises(ReaderError, match="unknown encoding 'nonsense'"):
        list(read_any(plain, encoding="nonsense"))
    with pytest.raises(ReaderError, match=r"\.xlsx or CSV"):
        list(read_any(tmp_path / "old.xls"))
    with pytest.raises(ReaderError, match="unknown file type"):
        list(read_any(tmp_path / "x.pdf"))
    notxlsx = tmp_path / "fake.xlsx"
    notxlsx.write_text("not a zip")
    with pytest.raises(ReaderError, match=r"not a readable \.xlsx"):
        list(read_any(notxlsx))


def test_xlsx_values_become_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Children"
    sheet.append(["child_id", "dob_serial", "seen", "score", "note"])
    sheet.append(["CS-1", 45123, dt.datetime(2025, 3, 1, 0, 0), 2.5, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["CS-2", 45124.0, dt.datetime(2025, 3, 1, 14, 30), True, "Zoë"])
    book.create_sheet("Other").append(["x"])
    path = tmp_path / "children.xlsx"
    book.save(path)
    rows = list(iter_rows(read_any(path)))
    assert [r.row for r in rows] == [2, 4]
    assert rows[0].values == {
        "child_id": "CS-1",
        "dob_serial": "45123",
        "seen": "2025-03-01",
        "score": "2.5",
        "note": "",
    }
    assert rows[1].values["seen"] == "2025-03-01T14:30:00" and rows[1].values["score"] == "true"
    assert rows[1].values["dob_serial"] == "45124"
    assert [r.values for r in iter_rows(read_any(path, sheet="Other"))] == []
    with pytest.raises(ReaderError, match="no sheet 'Nope'"):
        list(read_any(path, sheet="Nope"))


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    lines = [json.dumps({"id": 1, "name": "Zoë", "tags": ["a"], "gone": None}), "", "{broken", "[1, 2]"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = list(iter_rows(read_any(path)))
    assert rows[0].values == {"id": "1", "name": "Zoë", "tags": '["a"]', "gone": ""} and rows[0].row == 2
    assert rows[1].row == 4 and "not valid JSON" in (rows[1].problem or "")
    assert "not an object" in (rows[2].problem or "")


def test_every_generated_export_reads_with_the_numbers_the_truth_uses(tmp_path: Path) -> None:
    truth = generate(tmp_path, people=1000, seed=5)
    for path, info in truth["files"].items():
        rows = list(iter_rows(read_any(tmp_path / path)))
        assert len(rows) == info["rows"], path
        assert all(r.problem is None for r in rows), path
    bad = truth["bad_rows"][0]
    rows = {r.row: r for r in iter_rows(read_any(tmp_path / bad["file"]))}
    assert bad["row"] in rows
