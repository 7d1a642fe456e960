"""Moved to :mod:`common.audit` (issue 23); this re-export is removed once every importer follows."""

from app.accounts import check_sign_in
from common.audit import AuditEntry, AuditLog, Outcome
from common.audit_chain import MAX_RECORDS, ChainCheck, entry_hash

__all__ = ["MAX_RECORDS", "AuditEntry", "AuditLog", "ChainCheck", "Outcome", "check_sign_in", "entry_hash"]
