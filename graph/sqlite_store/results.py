"""Saved analysis results in the embedded store."""

from __future__ import annotations

import json

from graph.records import ResultTable
from graph.sqlite_store.erasure import _Erasure
from graph.store_core import PreparedResults


class _Results(_Erasure):
    """Saved analysis results."""

    def save_results(self, prepared: PreparedResults) -> None:
        name, run_id, created_at = prepared.name, prepared.run_id, prepared.created_at
        encoded = [(name, run_id, *row) for row in prepared.rows]
        with self._transaction() as db:
            db.execute("DELETE FROM result_rows WHERE name = ? AND run_id = ?", (name, run_id))
            db.execute(
                "INSERT INTO result_runs(name, run_id, created_at, row_count) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name, run_id) DO UPDATE SET created_at = excluded.created_at, "
                "row_count = excluded.row_count",
                (name, run_id, created_at, len(encoded)),
            )
            db.executemany(
                "INSERT INTO result_rows(name, run_id, row_no, entity_id, data) VALUES (?, ?, ?, ?, ?)", encoded
            )

    def read_results(self, name: str, run_id: str | None) -> ResultTable | None:
        with self._lock:
            run = self._db.execute(
                "SELECT run_id, created_at FROM result_runs WHERE name = ?1 AND (?2 IS NULL OR run_id = ?2) "
                "ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (name, run_id),
            ).fetchone()
            if run is None:
                return None
            rows = self._db.execute(
                "SELECT data FROM result_rows WHERE name = ? AND run_id = ? ORDER BY row_no", (name, run[0])
            ).fetchall()
        return ResultTable(name, run[0], run[1], tuple(json.loads(r[0]) for r in rows))

    def result_version(self, name: str) -> tuple[str, str, int] | None:
        with self._lock:
            run = self._db.execute(
                "SELECT run_id, created_at FROM result_runs WHERE name = ? "
                "ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (name,),
            ).fetchone()
            if run is None:
                return None
            (held,) = self._db.execute(
                "SELECT count(*) FROM result_rows WHERE name = ? AND run_id = ?", (name, run[0])
            ).fetchone()
        return run[0], run[1], held

    def result_names(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT name FROM result_runs ORDER BY name")]
