"""A demo district analysed once per session, with marker values planted in victims' and intelligence records.

Markers let the tests prove that the licensing and strategic pages never show a child's identity
or intelligence text: if any marker appears anywhere on those pages, the policy leaked.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from app.accounts import Accounts, User
from app.policy import ROLES, Role
from common.app_db import open_app_db
from graph import open_store
from graph.records import Provenance, new_entity, now_iso
from tests.app.browser import CHROMIUM, PASSWORD, serving
from tests.disrupt.test_cli_ingest import run

VICTIM_MARKER = "Zqxvictimmark"
INTEL_MARKER = "QQINTELMARKER"


@dataclass(frozen=True)
class AppWorld:
    data_dir: Path
    store_url: str
    env: dict[str, str]
    markers: tuple[str, ...]
    victims: tuple[str, ...]


def _plant_markers(store_url: str) -> tuple[str, ...]:
    """Rename every child the analysis knows and rewrite every intelligence text to carry a marker."""
    store = open_store(store_url)
    try:
        children = [r["entity_id"] for r in store.read_results("child_indicators").rows]  # type: ignore[union-attr]
        loaded = now_iso()
        source = Provenance("test_markers", "planted", loaded)
        people = []
        for i, e in enumerate(store.get_entities(children)):
            people.append(
                new_entity(
                    "Person",
                    {
                        "ref": e.properties["ref"],
                        "full_name": f"{VICTIM_MARKER} Child{i}",
                        "aliases": [f"{VICTIM_MARKER}alias{i}"],
                        "address": f"{i} {VICTIM_MARKER} Road",
                    },
                    provenance=source,
                )
            )
        intel = [
            new_entity(
                "Intelligence",
                {"reference": e.properties["reference"], "text": f"{INTEL_MARKER} report {i} names a child"},
                provenance=source,
            )
            for i, e in enumerate(store.records_of_kind("Intelligence"))
            if e.merged_into is None
        ]
        store.upsert(people + intel)
        assert intel and people
        return tuple(children)
    finally:
        store.close()


@pytest.fixture(scope="session")
def app_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppWorld]:
    data = tmp_path_factory.mktemp("app-world")
    env = {"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": ""}
    code, out = run("demo", "--seed", "1", "--no-serve", env=env)  # the seed-1 demo world, as `disrupt demo` makes it
    assert code == 0, out
    store_url = f"sqlite:///{data / 'graph.db'}"
    victims = _plant_markers(store_url)
    code, out = run("analyse", "--seed", "1", env=env)  # results now carry the planted values
    assert code == 0, out
    accounts = Accounts(open_app_db(data / "app.db"))
    for role in ROLES:
        accounts.add(f"test-{role}", role, PASSWORD, replace=True)
    saved = {k: os.environ.get(k) for k in ("DISRUPT_DATA_DIR", "DISRUPT_STORE", "DISRUPT_APP_DB")}
    os.environ.update(
        {"DISRUPT_DATA_DIR": str(data), "DISRUPT_STORE": store_url, "DISRUPT_APP_DB": str(data / "app.db")}
    )
    import streamlit as st

    st.cache_resource.clear()
    yield AppWorld(data, store_url, dict(os.environ), (VICTIM_MARKER, INTEL_MARKER), victims)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    st.cache_resource.clear()


def signed_in_state(role: Role, purpose: str = "TEST-OP-1 automated check") -> dict[str, object]:
    """Session state of a user of ``role`` who has signed in and given a purpose."""
    return {
        "disrupt_user": User(f"test-{role}", role, "2026-01-01T00:00:00+00:00"),
        "disrupt_purpose": purpose,
        "disrupt_last_seen": time.monotonic(),
    }


@pytest.fixture(scope="module")
def server(app_world: AppWorld) -> Iterator[str]:
    """The app served on loopback for one test module, reading the demo world."""
    env = {
        **os.environ,
        **app_world.env,
        "DISRUPT_BOUNDARIES": str(app_world.data_dir / "boundaries" / "wards.geojson"),
    }
    with serving(env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    assert Path(CHROMIUM).is_file(), (
        f"no chromium at {CHROMIUM}: `.ci/run` installs it with apt-get install -y chromium"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
