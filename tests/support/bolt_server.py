"""A real Bolt server for tests and benchmarks: the ArcadeDB server shipped in the PyPI package
``arcadedb-embedded``, started as a separate process with its bundled Java runtime.

It speaks Bolt and Neo4j-compatible Cypher and accepts the official driver. Known differences from
Neo4j 5: element ids are opaque strings of another form, there is no APOC (Disrupt uses none), there
is no full-text (Lucene) index, and ``allShortestPaths`` applies node predicates after its search.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

STARTED = "ArcadeDB Server started"
DATABASE = "graph"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BoltServer:
    """A running server: its Bolt URL (user root, database ``graph``) and password."""

    process: subprocess.Popen[bytes]
    root: Path
    bolt_port: int
    password: str

    @property
    def url(self) -> str:
        return f"bolt://root@127.0.0.1:{self.bolt_port}/{DATABASE}"

    def log(self) -> str:
        return (self.root / "server.out").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_bolt_server(root: Path | None = None, *, timeout: float = 120.0) -> BoltServer:
    """Start the ArcadeDB server on free local ports and wait for it to say it has started.

    Raises:
        RuntimeError: the package is missing, or the server did not start within ``timeout`` seconds
            (the message carries the end of its log).
    """
    import arcadedb_embedded

    package = Path(arcadedb_embedded.__file__).parent
    java = package / "jre" / "bin" / "java"
    if not java.is_file():
        raise RuntimeError(f"arcadedb-embedded has no bundled Java runtime at {java}")
    root = root or Path(tempfile.mkdtemp(prefix="disrupt-bolt-"))
    password = secrets.token_urlsafe(16)
    http_port, bolt_port = _free_port(), _free_port()
    command = [
        str(java),
        f"-Darcadedb.server.rootPath={root}",
        f"-Darcadedb.server.rootPassword={password}",
        "-Darcadedb.server.httpIncomingHost=127.0.0.1",
        f"-Darcadedb.server.httpIncomingPort={http_port}",
        "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "-Darcadedb.bolt.host=127.0.0.1",
        f"-Darcadedb.bolt.port={bolt_port}",
        f"-Darcadedb.server.defaultDatabases={DATABASE}[root]",
        "-cp",
        f"{package / 'jars'}/*",
        "com.arcadedb.server.ArcadeDBServer",
    ]
    root.mkdir(parents=True, exist_ok=True)
    out = (root / "server.out").open("wb")  # not root/log: the server keeps its own log folder there
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=root, env={**os.environ})
    out.close()
    server = BoltServer(process, root, bolt_port, password)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if STARTED in server.log():
            return server
        if process.poll() is not None:
            break
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the ArcadeDB Bolt server did not start; its log ends:\n{server.log()[-3000:]}")


def wipe(url: str, password: str) -> None:
    """Delete every node and relationship of the database a store URL names (constraints stay)."""
    import neo4j

    from graph.neo4j_config import parse_neo4j_url

    config = parse_neo4j_url(url)
    with neo4j.GraphDatabase.driver(config.uri, auth=(config.user, password)) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=config.database)
