"""Opening, upgrading and closing the embedded store, its transactions and bulk loads."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path as FilePath

from graph.contract import BulkLoad
from graph.errors import StoreBusy, StoreConfigError, StoreError
from graph.facts import has_key_properties
from graph.schema import Schema, load_schema
from graph.sqlite_store.base import _is_busy, _SQLiteLoad
from graph.sqlite_store.ddl import _DDL, _DDL_3, _READ_INDEX_NAMES, _READ_INDEXES, _UPGRADE_2_TO_3, FORMAT_VERSION

log = logging.getLogger(__name__)

_BUSY_TIMEOUT_MS = 10_000  # how long a connection waits for another's write lock before giving up


class _Lifecycle:
    """Open, upgrade and close the store file; one transaction at a time, or one bulk load."""

    def __init__(self, path: str | FilePath, *, schema: Schema | None = None) -> None:
        self.path = FilePath(path)
        self.url = f"sqlite:///{self.path}"
        self.schema = schema or load_schema()
        self._keyed_kinds = frozenset(k for k in self.schema.links if has_key_properties(self.schema, k))
        self._lock = threading.RLock()
        self._loading = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            for pragma in (
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
                "PRAGMA temp_store=MEMORY",
                "PRAGMA cache_size=-65536",
            ):
                self._db.execute(pragma)
            self._db.executescript(_DDL)
            self._check_format()
            self._db.executescript(_DDL_3)
            self._build_missing_read_indexes()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise StoreBusy(
                    f"{self.path} is busy: another process has held its write lock for more than "
                    f"{_BUSY_TIMEOUT_MS / 1000:g} s (a load, or the upgrade of an older store, under way); "
                    "open it again when that ends"
                ) from exc
            raise StoreConfigError(
                f"cannot open {self.path} as a Disrupt store ({exc}); point DISRUPT_STORE at a new "
                "file or at a store Disrupt created"
            ) from exc

    def _build_missing_read_indexes(self) -> None:
        """Build any read index that is missing: a bulk load into an empty store drops them and
        builds them at its end, and a load killed first leaves them to the next opening. While such
        a load is under way (it holds the write lock), leave them to it: the store opens at once
        and reads what the load has committed."""
        present = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        if present.issuperset(_READ_INDEX_NAMES):
            return
        self._db.execute("PRAGMA busy_timeout=0")
        try:
            self._db.executescript(_READ_INDEXES)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            log.info("%s: a load is under way; it builds the read indexes when it ends", self.path)
        finally:
            self._db.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")

    def _check_format(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta(key, value) VALUES ('format', ?)", (FORMAT_VERSION,))
        elif row[0] == "2":
            self._upgrade_from_2()
        elif row[0] != FORMAT_VERSION:
            raise StoreConfigError(
                f"{self.path} is in store format {row[0]}, this version reads format {FORMAT_VERSION}"
            )

    def _upgrade_from_2(self) -> None:
        """Copy the file aside (an older Disrupt can open the copy), then move each fact's first
        source inline, in one transaction. Another process opening the same file meanwhile waits,
        then finds it upgraded, or, if the upgrade outlasts its wait (a 1,000,000-person world's
        takes about a minute), is told the store is busy."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0] == "2":
                kept = self._copy_aside(".format-2.bak")
                for statement in _UPGRADE_2_TO_3.split(";\n"):
                    self._db.execute(statement)
                log.warning(
                    "upgraded %s from store format 2 to 3; the format-2 file is kept at %s (delete it when "
                    "you no longer need to go back to an older Disrupt)",
                    self.path,
                    kept,
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _copy_aside(self, suffix: str) -> FilePath:
        """A copy of the store as last committed, beside it, written under a temporary name and
        renamed, so a copy is whole or absent. While the caller holds the write lock, the copy is
        the state its transaction starts from (a second connection reads it; WAL lets it)."""
        target = self.path.with_name(self.path.name + suffix)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source, copy = sqlite3.connect(self.path), sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
        return target

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"SQLiteBackend({str(self.path)!r})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside a bulk load, a savepoint of the load's open transaction."""
        with self._lock:
            begin, undo, end = (
                ("SAVEPOINT batch", "ROLLBACK TO batch", "RELEASE batch")
                if self._loading
                else ("BEGIN IMMEDIATE", "ROLLBACK", "COMMIT")
            )
            self._db.execute(begin)
            try:
                yield self._db
            except BaseException:
                self._db.execute(undo)
                if self._loading:
                    self._db.execute(end)
                raise
            self._db.execute(end)

    @contextmanager
    def bulk_load(self) -> Iterator[BulkLoad]:
        """Upserts share one open transaction, committed by ``commit()`` and at the end (each upsert
        is a savepoint, so a refused batch undoes only itself). Committing every batch would rewrite
        the pages of every index each time. Into an empty store, the read indexes are built once at
        the end. Together, in store format 2: the 1,000,000-person world loaded in 234 s, against
        311 s with a commit per batch and every index kept up to date.

        Other threads wait for the load to end (it holds the store's lock); other connections
        read what was committed.
        """
        with self._lock:
            if self._loading:
                raise StoreError("a bulk load is already under way on this store")
            empty = self._db.execute("SELECT 1 FROM entities LIMIT 1").fetchone() is None
            if empty:
                for name in _READ_INDEX_NAMES:
                    self._db.execute(f"DROP INDEX IF EXISTS {name}")  # names from our own DDL
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._loading = True
                yield _SQLiteLoad(self._db)
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._loading = False
                if empty:
                    self._db.executescript(_READ_INDEXES)
