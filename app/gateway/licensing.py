"""The licensing officer's reads: the licensed trade by what was typed, one subject's check, the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from app import licensing
from app.gateway.base import GatewayBase, LedgerView, NotFound
from graph.result_rows import FlagRow


class LicensingReads(GatewayBase):
    """Licensing searches and checks, over the analysis's flags."""

    def _subjects(self) -> dict[str, FlagRow]:
        return {f.entity_id: f for f in self.results(FlagRow)}

    def licensing_search(self, text: str, *, born: dt.date | None = None, limit: int = 25) -> list[dict[str, Any]]:
        """Licensed drivers, vehicles, operators and premises matching a licence number, VRM, name or
        address (``born`` narrows people found by name), one row each with holder, VRM, address, authority."""
        self._allow("check_licensing", "licensing search")
        rows = (
            licensing.find_subjects(
                self._store,
                self._subjects(),
                text,
                born=born,
                children=self._children(),
                as_of=self._as_of(),
                limit=limit,
            )
            if text.strip()
            else []
        )
        detail = f"{self.audit.searched(text)}; date of birth {'given' if born else 'not given'}"  # text withheld
        self._log("licensing search", [r["entity_id"] for r in rows], detail=detail)
        return rows

    def licensing_register(self, name: str, *, born: dt.date | None) -> list[dict[str, Any]]:
        """National register refusals, suspensions and revocations against an applicant's name and date of birth."""
        self._allow("check_licensing", "licensing register check")
        rows = (
            licensing.check_register(self._store, name, born=born, children=self._children(), as_of=self._as_of())
            if name.strip()
            else []
        )
        self._log(
            "licensing register check",
            [r["entity_id"] for r in rows],
            detail=f"{self.audit.searched(name, what='name')}; date of birth {'given' if born else 'not given'}",
        )
        return rows

    def licensing_set_aside(self, ledger: LedgerView) -> list[dict[str, Any]]:
        """Rows of the licensing exports the ingest set aside (file, line, column, reason; no content).

        A licence on a row set aside is not in the graph, so a check that finds nothing must say so.
        """
        self._allow("check_licensing", "licensing rows set aside")
        rows = [
            {"file": Path(f).name, "line": n, "column": c, "reason": why}
            for _run, source, f, n, c, why in ledger.rejects()
            if source.startswith("licensing_")
        ]
        self._log("licensing rows set aside", (), "shown", detail=f"{len(rows)} rows")
        return rows

    def licensing_check(self, entity_id: str) -> dict[str, Any]:
        """Concern level, reasons, licences, register matches, cross-border working.

        The reasons name no child and quote no intelligence text (the analysis writes them so).
        """
        self._allow("check_licensing", "licensing check")
        subjects = self._subjects()
        if entity_id not in subjects:
            self._log("licensing check", (), detail=f"not a licensing subject: {entity_id}")
            raise NotFound("not a licensed driver, vehicle, operator or premises in the latest analysis")
        summary = self.analysis_run()
        view = licensing.check(
            self._store,
            subjects[entity_id],
            home=summary.home_authority if summary else None,
            children=self._children(),
            as_of=self._as_of(),
        )
        self._log("licensing check", [entity_id, *(x["entity_id"] for x in view["licences"])])
        return view
