"""The gateway is the only door to data: pages never reach through it to the store, and its parts
stay small enough to read (issue 23)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"


def store_reaches(source: str) -> list[str]:
    """Where a page's code reads an attribute named ``store`` or ``_store`` of anything (``gw.store.schema``).

    >>> store_reaches("kinds = sorted(gw.store.schema.entities)")
    ['line 1: gw.store']
    >>> store_reaches("kinds = gw.entity_kinds()")
    []
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("store", "_store"):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("page", sorted(p.name for p in (APP / "views").glob("*.py")))
def test_no_page_reaches_through_the_gateway_to_the_store(page: str) -> None:
    assert store_reaches((APP / "views" / page).read_text()) == []


def test_the_gateway_keeps_its_store_private() -> None:
    from app.gateway import Gateway

    assert not hasattr(Gateway, "store")
    assert "self.store" not in "".join(p.read_text() for p in (APP / "gateway").glob("*.py"))


@pytest.mark.parametrize("part", sorted(p.name for p in (APP / "gateway").glob("*.py")))
def test_each_part_of_the_gateway_is_under_400_lines(part: str) -> None:
    assert len((APP / "gateway" / part).read_text().splitlines()) < 400


def test_the_door_finder_finds_what_it_should() -> None:
    import doctest

    import tests.app.test_gateway_door as me

    assert doctest.testmod(me).failed == 0
