"""`disrupt app` stops its Streamlit server when it is stopped, by SIGTERM or SIGINT: no orphan keeps serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.accounts import Accounts
from common.app_db import open_app_db
from tests.app.browser import free_port


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc; psutil is not a dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if Path(f"/proc/{pid}").exists() else "X"
    return state not in ("Z", "X")  # a zombie has stopped; only its exit status is left to collect


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the server child")
@pytest.mark.parametrize(
    ("command", "how"),
    [
        (["app"], signal.SIGTERM),
        (["app"], signal.SIGINT),
        (["demo", "--people", "200", "--quiet"], signal.SIGTERM),  # the demo serves through the same function
    ],
    ids=["app-SIGTERM", "app-SIGINT", "demo-SIGTERM"],
)
def test_stopping_disrupt_app_stops_its_server(tmp_path: Path, command: list[str], how: signal.Signals) -> None:
    Accounts(open_app_db(tmp_path / "app.db")).add("admin-one", "admin", "a long test password")
    port = free_port()
    env = {
        **os.environ,
        "DISRUPT_DATA_DIR": str(tmp_path),
        "DISRUPT_STORE": "",
        "DISRUPT_APP_DB": str(tmp_path / "app.db"),
    }
    cli = subprocess.Popen(
        [sys.executable, "-m", "disrupt", *command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a signal sent to the CLI alone, as a service manager sends it
    )
    url = f"http://127.0.0.1:{port}"
    servers: list[int] = []
    try:
        for _ in range(240):
            if _answers(url):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the app did not start within 120 s")
        servers = _children(cli.pid)
        assert servers, "disrupt app started no server child"
        cli.send_signal(how)
        cli.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in servers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(p) for p in servers), f"server child left running after {how.name}"
        assert not _answers(url)
    finally:
        if cli.poll() is None:
            cli.kill()
        for pid in servers:  # an orphan would have a new parent by now, so kill those recorded
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
