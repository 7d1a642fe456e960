"""Files Disrupt writes hold personal data, so only their owner may read them (issue 21, point 11).

Before this, ``graph.db``, ``app.db``, the ingest ledger and the rejects file were created
world-readable (0644 under the usual umask of 022).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

DISRUPT = Path(sys.executable).with_name("disrupt")


def test_the_demo_writes_every_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": "", "DISRUPT_APP_DB": str(data / "app.db")}
    for args, given in (
        (["demo", "--people", "300", "--seed", "2", "--no-serve", "--quiet"], ""),
        (["users", "add", "ada", "--role", "admin", "--password-stdin"], "a long enough password\n"),
    ):
        done = subprocess.run(
            [str(DISRUPT), *args],
            env=env,
            input=given,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=lambda: os.umask(0o022),  # the usual umask, which left these files world-readable
        )
        assert done.returncode == 0, done.stdout + done.stderr
    written = [p for p in data.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"graph.db", "app.db", "rejects.csv"} <= names, names
    open_to_others = [str(p.relative_to(data)) for p in written if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert not open_to_others
