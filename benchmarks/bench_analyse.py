"""Time of ``disrupt analyse`` (load the graph, analyse, save the tables) on a generated world.

    python benchmarks/bench_analyse.py --people 5000
    python benchmarks/bench_analyse.py --people 1000000 --keep /tmp/world-1m   # reuse the store next time

The world is generated, ingested and resolved first (not timed); then the analysis runs as the
command runs it, with the time of each step and the peak memory of the process. Targets (issue #5):
under 30 s at 5,000 people, under 10 minutes at 1,000,000.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from disrupt.commands_analyse import run_analysis
from graph import open_store
from ingest.pipeline import ingest_paths
from ingest.resolve import resolve_businesses, resolve_people
from synthetic import generate


def prepare(folder: Path, people: int, seed: int) -> str:
    """A resolved store of the world in ``folder`` (built once, reused when already there)."""
    url = f"sqlite:///{folder / 'graph.db'}"
    if (folder / "ready").exists():
        return url
    started = time.perf_counter()
    generate(folder / "exports", people=people, seed=seed)
    store = open_store(url)
    ingest_paths(store, folder / "exports", folder)
    resolve_people(store)
    resolve_businesses(store)
    store.close()
    (folder / "ready").write_text("resolved\n")
    print(f"prepared the world in {time.perf_counter() - started:.0f} s (not part of the figure)")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="Folder to build the world in and reuse.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = prepare(folder, args.people, args.seed)
        store = open_store(url)
        counts = store.counts()
        _, report = run_analysis(store, seed=args.seed)
        store.close()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"world of {args.people:,} people: {sum(counts.entities.values()):,} entities, "
        f"{sum(counts.links.values()):,} links"
    )
    print("analyse: " + ", ".join(f"{k} {v:.1f} s" for k, v in report["timings"].items()))
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in report["rows"].items()))
    print(f"peak memory of the process: {peak_gb:.1f} GB")


if __name__ == "__main__":
    main()
