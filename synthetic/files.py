"""Export files: their shape, the date styles agencies use, the bad rows planted in them, and
writing them so that the same rows always give the same bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Cell = str | int | float | None
EXCEL_EPOCH = dt.date(1899, 12, 30)
BAD_ROW_RATE = 0.01
_FIXED_TIME = (2026, 6, 30, 0, 0, 0)  # zip entry times in .xlsx files, so the bytes depend only on the seed


@dataclass
class Export:
    """One file: its columns, rows, format, and what tells a good row from a bad one."""

    path: str
    source: str  # the source kind an ingest mapping recognises
    columns: list[str]
    key: str
    rows: list[list[Cell]] = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"
    date_columns: dict[str, str] = field(default_factory=dict)  # column -> date style
    postcode_columns: tuple[str, ...] = ()
    vrm_columns: tuple[str, ...] = ()
    phone_columns: tuple[str, ...] = ()
    enum_columns: tuple[str, ...] = ()
    name_columns: tuple[str, ...] = ()
    reference_columns: tuple[str, ...] = ()  # columns naming a record of another file
    bad: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return Path(self.path).suffix.lstrip(".")


# -- date styles --------------------------------------------------------------------------------


def format_date(style: str, value: dt.date | dt.datetime | None) -> Cell:
    if value is None:
        return ""
    if style == "uk":
        return value.strftime("%d/%m/%Y")
    if style == "uk_time":
        return value.strftime("%d/%m/%Y %H:%M")
    if style == "iso":
        return value.strftime("%Y-%m-%d")
    if style == "iso_time":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "mon":
        return value.strftime("%d-%b-%Y")
    if style == "excel":
        day = value.date() if isinstance(value, dt.datetime) else value
        return (day - EXCEL_EPOCH).days
    raise ValueError(style)


IMPOSSIBLE_DATES: dict[str, Cell] = {
    "uk": "31/02/2025",
    "uk_time": "30/02/2025 25:61",
    "iso": "2025-13-40",
    "iso_time": "2025-02-30T10:00:00Z",
    "mon": "31-Feb-2025",
    "excel": "45xx1",
}
FUTURE_DATES: dict[str, Cell] = {
    "uk": "14/03/2031",
    "uk_time": "14/03/2031 10:00",
    "iso": "2031-03-14",
    "iso_time": "2031-03-14T10:00:00Z",
    "mon": "14-Mar-2031",
    "excel": (dt.date(2031, 3, 14) - EXCEL_EPOCH).days,
}


# -- bad rows ---------------------------------------------------------------------------------------


def _defects(export: Export) -> list[tuple[str, str]]:
    options = [("missing_key", export.key), ("exact_duplicate", "")]
    for column in export.date_columns:
        options += [("impossible_date", column), ("future_date", column)]
    options += [("malformed_postcode", c) for c in export.postcode_columns]
    options += [("malformed_vrm", c) for c in export.vrm_columns]
    options += [("malformed_phone", c) for c in export.phone_columns]
    options += [("unknown_value", c) for c in export.enum_columns]
    options += [("missing_name", c) for c in export.name_columns]
    options += [("unknown_reference", c) for c in export.reference_columns]
    return options


def plant_bad_rows(export: Export, rng: np.random.Generator) -> None:
    """Spoil about 1% of rows (at least one) and list each in ``export.bad`` with its row number."""
    if not export.rows:
        return
    options = _defects(export)
    count = max(1, round(len(export.rows) * BAD_ROW_RATE))
    chosen = sorted(int(i) for i in rng.choice(len(export.rows), size=min(count, len(export.rows)), replace=False))
    col = {name: i for i, name in enumerate(export.columns)}
    duplicates: list[int] = []
    spoilt: dict[int, tuple[str, str]] = {}
    for i in chosen:
        defect, column = options[int(rng.integers(0, len(options)))]
        row = export.rows[i]
        if defect == "exact_duplicate":
            duplicates.append(i)
            continue
        j = col[column]
        if defect in ("missing_key", "missing_name"):
            row[j] = ""
        elif defect == "impossible_date":
            row[j] = IMPOSSIBLE_DATES[export.date_columns[column]]
        elif defect == "future_date":
            row[j] = FUTURE_DATES[export.date_columns[column]]
        elif defect == "malformed_postcode":
            row[j] = str(rng.choice(["ZZ? 1A", "1ZZ 1AA", "ZZ1 1A1", "POSTCODE"]))
        elif defect == "malformed_vrm":
            row[j] = str(rng.choice(["Z!", "?", "ZZZZZZZZZZZZ1"]))
        elif defect == "malformed_phone":
            row[j] = str(rng.choice(["07700 9001", "phone", "+44 12"]))
        elif defect == "unknown_value":
            row[j] = str(rng.choice(["Unknown-99", "??", "N/K/X"]))
        elif defect == "unknown_reference":
            row[j] = "XX0000000"
        spoilt[i] = (defect, column)
    for i in reversed(duplicates):
        export.rows.insert(i + 1, list(export.rows[i]))
    # row numbers as a spreadsheet shows them: the header is row 1
    shift = 0
    dup_set = set(duplicates)
    for i in range(len(export.rows) - len(duplicates)):
        if i in spoilt:
            defect, column = spoilt[i]
            export.bad.append({"file": export.path, "row": i + shift + 2, "defect": defect, "column": column})
        if i in dup_set:
            shift += 1
            export.bad.append({"file": export.path, "row": i + shift + 2, "defect": "exact_duplicate", "column": ""})


# -- writing ---------------------------------------------------------------------------------------


def _cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def _write_csv(path: Path, export: Export) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=export.delimiter, lineterminator="\r\n")
    writer.writerow(export.columns)
    writer.writerows([_cell_text(v) for v in row] for row in export.rows)
    path.write_bytes(buffer.getvalue().encode(export.encoding))


def _write_xlsx(path: Path, export: Export) -> None:
    """Write with openpyxl, then re-pack the zip with fixed times so the same rows give the same bytes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    fixed = dt.datetime(*_FIXED_TIME)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "disrupt synthetic generator"
    sheet = book.create_sheet("Children")
    sheet.append(export.columns)
    for row in export.rows:
        sheet.append(["" if v is None else v for v in row])
    raw = io.BytesIO()
    book.save(raw)
    _repack_zip(raw.getvalue(), path)


def _repack_zip(data: bytes, path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core_times(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)


def _fixed_core_times(content: bytes) -> bytes:
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>2026-06-30T00:00:00Z\g<2>", content)


WRITERS: dict[str, Callable[[Path, Export], None]] = {"csv": _write_csv, "tsv": _write_csv, "xlsx": _write_xlsx}


def write_export(out: Path, export: Export) -> None:
    """Write one export under ``out`` in its own format, encoding and delimiter."""
    target = out / export.path
    target.parent.mkdir(parents=True, exist_ok=True)
    WRITERS[export.fmt](target, export)
