"""Fixtures shared by every test package.

The ``store`` fixture gives a new, empty store of each implementation: the embedded SQLite store,
and the Neo4j store over Bolt against a real server (the ArcadeDB server from ``arcadedb-embedded``,
started once per session). Set ``DISRUPT_TEST_NEO4J_URL`` (and ``DISRUPT_NEO4J_PASSWORD``) to run the
same tests against a Neo4j 5 server as well; every test wipes that database, so give it a scratch one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import GraphStore, open_store
from graph.neo4j_config import PASSWORD_ENV

sys.path.append(str(Path(__file__).parent / "support"))  # bolt_server (a folder with nothing that shadows a package)
from bolt_server import BoltServer, start_bolt_server, wipe

NEO4J_URL_ENV = "DISRUPT_TEST_NEO4J_URL"
STORES = ["sqlite", "bolt"] + (["neo4j"] if os.environ.get(NEO4J_URL_ENV) else [])


@pytest.fixture(scope="session")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltServer]:
    """One ArcadeDB Bolt server for the session; its password is DISRUPT_NEO4J_PASSWORD meanwhile."""
    server = start_bolt_server(tmp_path_factory.mktemp("bolt-server"))
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get(NEO4J_URL_ENV):
            patch.setenv(PASSWORD_ENV, server.password)
        try:
            yield server
        finally:
            server.stop()


def bolt_store_url(request: pytest.FixtureRequest, which: str) -> tuple[str, str]:
    """The URL and password of an emptied Bolt database: the session's ArcadeDB server, or Neo4j."""
    if which == "neo4j":
        return os.environ[NEO4J_URL_ENV], os.environ[PASSWORD_ENV]
    server: BoltServer = request.getfixturevalue("bolt_server")
    return server.url, server.password


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """A new, empty store of each implementation."""
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    else:
        url, password = bolt_store_url(request, request.param)
        wipe(url, password)
        opened = open_store(url, password=password)
    try:
        yield opened
    finally:
        opened.close()
