"""How long each app page takes to answer on the demo world, per role (Streamlit AppTest, server side).

    python benchmarks/bench_app.py [--data-dir DIR] [--people 5000] [--repeat 3]

Builds the demo world with `disrupt demo --no-serve` unless DIR already holds one, then runs every
page each role may open (with realistic inputs: an organiser's network, a group, a licensing
search and check, each hotspot quarter) and prints the slowest of the repeats, in seconds.
The browser adds drawing time on top (vis-network's layout, Leaflet); see the README.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from click.testing import CliRunner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/disrupt-bench-app"))
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = args.data_dir
    os.environ.update(
        {
            "DISRUPT_DATA_DIR": str(data),
            "DISRUPT_STORE": f"sqlite:///{data / 'graph.db'}",
            "DISRUPT_APP_DB": str(data / "app.db"),
        }
    )
    from disrupt.cli import main as cli

    if not (data / "graph.db").is_file():
        result = CliRunner().invoke(cli, ["demo", "--people", str(args.people), "--no-serve", "--quiet"])
        assert result.exit_code == 0, result.output
    from streamlit.testing.v1 import AppTest

    import app.main
    from app.navigation import PAGES
    from app.policy import ROLES, may
    from graph import open_store

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' sign-in helper
    from app.accounts import Accounts
    from common.app_db import open_app_db
    from tests.app.conftest import PASSWORD, signed_in_state

    accounts = Accounts(open_app_db(data / "app.db"))
    for role in ROLES:  # the app reads the signed-in account again on every run
        accounts.add(f"test-{role}", role, PASSWORD, replace=True)

    store = open_store(os.environ["DISRUPT_STORE"])
    organiser = store.read_results("groups").rows[0]["entity_id"]  # type: ignore[union-attr]
    flagged = next(r for r in store.read_results("flags").rows if r["level"] == "high")  # type: ignore[union-attr]
    store.close()
    main_script = str(Path(app.main.__file__))
    opened = {"views/network.py", "views/profile.py", "views/child.py"}  # pages that show the entity in ?entity=
    inputs = {
        "views/search.py": ("Name, reference, VRM, phone, licence number or address", flagged["label"].split()[0]),
        "views/licensing.py": ("Licence number, VRM, name or address", flagged["label"]),
    }
    print(f"{'role':<10} {'page':<28} {'worst s':>8} {'median s':>9}")
    for role in ROLES:
        for spec in PAGES:
            if not may(role, spec.capability):
                continue
            times = []
            for _ in range(args.repeat):
                at = AppTest.from_file(main_script, default_timeout=120)
                for key, value in signed_in_state(role).items():
                    at.session_state[key] = value
                at.run()
                at.switch_page(spec.path)
                if spec.path in opened:
                    at.query_params["entity"] = organiser
                started = time.perf_counter()
                at.run()
                if spec.path in inputs:
                    label, value = inputs[spec.path]
                    box = next(t for t in at.text_input if t.label == label)
                    box.input(value)
                    submit = [b for b in at.button if b.label in ("Search", "Check")]
                    if submit:
                        submit[0].click()
                    at.run()
                times.append(time.perf_counter() - started)
                assert not at.exception, at.exception
            print(f"{role:<10} {spec.title:<28} {max(times):>8.2f} {statistics.median(times):>9.2f}")


if __name__ == "__main__":
    main()
