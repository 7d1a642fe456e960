"""Writing a batch into the embedded store, by the merge rules of :mod:`graph.merge`."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from graph.contract import refuse_erased
from graph.errors import StoreError
from graph.records import UpsertSummary
from graph.sqlite_store import queries as sql  # the statements, by name: sql._UPSERT_ENTITY ...
from graph.sqlite_store.base import _first_two, _further_sources, _json, _patch, _source_rows
from graph.sqlite_store.walks import _Walks
from graph.store_core import PreparedEntity, PreparedLink, check_link_ends

log = logging.getLogger(__name__)


class _Writes(_Walks):
    """Upserting a batch."""

    def write_batch(self, entities: list[PreparedEntity], links: list[PreparedLink]) -> UpsertSummary:
        entity_rows, entity_prov, terms = self._prepare_entities(entities)
        link_rows, link_prov = self._prepare_links(links)
        # in key order, so that consecutive rows land on neighbouring pages of each index
        for rows in (entity_rows, entity_prov, terms, link_rows, link_prov):
            rows.sort(key=_first_two)
        batch_kinds = {row[0]: row[1] for row in entity_rows}
        ends_elsewhere = sorted({end for row in link_rows for end in row[2:4] if end not in batch_kinds})
        try:
            with self._transaction() as db:
                # how many of the batch's ids exist already (counting whole tables would grow with the store)
                entity_ids = _json(list(batch_kinds))
                erased = db.execute(sql._ERASED_AMONG, (entity_ids,)).fetchone()
                if erased is not None:
                    raise refuse_erased(batch_kinds[erased[0]], erased[0], erased[1])
                held_e = {r[0]: r[1:] for r in db.execute(sql._HELD_ENTITIES, (entity_ids,))}
                held_l = {r[0]: r[1:] for r in db.execute(sql._HELD_LINKS, (_json(list({r[0] for r in link_rows})),))}
                db.executemany(sql._UPSERT_ENTITY, entity_rows)
                db.executemany(sql._INSERT_PROVENANCE, _further_sources(entity_rows, entity_prov, held_e))
                self._add_search_terms(db, terms)
                stored_kinds = dict(db.execute(sql._KINDS_OF, (_json(ends_elsewhere),))) if ends_elsewhere else {}
                check_link_ends(self.schema, (p.link for p in links), {**stored_kinds, **batch_kinds})
                merged = db.execute(sql._ANY_MERGED).fetchone() is not None
                db.executemany(sql._UPSERT_LINK if merged else sql._UPSERT_LINK_UNMERGED, link_rows)
                db.executemany(sql._INSERT_PROVENANCE, _further_sources(link_rows, link_prov, held_l))
        except sqlite3.Error as exc:
            raise StoreError(f"batch rolled back: {exc}") from exc
        distinct_e = len(batch_kinds)
        distinct_l = len({row[0] for row in link_rows})
        log.debug("upserted %d entities, %d links", distinct_e, distinct_l)
        return UpsertSummary(distinct_e - len(held_e), len(held_e), distinct_l - len(held_l), len(held_l))

    @staticmethod
    def _add_search_terms(db: sqlite3.Connection, terms: list[tuple[str, str]]) -> None:
        """Add new terms, then index them in one statement (far faster than a trigger per row).

        New rows of ``search_terms`` get rowids above the batch's starting maximum, so one range
        selects exactly the terms this batch added.
        """
        if not terms:
            return
        start = db.execute("SELECT coalesce(max(rowid), 0) FROM search_terms").fetchone()[0]
        db.executemany("INSERT OR IGNORE INTO search_terms(entity_id, term) VALUES (?, ?)", terms)
        db.execute("INSERT INTO search_fts(rowid, term) SELECT rowid, term FROM search_terms WHERE rowid > ?", (start,))

    def _prepare_entities(
        self, entities: list[PreparedEntity]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, str]]]:
        """The batch's entity rows (graph.store_core prepares them), sources and search terms."""
        rows: list[tuple[Any, ...]] = []
        prov: list[tuple[Any, ...]] = []
        terms: list[tuple[str, str]] = []
        for p in entities:
            e = p.entity
            sources = _source_rows(e.id, e.provenance)
            props = _json(p.clean)
            patch = _patch(p.clean, props)
            rows.append((e.id, e.kind, e.label, props, e.first_seen, e.last_seen, p.has_label, *sources[0][1:], patch))
            prov.extend(sources)
            terms.extend((e.id, term) for term in p.terms)
        return rows, prov, terms

    def _prepare_links(self, links: list[PreparedLink]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        rows: list[tuple[Any, ...]] = []
        prov: list[tuple[Any, ...]] = []
        for p in links:
            ln = p.link
            sources = _source_rows(ln.id, ln.provenance)
            props = _json(p.clean)
            patch = _patch(p.clean, props)
            rows.append(
                (ln.id, ln.kind, ln.source, ln.target, props, ln.first_seen, ln.last_seen, *sources[0][1:], patch)
            )
            prov.extend(sources)
        return rows, prov
