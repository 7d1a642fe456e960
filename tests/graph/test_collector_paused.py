"""An upsert and an export pause Python's garbage collector while they run and always leave it as
they found it."""

from __future__ import annotations

import dataclasses
import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import InvalidRecord, new_entity
from graph.records import Provenance
from graph.store import open_sqlite
from graph.store_core import collector_paused


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_paused_inside_and_running_again_after() -> None:
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_batches_on_two_threads_leave_the_collector_running() -> None:
    gc.enable()
    first_in, second_done = threading.Event(), threading.Event()

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_done.wait(5)

    def second() -> None:
        first_in.wait(5)
        with collector_paused():
            pass
        assert not gc.isenabled()  # the first batch is still under way
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert gc.isenabled()


def test_a_refused_batch_leaves_the_collector_running(tmp_path: Path) -> None:
    gc.enable()
    unsourced = new_entity("Vehicle", {"vrm": "ZZ01ZZZ"}, provenance=Provenance("s", "r", "2026-01-01T00:00:00+00:00"))
    with open_sqlite(tmp_path / "graph.db") as store:
        with pytest.raises(InvalidRecord, match="no source"):
            store.upsert([dataclasses.replace(unsourced, provenance=())])
        assert gc.isenabled()
        store.upsert([unsourced])
        assert gc.isenabled()


def test_an_export_runs_no_collection_and_leaves_the_collector_running(tmp_path: Path) -> None:
    prov = Provenance("s", "r", "2026-01-01T00:00:00+00:00")
    vehicles = [new_entity("Vehicle", {"vrm": f"ZZ{i:05d}"}, provenance=prov) for i in range(3_000)]
    with open_sqlite(tmp_path / "graph.db") as store:
        store.upsert(vehicles)
        gc.enable()
        before = [generation["collections"] for generation in gc.get_stats()]
        G = store.to_networkx()
        after = [generation["collections"] for generation in gc.get_stats()]
        assert gc.isenabled()
    assert G.number_of_nodes() == 3_000  # thousands of dicts: a running collector collects about 50 times
    # at most the one collection that the first allocation after the export may start
    assert sum(after) - sum(before) <= 1, (before, after)
