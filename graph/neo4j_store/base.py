"""Small helpers of the Neo4j store: quoting schema names for query text, anchoring links."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TypeVar

import neo4j

from graph.errors import StoreConfigError

log = logging.getLogger(__name__)


T = TypeVar("T")


Tx = neo4j.ManagedTransaction


MAX_PATH_HOPS = 12


_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def _anchored(sources: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"id": link_id, "src": src} for link_id, src in sources.items()]


def _quoted(name: str) -> str:
    """A label or relationship type from the schema, checked and quoted for query text."""
    if not _NAME.match(name):
        raise StoreConfigError(f"{name!r} cannot be a Neo4j label or type: use letters, digits and _")
    return f"`{name}`"
