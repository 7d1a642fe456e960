"""How to reach a Neo4j (or other Bolt) server: the store URL, the password and TLS options.

A store URL names the server, the user and the database, never the password:

    neo4j://disrupt@graph.example.internal:7687/disrupt
    bolt+s://analyst@graph.example.internal:7687/neo4j?batch_size=2000
    bolt://disrupt@10.0.0.5:7687/disrupt?ca=/etc/disrupt/graph-ca.pem

Schemes: ``neo4j`` (routing, for a cluster) or ``bolt`` (one server); ``+s`` adds TLS with the
system's certificate authorities, ``+ssc`` accepts a self-signed certificate. ``ca=FILE`` on a plain
``neo4j``/``bolt`` URL turns TLS on and trusts the authorities in that PEM file.

The password comes from ``DISRUPT_NEO4J_PASSWORD``, or from the file named by
``DISRUPT_NEO4J_PASSWORD_FILE`` (a container or systemd secret). It is looked up here, where the
connection opens, so that it never travels inside a URL, a settings dump, a log line or the ledger.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from graph.errors import StoreConfigError

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
PASSWORD_ENV = "DISRUPT_NEO4J_PASSWORD"  # noqa: S105 - the variable's name, not a password
PASSWORD_FILE_ENV = "DISRUPT_NEO4J_PASSWORD_FILE"  # noqa: S105
DEFAULT_BATCH_SIZE = 5_000
_OPTIONS = ("batch_size", "ca")


@dataclass(frozen=True, slots=True)
class Neo4jConfig:
    """A parsed store URL: the driver URI (no user, no database), the user, database and options."""

    uri: str
    user: str
    database: str | None
    batch_size: int = DEFAULT_BATCH_SIZE
    ca_file: Path | None = None


def parse_neo4j_url(url: str) -> Neo4jConfig:
    """Parse ``neo4j://user@host:port/database?batch_size=N&ca=FILE``.

    >>> parse_neo4j_url("bolt://disrupt@127.0.0.1:7687/graph?batch_size=500")
    Neo4jConfig(uri='bolt://127.0.0.1:7687', user='disrupt', database='graph', batch_size=500, ca_file=None)

    Raises:
        StoreConfigError: the URL is malformed, carries a password, or has an unknown option.
    """
    parts = urlsplit(url)
    if parts.scheme not in NEO4J_SCHEMES:
        raise StoreConfigError(f"not a Neo4j store URL: {url!r}; write neo4j://user@host:7687/database")
    if parts.password is not None:
        raise StoreConfigError(
            "do not put the Neo4j password in the store URL (it would show in logs and the ingest ledger); "
            f"set {PASSWORD_ENV} or {PASSWORD_FILE_ENV} instead"
        )
    if not parts.hostname:
        raise StoreConfigError(f"the store URL {url!r} names no host; write neo4j://user@host:7687/database")
    try:
        port = parts.port or 7687
    except ValueError as exc:
        raise StoreConfigError(f"the store URL {url!r} has a bad port: {exc}") from None
    user = unquote(parts.username or "neo4j")
    database = unquote(parts.path.strip("/")) or None
    if database is not None and "/" in database:
        raise StoreConfigError(f"the store URL names one database after the host, not a path: {database!r}")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise StoreConfigError(f"unknown store URL option(s) {', '.join(unknown)}; known: {', '.join(_OPTIONS)}")
    batch_size = DEFAULT_BATCH_SIZE
    if "batch_size" in options:
        text = options["batch_size"][-1]
        if not text.isdigit() or not 1 <= int(text) <= 100_000:
            raise StoreConfigError(f"batch_size must be a whole number from 1 to 100000, not {text!r}")
        batch_size = int(text)
    ca_file = None
    if "ca" in options:
        if "+" in parts.scheme:
            raise StoreConfigError(
                f"ca= names the authorities for a plain {parts.scheme.split('+')[0]}:// URL; "
                f"{parts.scheme}:// already chooses how certificates are checked"
            )
        ca_file = Path(options["ca"][-1])
        if not ca_file.is_file():
            raise StoreConfigError(f"the certificate authority file {ca_file} does not exist")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Neo4jConfig(f"{parts.scheme}://{host}:{port}", user, database, batch_size, ca_file)


def neo4j_password(explicit: str | None = None) -> str:
    """The password to connect with: ``explicit``, else the environment variable, else the secret file.

    Raises:
        StoreConfigError: no password is configured, or the secret file cannot be read.
    """
    if explicit:
        return explicit
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    secret = os.environ.get(PASSWORD_FILE_ENV)
    if secret:
        try:
            text = Path(secret).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise StoreConfigError(f"cannot read the Neo4j password file {secret}: {exc.strerror}") from None
        if text:
            return text
        raise StoreConfigError(f"the Neo4j password file {secret} is empty")
    raise StoreConfigError(f"no Neo4j password: set {PASSWORD_ENV}, or {PASSWORD_FILE_ENV} to a file holding it")
