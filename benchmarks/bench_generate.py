"""Time and peak memory of ``disrupt generate`` at a given size (default 1,000,000 people).

    python benchmarks/bench_generate.py [--people 1000000] [--seed 1]

Runs the generator in a child process so that the peak resident memory measured is the generator's
own (the target: 1,000,000 people within 8 GB).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "world"
        code = (
            "from pathlib import Path; from synthetic import generate; "
            f"generate(Path({str(out)!r}), people={args.people}, seed={args.seed})"
        )
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        truth = json.loads((out / "truth.json").read_text())
        rows = sum(info["rows"] for info in truth["files"].values())
        size_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
    print(f"people: {args.people:,}  seed: {args.seed}")
    print(f"time: {seconds:.1f} s  peak memory: {peak_mb:,.0f} MB")
    print(
        f"rows written: {rows:,} in {len(truth['files'])} files ({size_mb:,.0f} MB); "
        f"groups: {len(truth['groups']):,}; bad rows: {len(truth['bad_rows']):,}"
    )


if __name__ == "__main__":
    main()
