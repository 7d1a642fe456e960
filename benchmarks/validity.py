"""The validity benchmark: Disrupt's analytics on networks whose answers are published or planted.

    python -m benchmarks.validity                                  # every network, seeds 1 and 7, 5,000 people
    python -m benchmarks.validity --out docs/validity.md --seeds 1 7 --people 5000 20000
    python -m benchmarks.validity --networks karate --seeds        # one published network, no world

It runs ``analytics.analysis.analyse`` on (a) the graphs NetworkX ships, each written as a CSV edge
list and loaded through the edge-list import, and (b) synthetic worlds of the given seeds and sizes,
generated, ingested and resolved. For each it scores the network-wide ranking against betweenness
and degree computed here, the rank of the published central players, the groups against the known
split (adjusted Rand index) or the planted members (core precision and recall, every listed member
counted), the disruption plan against baselines computed here (betweenness and degree recomputed
after each removal, the mean of random orders), and on the worlds the hotspots. It writes a Markdown
report with a PNG plot of the disruption curves per network under ``<out folder>/validity/``.
Set ``--cache`` (or ``DISRUPT_TEST_WORLD_CACHE``) to reuse ingested worlds between runs.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.validity_networks import PUBLISHED, build_world
from benchmarks.validity_report import write_report
from benchmarks.validity_scoring import Result, score_published
from benchmarks.validity_worlds import score_world

log = logging.getLogger(__name__)

RANDOM_ORDERS = 50


def scored_or_failed(score: Callable[[], Result], slug: str, title: str) -> Result:
    """One network's result; when the analysis fails on it, a result saying so, so the rest of the
    report is still written (a benchmark run while the analytics change must not lose every figure)."""
    try:
        return score()
    except Exception as exc:  # any failure of the code under test is a finding to report, not a crash
        log.exception("scoring %s failed", slug)
        failed = Result(slug, title, "failed", 0, 0, 0.0)
        failed.missing.append(f"the analysis failed on this network: {type(exc).__name__}: {exc}")
        return failed


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write the report (``argv`` as on the command line)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("docs/validity.md"))
    parser.add_argument("--networks", nargs="*", default=list(PUBLISHED), choices=list(PUBLISHED))
    parser.add_argument(
        "--seeds", nargs="*", type=int, default=[1, 7], help="Synthetic worlds' seeds (none: no world)."
    )
    parser.add_argument("--people", nargs="+", type=int, default=[5000, 20000], help="Synthetic worlds' sizes.")
    parser.add_argument("--orders", type=int, default=RANDOM_ORDERS, help="Random removal orders to average.")
    parser.add_argument("--analysis-seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=os.environ.get("DISRUPT_TEST_WORLD_CACHE") or None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    started = time.perf_counter()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="disrupt-validity-") as tmp:
        work = Path(tmp)
        for slug in args.networks:
            network = PUBLISHED[slug]()
            log.info("scoring %s", slug)
            results.append(
                scored_or_failed(
                    partial(score_published, network, work, seed=args.analysis_seed, orders=args.orders),
                    slug,
                    network.title,
                )
            )
        for people in args.people if args.seeds else []:
            for seed in args.seeds:
                log.info("scoring the %s-person world of seed %s", people, seed)
                world = build_world(work, people, seed, cache=args.cache)
                try:
                    results.append(
                        scored_or_failed(
                            partial(score_world, world, seed=args.analysis_seed, orders=args.orders),
                            f"world-{seed}-{people}",
                            f"Synthetic world, seed {seed}, {people:,} people",
                        )
                    )
                finally:
                    world.store.close()
    write_report(results, args.out, seconds=time.perf_counter() - started, argv=sys.argv[1:] if argv is None else argv)
    log.info("wrote %s in %.0f s", args.out, time.perf_counter() - started)


if __name__ == "__main__":
    main()
