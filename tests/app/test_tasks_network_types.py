"""An analyst narrows the network to one imported relationship type (issue 24, point 2).

A tiny POLE-style neo4j-admin bundle (fictional people) is imported into a store of this module's
own: Ada knows Bo on social media (KNOWS_SN), knows Cy (KNOWS) and is Di's sibling (FAMILY_REL);
Cy knows Eve on social media; Ada and Bo are also cousins. The analyst centres the network on Ada by
name, sees the relationship types the drawn network holds offered in the filter beside the link
kinds, chooses KNOWS_SN and sees only Bo's link drawn: Cy and Eve were reached through a KNOWS link
the filter hides, and drawn apart they read as part of Ada's social-network circle (the walkthrough
found them so). The chart then goes to Gephi and i2 as drawn.
"""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from app.accounts import Accounts
from common.app_db import open_app_db
from common.audit import AuditLog
from graph import open_store
from graph.interchange import read_graphml
from ingest.graph_import import import_neo4j_bundle
from tests.app.browser import PASSWORD, serving, shot, sign_in
from tests.app.test_tasks_analyst_network import NETWORK, _choose_found, _drawn

PEOPLE = """:ID,:LABEL,name,surname,nhs_no
p1,Person,Ada,Zqxtypes,900-000-0001
p2,Person,Bo,Zqxtypes,900-000-0002
p3,Person,Cy,Zqxtypes,900-000-0003
p4,Person,Di,Zqxtypes,900-000-0004
p5,Person,Eve,Zqxtypes,900-000-0005
p6,Person,Fay,Zqxtwin,900-000-0006
p7,Person,Fay,Zqxtwin,900-000-0007
"""
KNOWS = """:START_ID,:END_ID,:TYPE
p1,p2,KNOWS_SN
p1,p3,KNOWS
p3,p5,KNOWS_SN
"""
FAMILY = """:START_ID,:END_ID,:TYPE,rel_type
p1,p4,FAMILY_REL,SIBLING
p1,p2,FAMILY_REL,COUSIN
"""


@pytest.fixture(scope="module")
def typed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("typed-world")
    bundle = data / "bundle"
    bundle.mkdir()
    (bundle / "nodes-Person.csv").write_text(PEOPLE, encoding="utf-8")
    (bundle / "relationships-KNOWS.csv").write_text(KNOWS, encoding="utf-8")
    (bundle / "relationships-FAMILY_REL.csv").write_text(FAMILY, encoding="utf-8")
    url = f"sqlite:///{data / 'graph.db'}"
    store = open_store(url)
    try:
        report = import_neo4j_bundle(store, bundle, data / "work")
        assert report.rows_rejected == 0 and sum(report.links_by_kind.values()) == 5
    finally:
        store.close()
    Accounts(open_app_db(data / "app.db")).add("test-analyst", "analyst", PASSWORD, replace=True)
    env = {**os.environ, "DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": url, "DISRUPT_APP_DB": str(data / "app.db")}
    with serving(env) as served:
        yield served, data / "app.db"


def test_analyst_draws_only_the_links_of_a_chosen_relationship_type(
    typed_server: tuple[str, Path], browser: Browser, tmp_path: Path
) -> None:
    served, app_db = typed_server
    blocked: list[str] = []
    page = sign_in(browser, served, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    _choose_found(page, "Centre on: find a person, place or thing", "Ada Zqxtypes", re.compile(r"^Ada Zqxtypes \("))
    page.get_by_text("Centred on").wait_for(timeout=30000)
    frame = page.frame_locator(NETWORK)
    assert len(_drawn(frame)) == 5
    frame.get_by_text(re.compile(r"5 entities .*, 5 links")).first.wait_for(timeout=30000)
    page.get_by_role("combobox", name=re.compile("^Link kinds and relationship types")).click()
    page.keyboard.type("KNOWS")  # the list is long: typing narrows it, as a person does
    page.get_by_role("option", name="KNOWS_SN (type)").wait_for(timeout=15000)
    offered = page.get_by_role("option").all_inner_texts()
    assert "KNOWS_SN (type)" in offered and "KNOWS (type)" in offered
    page.get_by_role("option", name="KNOWS_SN (type)").click()
    page.keyboard.press("Escape")
    for _ in range(60):  # a new filter draws a new chart: wait until the old one has gone
        if page.locator(NETWORK).count() == 1 and "links=KNOWS_SN" in page.url:
            break
        page.wait_for_timeout(500)
    frame = page.frame_locator(NETWORK)
    frame.get_by_text(re.compile(r"2 entities .*, 1 links")).first.wait_for(timeout=30000)
    assert len(_drawn(frame)) == 2
    assert "links=KNOWS_SN" in page.url
    shot(page, "network-types", tmp_path)
    assert not blocked, blocked
    drawn = next(e for e in AuditLog(open_app_db(app_db)).entries(limit=20) if e.action == "network")
    assert drawn.record_count == 2  # the audit names what was shown, not every entity the walk read

    # The chart goes to Gephi and to i2 as drawn: the filter's one link, not every link between the two.
    graphml = _download(page, "GraphML (yEd, Gephi)", tmp_path)
    G = read_graphml(io.BytesIO(graphml))
    assert sorted(d["label"] for _, d in G.nodes(data=True)) == ["Ada Zqxtypes", "Bo Zqxtypes"]
    assert [d.get("extra_types") or d.get("type") for _, _, d in G.edges(data=True)] in ([["KNOWS_SN"]], ["KNOWS_SN"])
    said = "OFFICIAL-SENSITIVE. Prepared by test-analyst for TEST-OP-2 browser check"
    assert said in graphml.decode("utf-8")  # marked, and who prepared it for what (the walkthrough found none)
    gexf = _download(page, "GEXF (Gephi)", tmp_path).decode("utf-8")
    assert said in gexf and gexf.count("<edge ") == 1
    chart = ET.fromstring(_download(page, "i2 chart (ANX)", tmp_path))
    assert len(chart.findall(".//ChartItem/End")) == 2 and len(chart.findall(".//ChartItem/Link")) == 1
    assert {e.action for e in AuditLog(open_app_db(app_db)).entries(limit=20)} >= {
        "export network graphml",
        "export network anx",
    }


def _download(page, button: str, into: Path) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download(timeout=60000) as got:
        page.get_by_role("button", name=button).click()
    saved = into / got.value.suggested_filename
    got.value.save_as(saved)
    return saved.read_bytes()


def test_a_kind_chosen_first_leaves_the_types_on_offer(
    typed_server: tuple[str, Path], browser: Browser, tmp_path: Path
) -> None:
    """The walkthrough chose "Family of" first: the chart narrowed, and KNOWS_SN was no longer offered
    to add; and an empty chart said nothing."""
    served, _ = typed_server
    blocked: list[str] = []
    page = sign_in(browser, served, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    box = "Centre on: find a person, place or thing"
    _choose_found(page, box, "Ada Zqxtypes", re.compile(r"^Ada Zqxtypes \("))
    page.get_by_text("Centred on").wait_for(timeout=30000)
    page.frame_locator(NETWORK).get_by_text(re.compile(r"5 entities .*, 5 links")).first.wait_for(timeout=30000)
    filters = page.get_by_role("combobox", name=re.compile("^Link kinds and relationship types"))
    filters.click()
    page.keyboard.type("Lives at")
    page.get_by_role("option", name="Lives at").click()
    page.keyboard.press("Escape")
    page.get_by_text("No link of the chosen kinds or types around it").wait_for(timeout=30000)
    filters.click()
    page.keyboard.type("KNOWS")
    page.get_by_role("option", name="KNOWS_SN (type)").wait_for(timeout=15000)  # still on offer
    shot(page, "network-types-kind-first", tmp_path)
    assert not blocked, blocked


def test_two_people_of_one_name_read_apart_in_the_chooser(typed_server: tuple[str, Path], browser: Browser) -> None:
    served, _ = typed_server
    blocked: list[str] = []
    page = sign_in(browser, served, "analyst", blocked)
    page.get_by_role("link", name="Network").click()
    box = "Centre on: find a person, place or thing"
    page.get_by_role("textbox", name=box).fill("Fay Zqxtwin")
    page.get_by_role("textbox", name=box).press("Enter")
    page.get_by_role("combobox", name=re.compile("^Choose one of the 2 found")).click()
    page.get_by_role("option").first.wait_for(timeout=15000)
    twins = page.get_by_role("option").all_inner_texts()
    assert len(twins) == 2 and len(set(twins)) == 2 and all("ref " in t for t in twins), twins
    assert not blocked, blocked
