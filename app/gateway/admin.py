"""The administrator's reads: the audit log, users, erasures and ingest runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from app.accounts import Accounts, User
from app.gateway.base import GatewayBase, LedgerView, is_child
from app.policy import AUDIT_SUBJECT_FIELDS
from graph.search import find_entities

AUDIT_NAMES_PER_ENTRY = 10  # record names shown per audit entry (the ids column keeps 20)


class AdminReads(GatewayBase):
    """What the administrator pages show."""

    def audit_entries(
        self,
        *,
        user: str | None = None,
        records: Collection[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        purpose: str | None = None,
        searched: str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Audit entries, newest first, narrowed by user, record, date range, purpose and the words a
        search was for (``searched``, matched by hash); with record names, except that a child is
        named only when the administrator asked for that record (they named it themselves)."""
        self._allow("view_audit", "audit log")
        entries = self.audit.entries(
            user=user, records=records, since=since, until=until, purpose=purpose, searched=searched, limit=limit
        )
        shown = {i for e in entries for i in e.records[:AUDIT_NAMES_PER_ENTRY]}
        children, today = self._children(), dt.date.today()
        names = {
            x.id: x.label if x.id in records or not is_child(x, children, today) else f"a child ({x.id})"
            for x in (self._store.get_entities(shown) if shown else [])
        }
        asked = [f"{k}={v}" for k, v in (("user", user), ("since", since), ("until", until), ("purpose", purpose)) if v]
        asked += [f"record={r}" for r in sorted(records)]
        if searched and searched.strip():
            asked.append(self.audit.searched(searched, what="searched-for filter"))
        self._log("audit log", (), "shown", detail="; ".join([f"{len(entries)} entries", *asked]))
        return [
            {
                "at": e.at,
                "user": e.user,
                "role": e.role,
                "action": e.action,
                "record_names": "; ".join(names.get(i, i) for i in e.records[:AUDIT_NAMES_PER_ENTRY]),
                "records": e.record_count,
                "purpose": e.purpose,
                "outcome": e.outcome,
                "detail": e.detail,
                "record_ids": ", ".join(e.records[:20]),
            }
            for e in entries
        ]

    def audit_subjects(self, text: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Records whose name matches ``text``, as id, kind and name only, for filtering the audit log.

        The administrator's one way to name a record ("who viewed this child?"): it shows no
        properties, links or analysis, and the look-up is itself audited.
        """
        self._allow("find_audit_subject", "audit subject search")
        # as the search page finds people: names in either order, VRMs, phones and references as typed
        hits = find_entities(self._store, text, limit=limit) if text.strip() else []
        rows = [
            {field: value for field, value in zip(AUDIT_SUBJECT_FIELDS, (e.id, e.kind, e.label), strict=True)}
            for e in hits
        ]
        self._log("audit subject search", [e.id for e in hits], detail=self.audit.searched(text))
        return rows

    def audit_users(self) -> list[str]:
        """The user names the audit log holds entries for (to pick one to filter by)."""
        self._allow("view_audit", "audit log users")
        return self.audit.users()

    def users(self, accounts: Accounts) -> list[User]:
        """The app's users and their roles."""
        self._allow("manage_users", "users")
        users = accounts.list()
        self._log("users", (), "shown", detail=f"{len(users)} users")
        return users

    def erasures(self) -> list[dict[str, Any]]:
        """The erasure records, newest first: when, what kind, how much, why, and any lift."""
        self._allow("view_erasures", "erasures")
        records = sorted(self._store.erasures(), key=lambda r: (r.erased_at, r.erasure_id), reverse=True)
        self._log("erasures", (), "shown", detail=f"{len(records)} erasures")
        return [
            {
                "erasure_id": r.erasure_id,
                "erased_at": r.erased_at,
                "kind": r.kind,
                "links_removed": r.links_removed,
                "sources_removed": r.sources_removed,
                "results_removed": r.results_removed,
                "reason": r.reason,
                "reference": r.reference,
                "lifted_at": r.lifted_at or "",
                "lift_reason": r.lift_reason or "",
                "lift_reference": r.lift_reference or "",
            }
            for r in records
        ]

    def ingest_runs(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Ingest runs, newest first, with rows read, loaded and rejected per run."""
        self._allow("view_ingest", "ingest runs")
        rows = []
        for run_id, started, summary in ledger.runs():
            files = summary.get("files")
            rows.append(
                {
                    "run_id": run_id,
                    "started_at": started,
                    **{k: summary.get(k) for k in ("rows_read", "rows_loaded", "rows_rejected", "seconds")},
                    "files": len(files) if isinstance(files, list) else 0,
                }
            )
        self._log("ingest runs", (), "shown", detail=f"{len(rows)} runs")
        return rows

    def rejected_rows(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Every row set aside at ingest, with its file, row number, column and reason."""
        self._allow("view_ingest", "rejected rows")
        rows = [
            {"run_id": r, "source": s, "file": f, "row": n, "column": c, "reason": why}
            for r, s, f, n, c, why in ledger.rejects()
        ]
        self._log("rejected rows", (), "shown", detail=f"{len(rows)} rows")
        return rows
