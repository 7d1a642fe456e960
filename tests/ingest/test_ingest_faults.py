"""Faults of issue 21 (points 8 and 9), each reproduced: ingest loses no row without saying so, a
file that fails leaves nothing of itself in the store, and the report tells the truth.

Every export here is made up for the test (fictional names, ZZ postcodes, Ofcom drama numbers).
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from graph import GraphStore, make_id, open_store
from ingest.ledger import Ledger
from ingest.pipeline import FileReport, RunReport, ingest_paths
from synthetic import generate

NOMINALS = ["nominal_id", "surname", "forenames", "dob", "sex", "ethnicity", "address", "postcode", "phone"]
CHILDREN = [
    "child_id", "first_name", "last_name", "date_of_birth", "gender", "ethnicity", "address", "postcode",
    "risk_level", "looked_after", "referral_source", "referral_date", "closure_date",
]  # fmt: skip


def nominal(i: int, *, surname: str | None = None, dob: str | None = None) -> list[str]:
    return [
        f"PN{100000 + i}",
        surname or f"Zqfault{i}",
        "Testa",
        dob or f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{60 + i % 40}",
        "F" if i % 2 else "M",
        "White",
        f"{i} Testing Row",
        "ZZ1 1AA",
        f"07700 900{i % 1000:03d}",
    ]


def child(i: int, dob: str) -> list[str]:
    return [
        f"CS-{1000 + i}", "Zqkid", f"Zqfamily{i}", dob, "F", "White", f"{i} Testing Row", "ZZ1 1AA",
        "High", "N", "School", "2024-01-02", "",
    ]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    with open_store(f"sqlite:///{tmp_path / 'graph.db'}") as opened:
        yield opened


def held_by(tmp_path: Path, source: str) -> int:
    """Entities, links and provenance entries in the store that came from ``source``."""
    with sqlite3.connect(tmp_path / "graph.db") as db:
        return sum(
            db.execute(f"SELECT count(*) FROM {table} WHERE source = ?", (source,)).fetchone()[0]
            for table in ("entities", "links", "provenance")
        )


def rejects(work: Path) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = {}
    with open(work / "rejects.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            found.setdefault(int(row["row"]), []).append(row)
    return found


def only(report: RunReport) -> FileReport:
    (file,) = report.files
    assert file.rows_read == file.rows_loaded + file.rows_rejected
    return file


def test_a_stray_quote_sets_aside_each_line_it_swallowed_and_the_rest_loads(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(199)]
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(",Testa,", ',"Testa,', 1)  # line 11: a quote opens a field ...
    lines[19] = lines[19].replace(",Testa,", ',Testa",', 1)  # ... that a stray quote on line 20 closes
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (199, 189, 10)
    found = rejects(tmp_path / "work")
    assert sorted(found) == list(range(11, 21))
    assert all(
        "stray double quote on line 11" in r[0]["reason"] and "to line 20" in r[0]["reason"] for r in found.values()
    )
    assert store.get_entity(make_id("Person", "police:PN100020")) is not None  # line 21 loads


def test_a_quote_that_never_closes_sets_aside_every_line_to_the_end(store: GraphStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, [nominal(i) for i in range(199)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] = lines[10].replace(",Testa,", ',"Testa,', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (199, 9, 190)
    assert sorted(rejects(tmp_path / "work")) == list(range(11, 201))


def test_rows_are_numbered_by_physical_line_after_a_value_with_a_line_break(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(10)]
    rows[2][6] = "Flat 2\nTesting House"  # line 4 and 5: a quoted address over two lines
    rows[5][7] = "NOT A POSTCODE"  # written on line 8
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (10, 9, 1)
    assert list(rejects(tmp_path / "work")) == [8]


def _children_book(path: Path, rows: list[list[str]], *, first: str | None = None, copy: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Children"
    sheet.append(CHILDREN)
    for r in rows:
        sheet.append(r)
    if first is not None:
        notes = book.create_sheet(first, 0)
        notes.append(["note"])
        notes.append(["exported by the case system"])
    if copy:
        again = book.create_sheet("Children (2)")
        again.append(CHILDREN)
    book.save(path)
    return path


def test_a_workbook_is_read_from_the_sheet_whose_header_fits(store: GraphStore, tmp_path: Path) -> None:
    path = _children_book(tmp_path / "children.xlsx", [child(i, "2012-05-17") for i in range(28)], first="Notes")
    file = only(ingest_paths(store, path, tmp_path / "work", source="care_children"))
    assert (file.status, file.sheet, file.rows_read, file.rows_loaded) == ("loaded", "Children", 28, 28)


def test_a_workbook_with_no_fitting_sheet_or_several_is_refused_and_not_checkpointed(
    store: GraphStore, tmp_path: Path
) -> None:
    book = Workbook()
    assert book.active is not None
    book.active.append(["note"])
    book.active.append(["nothing to see"])
    book.save(tmp_path / "children.xlsx")
    work = tmp_path / "work"
    for _ in range(2):  # refused again the second time: never "already loaded"
        file = only(ingest_paths(store, tmp_path / "children.xlsx", work, source="care_children"))
        assert file.status == "failed" and "no sheet has the columns" in file.message and "lacks" in file.message
    both = _children_book(tmp_path / "b" / "children.xlsx", [child(1, "2012-05-17")], copy=True)
    file = only(ingest_paths(store, both, work, source="care_children"))
    assert file.status == "failed" and "'Children', 'Children (2)'" in file.message and "sheet: NAME" in file.message
    specs = tmp_path / "specs"
    specs.mkdir()
    builtin = Path(__file__).parents[2] / "ingest" / "specs" / "care_children.yaml"
    (specs / "care_children.yaml").write_text(builtin.read_text(encoding="utf-8") + "sheet: Children\n", "utf-8")
    file = only(ingest_paths(store, both, work, source="care_children", specs_dir=specs))
    assert (file.status, file.sheet, file.rows_loaded) == ("loaded", "Children", 1)


def test_the_header_is_checked_from_the_header_not_the_first_row(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(5)]
    rows[0] = rows[0][:-1]  # the first data row is short a field (no phone)
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_rejected) == ("loaded", 5, 4, 1)
    assert "has 8 fields where the header names 9" in rejects(tmp_path / "work")[2][0]["reason"]


def _month_first(i: int) -> str:
    month, day = 1 + i % 12, 1 + (i * 7) % 28
    return f"{month:02d}/{day:02d}/20{10 + i % 8:02d}"


def test_a_file_of_month_first_dates_is_refused_not_loaded_with_days_and_months_swapped(
    store: GraphStore, tmp_path: Path
) -> None:
    rows = [child(i, _month_first(i)) for i in range(80)]
    path = write_csv(tmp_path / "children.csv", CHILDREN, rows)
    file = only(ingest_paths(store, path, tmp_path / "work", source="care_children"))
    assert file.status == "failed" and file.rows_loaded == 0
    assert "'date_of_birth' writes its dates month first" in file.message
    assert "date_order: month-first" in file.message and "--specs DIR" in file.message
    assert held_by(tmp_path, "care_children") == 0
    # said in a spec, the same file loads with the right dates
    specs = tmp_path / "specs"
    specs.mkdir()
    builtin = (Path(__file__).parents[2] / "ingest" / "specs" / "care_children.yaml").read_text(encoding="utf-8")
    said = builtin.replace(
        "date_of_birth: {type: date, formats: [excel, iso, uk], past: true}",
        "date_of_birth: {type: date, formats: [excel, iso, us], past: true, date_order: month-first}",
    )
    assert said != builtin
    (specs / "care_children.yaml").write_text(said, encoding="utf-8")
    file = only(ingest_paths(store, path, tmp_path / "work2", source="care_children", specs_dir=specs))
    assert (file.status, file.rows_loaded) == ("loaded", 80)
    kid = store.get_entity(make_id("Person", "care:CS-1003"))
    assert kid is not None and kid.properties["date_of_birth"] == "2013-04-22"  # written 04/22/2013


def test_a_spec_allowing_both_orders_takes_the_one_the_file_proves_or_refuses(
    store: GraphStore, tmp_path: Path
) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    builtin = (Path(__file__).parents[2] / "ingest" / "specs" / "care_children.yaml").read_text(encoding="utf-8")
    (specs / "care_children.yaml").write_text(
        builtin.replace(
            "date_of_birth: {type: date, formats: [excel, iso, uk]", "date_of_birth: {type: date, formats: [uk, us]"
        ),
        encoding="utf-8",
    )
    proven = write_csv(tmp_path / "a" / "children.csv", CHILDREN, [child(i, _month_first(i)) for i in range(40)])
    file = only(ingest_paths(store, proven, tmp_path / "w1", source="care_children", specs_dir=specs))
    assert (file.status, file.rows_loaded) == ("loaded", 40)
    kid = store.get_entity(make_id("Person", "care:CS-1003"))
    assert kid is not None and kid.properties["date_of_birth"] == "2013-04-22"
    doubtful = write_csv(tmp_path / "b" / "children.csv", CHILDREN, [child(i, "03/04/2012") for i in range(5)])
    file = only(ingest_paths(store, doubtful, tmp_path / "w2", source="care_children", specs_dir=specs))
    assert file.status == "failed" and "could be dd/mm/yyyy or mm/dd/yyyy" in file.message
    mixed = write_csv(
        tmp_path / "c" / "children.csv",
        CHILDREN,
        [child(1, "25/04/2012"), child(2, "04/25/2012"), child(3, "01/02/2012")],
    )
    file = only(ingest_paths(store, mixed, tmp_path / "w3", source="care_children", specs_dir=specs))
    assert file.status == "failed" and "mixes dates written day first" in file.message


def test_a_row_of_delimiters_is_set_aside_and_counted(store: GraphStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, [nominal(i) for i in range(4)], delimiter=";")
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(";" * (len(NOMINALS) - 1) + "\n" + ";".join(nominal(9)) + "\n")
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (6, 5, 1)
    assert "holds no values" in rejects(tmp_path / "work")[6][0]["reason"]


def test_a_repeated_record_id_with_other_content_is_set_aside_naming_the_first(
    store: GraphStore, tmp_path: Path
) -> None:
    rows = [nominal(i) for i in range(5)]
    rows.append(nominal(1, surname="Zqother"))  # line 7 gives PN100001 again, with another surname
    rows.append(list(rows[0]))  # line 8 repeats line 2 exactly
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (7, 5, 2)
    found = rejects(tmp_path / "work")
    assert "repeats record id 'PN100001' of row 3" in found[7][0]["reason"] and found[7][0]["column"] == "nominal_id"
    assert "exact duplicate of row 2" in found[8][0]["reason"]
    person = store.get_entity(make_id("Person", "police:PN100001"))
    assert person is not None and person.properties["family_name"] == "Zqfault1"  # the first is kept


def test_a_cp1252_byte_after_the_first_256_kb_reads_the_whole_file_as_cp1252(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(3500)]
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    assert path.stat().st_size > 256 * 1024
    with open(path, "ab") as fh:  # a Windows export: "Zoë" in cp1252, 270 KB into the file
        fh.write(",".join(nominal(5000, surname="Zoë")).encode("cp1252") + b"\n")
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals", chunk_size=500, commit_rows=500))
    assert (file.status, file.encoding, file.rows_read, file.rows_loaded) == ("loaded", "cp1252", 3501, 3501)
    person = store.get_entity(make_id("Person", "police:PN105000"))
    assert person is not None and person.properties["family_name"] == "Zoë"


def test_a_stray_byte_in_a_utf8_file_sets_aside_its_row_only(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(20)]
    rows[3][1] = "Zqødegård"
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    data = path.read_bytes().replace(b"Zqfault7,", b"Zqfault\xeb,")
    path.write_bytes(data)
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.encoding, file.rows_read, file.rows_loaded, file.rows_rejected) == ("utf-8", 20, 19, 1)
    (reject,) = rejects(tmp_path / "work")[9]
    assert reject["column"] == "surname" and "byte 0xEB" in reject["reason"] and "--encoding NAME" in reject["reason"]


def test_a_cell_past_the_csv_field_limit_fails_the_file_leaving_nothing_and_says_so(
    store: GraphStore, tmp_path: Path
) -> None:
    rows = [nominal(i) for i in range(3000)]
    rows[2500][6] = "x" * 140_000
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    report = ingest_paths(store, path, tmp_path / "work", source="police_nominals", chunk_size=500, commit_rows=500)
    file = only(report)
    assert held_by(tmp_path, "police_nominals") == 0  # before: 2,000 people committed in 500-row commits
    assert file.status == "failed" and file.rows_loaded == 0 and file.rows_read == file.rows_rejected
    assert (
        "line 2502" in file.message and "131,072 characters" in file.message and "nothing of this file" in file.message
    )
    assert "--encoding" not in file.message
    assert store.counts().entities == {}
    (entry,) = [r for rs in rejects(tmp_path / "work").values() for r in rs]
    assert entry["row"] == "2502" and "the whole file was set aside" in entry["reason"]


def _break_sheet(path: Path) -> None:
    """Cut the sheet's XML off part-way, as a failed copy or a crashed export leaves it."""
    broken = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) * 2 // 3]
            dst.writestr(item, data)
    broken.replace(path)


def test_a_workbook_with_broken_sheet_xml_fails_alone_and_the_folder_loads(store: GraphStore, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    write_csv(folder / "police" / "nominals.csv", NOMINALS, [nominal(i) for i in range(30)])
    book = _children_book(folder / "care" / "children.xlsx", [child(i, "2012-05-17") for i in range(200)])
    _break_sheet(book)
    report = ingest_paths(store, folder, tmp_path / "work")
    by_source = {f.source: f for f in report.files}
    assert by_source["police_nominals"].status == "loaded" and by_source["police_nominals"].rows_loaded == 30
    broken = by_source["care_children"]
    assert broken.status == "failed" and "not readable" in broken.message and "re-save" in broken.message
    assert broken.rows_loaded == 0 and broken.rows_read == broken.rows_rejected
    assert held_by(tmp_path, "care_children") == 0
    ledger = Ledger(tmp_path / "work" / "ingest-ledger.db", store.url)
    try:
        assert [run_id for run_id, _, _ in ledger.runs()] == [report.run_id]
    finally:
        ledger.close()
    assert any("children.xlsx" in r["file"] for rs in rejects(tmp_path / "work").values() for r in rs)


def test_control_characters_in_a_read_column_set_the_row_aside(store: GraphStore, tmp_path: Path) -> None:
    rows = [nominal(i) for i in range(6)]
    rows[1][1] = "Zq\x00null"
    rows[2][2] = "Te\x01sta"
    rows[3][6] = "line\tand\r\nbreak"  # tab and line breaks are text, not control characters
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (6, 4, 2)
    found = rejects(tmp_path / "work")
    assert found[3][0]["column"] == "surname" and "control character \\x00" in found[3][0]["reason"]
    assert found[4][0]["column"] == "forenames" and "\\x01" in found[4][0]["reason"]
    assert store.get_entity(make_id("Person", "police:PN100001")) is None


def test_a_file_refused_once_loads_when_fixed_and_its_refusal_leaves_the_rejects(
    store: GraphStore, tmp_path: Path
) -> None:
    rows = [nominal(i) for i in range(20)]
    rows[5][6] = "x" * 140_000
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    work = tmp_path / "work"
    assert only(ingest_paths(store, path, work, source="police_nominals")).status == "failed"
    rows[5][6] = "5 Testing Row"
    shutil.copyfile(write_csv(tmp_path / "fixed" / "nominals.csv", NOMINALS, rows), path)
    file = only(ingest_paths(store, path, work, source="police_nominals"))
    assert (file.status, file.rows_loaded) == ("loaded", 20)
    assert rejects(work) == {}


def test_generated_workbooks_still_load_with_a_sheet_added_in_front(store: GraphStore, tmp_path: Path) -> None:
    truth = generate(tmp_path / "world", people=300, seed=2)
    path = tmp_path / "world" / "care" / "children.xlsx"
    book = load_workbook(path)
    book.create_sheet("Read me", 0).append(["about this export"])
    book.save(path)
    file = only(ingest_paths(store, path, tmp_path / "work", source="care_children"))
    assert file.status == "loaded" and file.rows_read == truth["files"]["care/children.xlsx"]["rows"]


def test_json_lines_nested_past_reading_set_their_row_aside(store: GraphStore, tmp_path: Path) -> None:
    good = [json.dumps(dict(zip(NOMINALS, nominal(i), strict=True))) for i in range(3)]
    path = tmp_path / "nominals.jsonl"
    path.write_text("\n".join([good[0], "[" * 200_000 + "]" * 200_000, *good[1:]]) + "\n", encoding="utf-8")
    file = only(ingest_paths(store, path, tmp_path / "work", source="police_nominals"))
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_rejected) == ("loaded", 4, 3, 1)
    assert "nested too deeply" in rejects(tmp_path / "work")[3][0]["reason"]


def test_a_run_resumed_after_an_interruption_still_knows_the_ids_loaded_before(
    store: GraphStore, tmp_path: Path
) -> None:
    rows = [nominal(i) for i in range(10)]
    rows[7] = nominal(1, surname="Zqother")  # line 9 repeats line 3's id
    path = write_csv(tmp_path / "nominals.csv", NOMINALS, rows)
    work = tmp_path / "work"

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt  # after the first chunk of 4 rows is committed and checkpointed

    with pytest.raises(KeyboardInterrupt):
        ingest_paths(store, path, work, source="police_nominals", chunk_size=4, commit_rows=4, progress=interrupt)
    file = only(ingest_paths(store, path, work, source="police_nominals", chunk_size=4, commit_rows=4))
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (10, 9, 1)
    assert "repeats record id 'PN100001' of row 3" in rejects(work)[9][0]["reason"]
