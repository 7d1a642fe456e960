"""What every store shares, in one place: the checks of the store contract and their messages,
the errors both stores raise, and the bulk-load handle.

The stores import this module, never :mod:`graph.store` (which opens them), so there is no import
circle between the store interface and its implementations.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar, get_args

from graph.errors import InvalidRecord, StoreConfigError, StoreError, UnknownEntity
from graph.records import ErasureReason, ErasureRecord, LiftReason, Verdict

ERASURE_REASONS: tuple[ErasureReason, ...] = get_args(ErasureReason)
LIFT_REASONS: tuple[LiftReason, ...] = get_args(LiftReason)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
T = TypeVar("T", bound=str)
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,63}$")
_RESULT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def check_judgement(verdict: str, reference: str) -> Verdict:
    """The verdict, typed; refuse one other than same/different, or a reference that is not a case reference."""
    typed = _member(VERDICTS, verdict)
    if typed is None:
        raise StoreConfigError(f"a judgement is 'same' or 'different', not {verdict!r}")
    if not _REFERENCE.match(reference):
        raise StoreConfigError("a judgement reference is a case or ticket reference (letters, digits, / _ . -)")
    return typed


def check_erasure(reason: str, reference: str) -> ErasureReason:
    """The erasure reason, typed; refuse an unknown one, or a reference that could hold a name."""
    return _check_decision("erasure", ERASURE_REASONS, reason, reference)


def check_lift(reason: str, reference: str) -> LiftReason:
    """The reason for lifting an erasure, typed; refuse an unknown one, or a reference that could hold a name."""
    return _check_decision("a lift's", LIFT_REASONS, reason, reference)


def _member(members: tuple[T, ...], value: str) -> T | None:
    """The member of a closed set that ``value`` names, or None."""
    return next((m for m in members if m == value), None)


def _check_decision(subject: str, reasons: tuple[T, ...], reason: str, reference: str) -> T:
    typed = _member(reasons, reason)
    if typed is None:
        raise StoreConfigError(f"{subject} reason must be one of {', '.join(map(str, reasons))}, not {reason!r}")
    if not _REFERENCE.match(reference):
        raise StoreConfigError(
            f"{subject} reference must be a case or ticket reference (letters, digits, / _ . -; up to 64), never a name"
        )
    return typed


def unknown_judged(first: str, second: str) -> UnknownEntity:
    """The error for a judgement about a record the store does not hold."""
    return UnknownEntity(f"a judgement needs two stored records; {first!r} or {second!r} is not one")


def lifted_already(record: ErasureRecord) -> StoreError:
    """The error both stores raise when an erasure that was lifted is lifted again."""
    return StoreError(
        f"erasure {record.erasure_id} was lifted at {record.lifted_at} ({record.lift_reason}, "
        f"{record.lift_reference}); there is nothing more to lift"
    )


def check_result_name(name: str) -> None:
    if not _RESULT_NAME.match(name):
        raise StoreConfigError(f"result name {name!r}: use lower case letters, digits and _ (e.g. key_players)")


def refuse_erased(kind: str, entity_id: str, erasure_id: str) -> InvalidRecord:
    """The error an upsert raises for an entity on the erased list (both stores say the same)."""
    return InvalidRecord(kind, None, entity_id, f"was erased (erasure {erasure_id}); it is not stored again")


class BulkLoad(Protocol):
    """A long load in progress (see :meth:`GraphStore.bulk_load`)."""

    def commit(self) -> None:
        """Make everything upserted so far durable, so a checkpoint may be recorded after it."""
        ...


class EachBatchCommits:
    """The bulk load of a store whose every upsert commits on its own: ``commit`` has nothing to do."""

    def commit(self) -> None:
        return None

    def __enter__(self) -> EachBatchCommits:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


__all__ = [
    "ERASURE_REASONS",
    "LIFT_REASONS",
    "VERDICTS",
    "BulkLoad",
    "EachBatchCommits",
    "ErasureReason",
    "LiftReason",
    "Verdict",
    "check_erasure",
    "check_judgement",
    "check_lift",
    "check_result_name",
    "lifted_already",
    "refuse_erased",
    "unknown_judged",
]
