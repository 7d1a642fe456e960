"""A download exists only after its audit entry (issue 21, point 3).

Export bytes used to be built at every render and served from ``/media/<hash>`` to anyone with the
URL, while the audit row was written only in the click handler: 5 of 5 direct fetches (audit log
CSV and XLSX, network HTML, management information CSV and XLSX) wrote no audit row.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from common.app_db import open_app_db
from common.audit import AuditLog
from tests.app.browser import sign_in
from tests.app.conftest import AppWorld


def _media_urls(page: Page) -> list[str]:
    """Every /media/ address the page holds (links, frames, anything with a src or href)."""
    found = page.evaluate(
        "() => Array.from(document.querySelectorAll('[href],[src]'))"
        ".map(e => e.getAttribute('href') || e.getAttribute('src')).filter(u => u && u.includes('/media/'))"
    )
    urls = [urljoin(page.url, u) for u in found]
    return [u for u in urls if urlsplit(u).path.startswith("/media/")]  # not the app's own /static/media


@pytest.mark.parametrize(
    ("role", "link", "button", "action"),
    [
        ("admin", "Audit log", "audit-log.csv", "export audit log"),
        ("admin", "Audit log", "audit-log.xlsx", "export audit log"),
        ("strategic", "Management information", "management-information.csv", "export dashboard"),
        ("strategic", "Management information", "management-information.xlsx", "export dashboard"),
    ],
)
def test_no_export_is_served_before_its_audit_entry(
    server: str,
    browser: Browser,
    app_world: AppWorld,
    tmp_path: Path,
    role: str,
    link: str,
    button: str | None,
    action: str,
) -> None:
    log = AuditLog(open_app_db(app_world.data_dir / "app.db"))
    blocked: list[str] = []
    page = sign_in(browser, server, role, blocked)
    page.get_by_role("link", name=link).click()
    page.wait_for_timeout(3000)
    buttons = page.get_by_role("button", name=button)
    buttons.first.wait_for(timeout=30000)
    for url in _media_urls(page):  # nothing to fetch behind the log's back
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url, timeout=5)
    before = sum(1 for e in log.entries(user=f"test-{role}", limit=200) if e.action.startswith("export"))
    with page.expect_download(timeout=30000) as download:
        buttons.first.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.stat().st_size > 0
    after = [e for e in log.entries(user=f"test-{role}", limit=200) if e.action.startswith("export")]
    assert len(after) == before + 1, [e.action for e in after]
    assert after[0].action == action
    assert not blocked, blocked
