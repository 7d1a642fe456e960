"""JSON lines (.jsonl): one flat object per line, values kept as text, rows numbered from 2 as if a
header stood on line 1."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path

from ingest.readers.rows import Export, RowMaker, SourceRow, cell_text


def open_jsonl(path: Path, columns: Collection[str] | None) -> Export:
    maker = RowMaker(str(path), [], columns, "utf-8")
    if columns is None:
        maker.wanted = _Everything()
    return Export(path, None, _jsonl_rows(path, maker), encoding="utf-8")


class _Everything(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


def _jsonl_rows(path: Path, maker: RowMaker) -> Iterator[SourceRow]:
    """Rows numbered from 2, as if a header stood on line 1, so that every format numbers alike."""
    name = str(path)
    with open(path, encoding="utf-8-sig", errors="surrogateescape") as fh:
        for line_no, line in enumerate(fh, start=1):
            number = line_no + 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield SourceRow(name, number, {}, f"is not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:
                yield SourceRow(name, number, {}, "is JSON nested too deeply to read; a record is one flat object")
                continue
            if isinstance(record, dict):
                yield maker.values(number, {str(k): _json_text(v) for k, v in record.items()})
            else:
                yield SourceRow(name, number, {}, "is JSON but not an object of named fields")


def _json_text(value: object) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


__all__ = ["open_jsonl"]
