"""Reading someone else's Neo4j database as a graph to import (``disrupt import-neo4j``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

import neo4j
from neo4j.exceptions import DriverError, Neo4jError

from graph.errors import StoreConfigError, StoreError
from graph.neo4j_config import Neo4jConfig, neo4j_password, parse_neo4j_url


class Neo4jSource:
    """A Neo4j database read as a graph to import (``disrupt import-neo4j``): every node with its
    labels and properties, every relationship with its type, ends and properties, in pages by
    element id. It only reads: unlike :class:`Neo4jBackend` it creates no index and no node, so it may
    point at anyone's database. Values come back as plain Python (temporal values as ISO text)."""

    def __init__(self, url: str, *, password: str | None = None, page: int = 5_000) -> None:
        self.config: Neo4jConfig = parse_neo4j_url(url)
        self.page = page
        options: dict[str, Any] = {"user_agent": "disrupt-import"}
        if self.config.ca_file is not None:
            options.update(encrypted=True, trusted_certificates=neo4j.TrustCustomCAs(str(self.config.ca_file)))
        try:
            self._driver = neo4j.GraphDatabase.driver(
                self.config.uri, auth=(self.config.user, neo4j_password(password)), **options
            )
            self._driver.verify_connectivity()
        except (DriverError, Neo4jError, OSError) as exc:
            raise StoreConfigError(f"cannot read the Neo4j database at {self.config.uri}: {exc}") from exc

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        try:
            with self._driver.session(database=self.config.database, default_access_mode=neo4j.READ_ACCESS) as s:
                return s.execute_read(lambda tx: tx.run(query, **params).data())
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"read failed: {getattr(exc, 'message', None) or exc}") from exc

    def keys_by_label(self) -> dict[str, set[str]]:
        """For each label, the property keys its nodes have."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self._read("MATCH (n) UNWIND labels(n) AS l UNWIND keys(n) AS k RETURN DISTINCT l, k"):
            found[row["l"]].add(row["k"])
        return dict(found)

    def nodes(self) -> Iterator[tuple[str, list[str], dict[str, Any]]]:
        """(element id, labels, properties) of every node, in element id order."""
        query = (
            "MATCH (n) WITH n, elementId(n) AS id WHERE id > $after "
            "RETURN id, labels(n) AS labels, properties(n) AS props ORDER BY id LIMIT $n"
        )
        for row in self._pages(query):
            yield row["id"], list(row["labels"]), _plain(row["props"])

    def relationships(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(type, start element id, end element id, properties) of every relationship."""
        query = (
            "MATCH (a)-[r]->(b) WITH a, r, b, elementId(r) AS id WHERE id > $after "
            "RETURN id, type(r) AS type, elementId(a) AS start, elementId(b) AS end, properties(r) AS props "
            "ORDER BY id LIMIT $n"
        )
        for row in self._pages(query):
            yield row["type"], row["start"], row["end"], _plain(row["props"])

    def _pages(self, query: str) -> Iterator[dict[str, Any]]:
        after = ""
        while True:
            rows = self._read(query, after=after, n=self.page)
            yield from rows
            if len(rows) < self.page:
                return
            after = rows[-1]["id"]


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """Driver values as JSON-like Python: temporal values as ISO text, points and bytes as text."""

    def one(value: Any) -> Any:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, (list, tuple)):
            return [one(v) for v in value]
        iso = getattr(value, "iso_format", None)
        return iso() if callable(iso) else str(value)

    return {str(k): one(v) for k, v in props.items()}
