"""Briefings as PDF (issue 24, point 6): the file opens, carries its marking on every page and names who
prepared it (read back with pypdf); values are text, never markup; and in the app the download is
audited before its bytes exist, as the HTML briefing's is."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
from playwright.sync_api import Browser

from app import exports
from common.app_db import open_app_db
from common.audit import AuditLog
from tests.app.browser import shot, sign_in
from tests.app.conftest import AppWorld

HOSTILE = '<b>Zq</b> **bold** =HYPERLINK("x") ${x} `tick` Ëmïlé Ødegård'


def _pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]  # spacing as read back


def test_a_pdf_briefing_opens_with_its_marking_on_every_page_and_who_prepared_it() -> None:
    rows = [
        {"label": f"Zqx Person {i}", "score": i / 100, "reasons": ["association", "shared vehicle"]} for i in range(120)
    ]
    data = exports.briefing_pdf(
        "Group briefing: Zqx group",
        [("Key players", rows, ["label", "score", "reasons"]), ("Timeline", [], ["date"])],
        prepared_by="Zqx Analyst",
    )
    assert data.startswith(b"%PDF-")
    pages = _pages(data)
    assert len(pages) >= 2  # 120 rows do not fit on one page: the marking must be on each
    assert all(text.count("OFFICIAL-SENSITIVE") >= 2 for text in pages)  # head and foot
    first = pages[0]
    assert "Group briefing: Zqx group" in first and "Prepared by Zqx Analyst" in first
    whole = "\n".join(pages)
    assert all(f"Zqx Person {i}" in whole for i in range(120))
    assert "Association; shared vehicle" in whole or "association; shared vehicle" in whole
    assert "Timeline" in whole and "None." in whole
    info = pypdf.PdfReader(io.BytesIO(data)).metadata
    assert info is not None and info.author == "Zqx Analyst" and info.subject == "OFFICIAL-SENSITIVE"


def test_narrow_columns_beside_a_long_reason_keep_their_words_whole_and_the_purpose_is_named() -> None:
    """The walkthrough read "Ra/nk", "Sc/ore" and "0.1 / 28" in a group briefing: a rank and a score column
    beside a long reason were too narrow for their own words."""
    reason = "removing them cuts the largest connected part of the whole network from 300 to 299 people " * 2
    note = "Networks rewire after disruption: another member may take over this role. Re-run the analysis."
    rows = [
        {"rank": i, "score": 0.128, "label": f"Zqx Person {i}", "reasons": reason, "note": note} for i in range(1, 13)
    ]
    columns = ["rank", "score", "label", "reasons", "note"]
    data = exports.briefing_pdf("Group briefing", [("Options", rows, columns)], prepared_by="Zqx", purpose="OP-2411")
    whole = " ".join(_pages(data))
    assert "Rank" in whole and "Score" in whole, whole[:400]
    assert whole.count("0.128") == 12, whole[:600]
    assert "Prepared by Zqx for OP-2411 on" in whole
    assert (
        "Prepared by Zqx for OP-2411 on"
        in exports.briefing_html("B", [], prepared_by="Zqx", purpose="OP-2411").decode()
    )


def test_values_in_a_pdf_briefing_are_printed_as_written() -> None:
    data = exports.briefing_pdf(HOSTILE, [(HOSTILE, [{"a": HOSTILE}], ["a"])], prepared_by=HOSTILE)
    whole = " ".join(_pages(data))
    assert whole.count("Ëmïlé Ødegård") >= 3  # title, prepared by, the cell: accents kept
    assert "<b>Zq</b>" in whole and "**bold**" in whole and '=HYPERLINK("x")' in whole


def test_characters_the_font_lacks_print_as_a_mark_and_are_counted() -> None:
    data = exports.briefing_pdf("Briefing", [("People", [{"label": "李小龙 Zqx"}], ["label"])], prepared_by="Zqx")
    whole = " ".join(_pages(data))
    assert "\ufffd\ufffd\ufffd Zqx" in whole  # not silently left out
    assert "3 character(s) of the data are not in this PDF's font" in whole


def _pdf_download(page, button: str, into: Path) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download(timeout=60000) as got:
        page.get_by_role("button", name=button).first.click()
    saved = into / got.value.suggested_filename
    got.value.save_as(saved)
    return saved.read_bytes()


def test_the_analyst_downloads_a_group_briefing_as_pdf(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    log = AuditLog(open_app_db(app_world.data_dir / "app.db"))
    blocked: list[str] = []
    page = sign_in(browser, server, "analyst", blocked)
    page.get_by_role("link", name="Groups").first.click()
    page.get_by_role("tab", name="Briefing").wait_for(timeout=60000)
    page.get_by_role("tab", name="Briefing").click()
    button = page.get_by_role("button", name="Download briefing (PDF)")
    button.wait_for(timeout=30000)
    before = [e.id for e in log.entries(user="test-analyst", limit=500) if e.action.startswith("export briefing")]
    data = _pdf_download(page, "Download briefing (PDF)", tmp_path)
    after = [e for e in log.entries(user="test-analyst", limit=500) if e.action.startswith("export briefing")]
    assert len(after) == len(before) + 1 and after[0].record_count > 0  # the members it discloses
    pages = _pages(data)
    assert all("OFFICIAL-SENSITIVE" in text for text in pages)
    assert "Group briefing:" in pages[0] and "Prepared by test-analyst for TEST-OP-2 browser check" in pages[0]
    whole = " ".join(pages)
    # what the page leads with is in the briefing too: the group's summary and the plan on the whole network
    assert "Summary" in pages[0] and "Children linked" in pages[0], pages[0][:800]
    assert "Disruption plan on the whole network (optimised for" in whole and "Key players" in whole
    page.get_by_role("tab", name="Disruption plan and options").click()
    first = page.get_by_text(re.compile(r"^1\. ")).first
    first.wait_for(timeout=30000)
    target = first.inner_text().split(":")[1].split("(")[0].strip()  # "1. Tactic: Name (or ...): reasons"
    assert target and target in whole, target
    shot(page, "pdf-group-briefing", tmp_path)
    assert not blocked, blocked


def test_the_strategic_lead_downloads_the_hotspot_briefing_as_pdf(
    server: str, browser: Browser, app_world: AppWorld, tmp_path: Path
) -> None:
    log = AuditLog(open_app_db(app_world.data_dir / "app.db"))
    blocked: list[str] = []
    page = sign_in(browser, server, "strategic", blocked)
    page.get_by_role("link", name="Hotspot map").first.click()
    page.get_by_role("button", name="Download briefing (PDF)").wait_for(timeout=60000)
    before = sum(1 for e in log.entries(user="test-strategic", limit=500) if e.action == "export hotspot briefing")
    data = _pdf_download(page, "Download briefing (PDF)", tmp_path)
    after = sum(1 for e in log.entries(user="test-strategic", limit=500) if e.action == "export hotspot briefing")
    assert after == before + 1
    pages = _pages(data)
    assert all("OFFICIAL-SENSITIVE" in text for text in pages)
    assert "Hotspot briefing" in pages[0] and "Prepared by test-strategic" in pages[0]
    assert "Hotspot areas" in " ".join(pages)
    shot(page, "pdf-hotspot-briefing", tmp_path)
    assert not blocked, blocked
