"""Ingest's exceptions: one root, :class:`IngestError`, and a few named kinds under it.

A caller that only needs to know "this could not be ingested" catches :class:`IngestError`; the CLI
and the pipeline catch the named kinds where they act on them differently. Every message names the
file or spec at fault and says what to do.
"""

from __future__ import annotations


class IngestError(Exception):
    """A file, folder or spec cannot be ingested at all; the message says what to do."""


class InvalidMapping(IngestError):
    """A mapping spec is wrong; the message names the spec and says what to change."""


class ReaderError(IngestError):
    """A file cannot be read at all; the message says what to do about it, and ``line`` where
    reading stopped (when it stopped part-way)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


__all__ = ["IngestError", "InvalidMapping", "ReaderError"]
