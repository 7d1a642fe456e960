"""Fixtures for the analytics tests: the synthetic worlds, built once per session and shared."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.analytics.worlds import AnalysedWorld, Worlds


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    """``worlds(seed)``: the analysed 5,000-person world of that seed (seed 1 and 7 are the demo's)."""
    built = Worlds(tmp_path_factory)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="session")
def world(worlds: Worlds) -> AnalysedWorld:
    """The seed-1 world."""
    return worlds(1)
