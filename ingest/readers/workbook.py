"""Excel workbooks (.xlsx), streamed read-only: the sheet the spec names, else the one sheet whose
header has every column the mapping reads; rows numbered as the sheet numbers them."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from ingest.errors import ReaderError
from ingest.readers.rows import Export, RowMaker, SourceRow, cell_text, clean_header


def open_xlsx(path: Path, sheet: str | None, columns: Collection[str] | None, what: str) -> Export:
    from openpyxl import load_workbook

    name = str(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises what its zip and XML libraries raise: any is "unreadable"
        raise ReaderError(f"{name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        chosen, header = _choose_sheet(book, name, sheet, columns, what)
        maker = RowMaker(name, header, columns, "xlsx")
        rows = _xlsx_rows(book, chosen, maker)
    except BaseException:
        book.close()
        raise
    return Export(path, header, rows, sheet=chosen)


def _sheet_header(book: Any, title: str, name: str) -> list[str] | None:
    try:
        first = next(book[title].iter_rows(min_row=1, max_row=1, values_only=True), None)
    except Exception as exc:
        raise ReaderError(f"{name}: sheet {title!r} is not readable ({type(exc).__name__}: {exc})") from exc
    if not first:
        return None
    cells = [cell_text(v) for v in first]
    while cells and cells[-1] == "":
        cells.pop()  # empty cells after the last name are formatting
    return cells


def _choose_sheet(
    book: Any, name: str, sheet: str | None, columns: Collection[str] | None, what: str
) -> tuple[str, list[str]]:
    """The sheet named, else the one sheet whose header has every wanted column (the first sheet
    when no columns are wanted); refused when none or several fit."""
    titles = [ws.title for ws in book.worksheets]
    if sheet is not None:
        if sheet not in titles:
            raise ReaderError(f"{name}: no sheet {sheet!r}; it has {', '.join(titles)}")
        return sheet, clean_header(_sheet_header(book, sheet, name), f"{name} (sheet {sheet!r})")
    if not titles:
        raise ReaderError(f"{name}: the workbook has no sheets")
    if columns is None:
        return titles[0], clean_header(_sheet_header(book, titles[0], name), name)
    wanted = set(columns)
    fits: list[tuple[str, list[str]]] = []
    lacking: list[str] = []
    for title in titles:
        cells = _sheet_header(book, title, name) or []
        missing = sorted(wanted - {c.strip() for c in cells})
        if missing:
            lacking.append(f"sheet {title!r} lacks {', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}")
        else:
            fits.append((title, cells))
    mapping = f"the {what} mapping" if what else "the mapping"
    if not fits:
        raise ReaderError(
            f"{name}: no sheet has the columns {mapping} reads ({'; '.join(lacking)}); check the workbook is the "
            "right export, or name its sheet with `sheet: NAME` in your own spec (--specs DIR)"
        )
    if len(fits) > 1:
        raise ReaderError(
            f"{name}: sheets {', '.join(repr(t) for t, _ in fits)} all have the columns {mapping} reads; "
            "say which to load with `sheet: NAME` in your own spec (--specs DIR), or remove the others"
        )
    title, cells = fits[0]
    return title, clean_header(cells, f"{name} (sheet {title!r})")


def _xlsx_rows(book: Any, title: str, maker: RowMaker) -> Iterator[SourceRow]:
    header = maker.header
    number = 1
    try:
        rows = book[title].iter_rows(min_row=2, values_only=True)
        while True:
            try:
                cells = next(rows, None)
            except Exception as exc:  # broken sheet XML surfaces as whatever the parser raises
                raise ReaderError(
                    f"{maker.name}: sheet {title!r} is not readable after row {number} "
                    f"({type(exc).__name__}: {exc}); re-save the workbook from Excel, or export the sheet as CSV",
                    number + 1,
                ) from exc
            if cells is None:
                return
            number += 1
            fields = [cell_text(v) for v in cells]
            while fields and fields[-1] == "" and len(fields) > len(header):
                fields.pop()  # trailing empty cells beyond the header are formatting, not data
            if not fields or all(f == "" for f in fields):
                continue  # an empty sheet row is formatting, not a record
            fields += [""] * (len(header) - len(fields))
            yield maker.row(number, fields)
    finally:
        book.close()


__all__ = ["open_xlsx"]
