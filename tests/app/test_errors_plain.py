"""A failure on the server reaches the user as a plain message: no traceback, no server path, no code."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from playwright.sync_api import Browser

from tests.app.browser import serving, shot, sign_in
from tests.app.conftest import AppWorld


def test_a_broken_store_shows_a_plain_error_without_internals(
    browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    """The store file is damaged (a disk fault, a bad copy): the search fails on the server, and the
    analyst must see that it failed without the traceback, file paths and source lines behind it."""
    app_db = tmp_path / "app.db"
    with sqlite3.connect(app_world.data_dir / "app.db") as source, sqlite3.connect(app_db) as copy:
        source.backup(copy)  # the world's users, on a copy this server may write to
    for extra in app_world.data_dir.glob("app.db.*"):
        if extra.suffix not in (".db-wal", ".db-shm") and not extra.name.endswith(("-wal", "-shm")):
            shutil.copy(extra, tmp_path / extra.name)
    damaged = tmp_path / "graph.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x13\x37" * 4096)  # a header, then garbage
    env = {**app_world.env, "DISRUPT_APP_DB": str(app_db), "DISRUPT_STORE": f"sqlite:///{damaged}"}
    blocked: list[str] = []
    with serving(env) as url:
        page = sign_in(browser, url, "analyst", blocked)  # the first page reads the store at once
        page.wait_for_timeout(4000)
        shot(page, "error-plain", tmp_path)
        seen = page.locator("[data-testid='stMain'], section.main").first.inner_text()
        assert seen.strip(), "the page showed nothing at all"
        for internal in ("Traceback", 'File "', ".py", str(tmp_path), "/work/", "sqlite3.", "DatabaseError"):
            assert internal not in seen, (internal, seen)
        assert "This page could not be shown: something failed on the server" in seen, seen
        assert page.get_by_role("link", name="Ask Google").count() == 0  # no link out with the error's text
    assert not blocked, blocked
