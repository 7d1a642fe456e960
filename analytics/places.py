"""Where things are: the places of a business, the coordinates and ward of events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph import fold_text


def _postcode(value: object) -> str:
    return "".join(str(value).upper().split()) if value else ""


def business_places(G: nx.MultiDiGraph) -> dict[Any, set[Any]]:
    """The locations of each business: those it operates at, and any location at its postcode
    whose address names it (a missing child "found at The Golden Hotel, Mellby Street").

    Agencies record the same premises as different addresses; matching on postcode and name
    joins them without joining every business that shares a postcode.
    """
    at_postcode: dict[str, list[Any]] = defaultdict(list)
    for node, data in G.nodes(data=True):
        if data.get("kind") == "Location" and data.get("postcode"):
            at_postcode[_postcode(data["postcode"])].append(node)
    places: dict[Any, set[Any]] = defaultdict(set)
    for node, data in G.nodes(data=True):
        if data.get("kind") != "Business":
            continue
        places[node].update(v for _, v, d in G.out_edges(node, data=True) if d.get("kind") == "OPERATES_AT")
        name = fold_text(str(data.get("name") or ""))
        if not name:
            continue
        for location in at_postcode.get(_postcode(data.get("postcode")), ()):
            if name in fold_text(str(G.nodes[location].get("address") or "")):
                places[node].add(location)
    return dict(places)


def events_at(G: nx.MultiDiGraph, places: Iterable[Any]) -> list[tuple[Any, str]]:
    """Events that occurred at any of the places, with the role of the place (found, occurred ...)."""
    found = []
    for place in places:
        for event, _, data in G.in_edges(place, data=True):
            if data.get("kind") == "OCCURRED_AT":
                found.append((event, str(data.get("role") or "occurred")))
    return found


def coordinates(G: nx.MultiDiGraph, node: Any) -> tuple[float, float] | None:
    """Latitude and longitude of a place or event: its own, else the first located place it occurred at."""
    data = G.nodes[node]
    lat, lon = data.get("latitude"), data.get("longitude")
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    for _, place, link in G.out_edges(node, data=True):
        if link.get("kind") == "OCCURRED_AT":
            pdata = G.nodes[place]
            lat, lon = pdata.get("latitude"), pdata.get("longitude")
            if isinstance(lat, int | float) and isinstance(lon, int | float):
                return float(lat), float(lon)
    return None


def ward_of(G: nx.MultiDiGraph, node: Any) -> str | None:
    """The ward of a place or event (through the place it occurred at)."""
    ward = G.nodes[node].get("ward")
    if ward:
        return str(ward)
    for _, place, link in G.out_edges(node, data=True):
        if link.get("kind") == "OCCURRED_AT" and G.nodes[place].get("ward"):
            return str(G.nodes[place]["ward"])
    return None
