"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph import GraphStore, open_store

StoreFactory = Callable[[Path], GraphStore]


def _sqlite(tmp: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp / 'graph.db'}")


STORE_FACTORIES: dict[str, StoreFactory] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(STORE_FACTORIES))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A new, empty store of each implementation."""
    opened = STORE_FACTORIES[request.param](tmp_path)
    try:
        yield opened
    finally:
        opened.close()
