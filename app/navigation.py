"""Moving around the app: pages by name, page state in the URL, and tables whose rows open what they show.

Every page of the app has a short URL path (``/profile``, ``/network`` ...). What a page shows (the
entity, the group, the two ends of a path) lives in its query parameters, so a refresh or a pasted
link comes back to the same view. The link carries ids only, never a credential: whoever opens it
still signs in, gives a purpose and holds a role that may see the page (the gateway checks, as on
every run). Every address exists in every state (signed out, no purpose yet, a role that may not
see it), hidden from the menu, so the address and its state survive signing in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from app.policy import Capability, Role, may

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page: its script, URL path, title, section of the menu and the capability it needs."""

    name: str
    path: str
    title: str
    section: str
    capability: Capability

    def page(self, *, default: bool = False) -> st.Page:
        return st.Page(str(HERE / self.path), title=self.title, url_path=self.name, default=default)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("search", "views/search.py", "Search", "Analysis", "search_entities"),
    PageSpec("profile", "views/profile.py", "Profile and timeline", "Analysis", "view_profile"),
    PageSpec("child", "views/child.py", "Child (contextual safeguarding)", "Analysis", "view_profile"),
    PageSpec("network", "views/network.py", "Network", "Analysis", "view_network"),
    PageSpec("paths", "views/paths.py", "Connecting paths", "Analysis", "view_network"),
    PageSpec("groups", "views/groups.py", "Groups", "Analysis", "view_groups"),
    PageSpec("key-players", "views/key_players.py", "Key players", "Analysis", "view_groups"),
    PageSpec("licensing", "views/licensing.py", "Licensing check", "Licensing", "check_licensing"),
    PageSpec("hotspot-map", "views/hotspot_map.py", "Hotspot map", "Strategy", "view_hotspots"),
    PageSpec("dashboard", "views/dashboard.py", "Management information", "Strategy", "view_dashboard"),
    PageSpec("audit-log", "views/audit_log.py", "Audit log", "Administration", "view_audit"),
    PageSpec("users", "views/users.py", "Users", "Administration", "manage_users"),
    PageSpec("ingest-runs", "views/ingest_runs.py", "Ingest runs and rejected rows", "Administration", "view_ingest"),
    PageSpec("erasures", "views/erasures.py", "Erasures", "Administration", "view_erasures"),
)
_BY_NAME = {spec.name: spec for spec in PAGES}


def pages_for(role: Role, *, refused: Callable[[PageSpec], Callable[[], None]]) -> dict[str, list[st.Page]]:
    """The pages ``role`` may open, by menu section in menu order, the first one the default.

    A page the role may not open keeps its address, hidden from the menu, and runs ``refused(spec)``
    instead: a pasted link to it says so rather than failing with "page not found".
    """
    allowed = [spec for spec in PAGES if may(role, spec.capability)]
    sections: dict[str, list[st.Page]] = {}
    for spec in allowed:
        sections.setdefault(spec.section, []).append(spec.page(default=spec is allowed[0]))
    hidden = [placeholder(spec, refused(spec)) for spec in PAGES if spec not in allowed]
    if hidden:
        sections.setdefault("", []).extend(hidden)
    return sections


def placeholder(spec: PageSpec, run: Callable[[], None]) -> st.Page:
    """A hidden page at ``spec``'s address that runs ``run`` (sign-in, purpose or a refusal) instead.

    While the user signs in and gives a purpose the address they opened stays in the browser, with
    its state, so the page itself runs as soon as they may see it.
    """
    return st.Page(run, title=spec.title, url_path=spec.name, visibility="hidden")


# -- page state in the address, and moving between pages with it


def param(name: str) -> str | None:
    """A page's state from the address (``?entity=...``), or None when the address has none."""
    value = st.query_params.get(name)
    return value.strip() or None if isinstance(value, str) else None


def keep(**params: str | None) -> None:
    """Write page state into the address: a value sets a parameter, None removes it."""
    for name, value in params.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def go(page: str, **params: str | None) -> None:
    """Open another page of the app by name, with its state in the address."""
    spec = _BY_NAME[page]
    st.switch_page(spec.page(), query_params={k: v for k, v in params.items() if v is not None})


def link(page: str, label: str, **params: str) -> None:
    """A link to another page of the app with its state in the address (opened in place, so the
    page it leaves is not read, nor audited, a second time)."""
    st.page_link(_BY_NAME[page].page(), label=label, query_params=params)


def open_entity(entity_id: str, *, page: str = "profile") -> None:
    """Open an entity on a page that shows one (its profile, unless ``page`` says otherwise)."""
    go(page, entity=entity_id)


def entity_table(
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str,
    columns: Sequence[str] | None = None,
    page: str = "profile",
    id_column: str = "entity_id",
) -> None:
    """A table whose rows open the entity they show when selected (the box at the left of a row)."""
    from app import widgets  # widgets draws; navigation is imported by the entry point before any page

    event = widgets.table(rows, columns=columns, on_select="rerun", selection_mode="single-row", key=key)
    picked = event.selection.rows if event is not None else []
    if picked and rows[picked[0]].get(id_column):
        open_entity(str(rows[picked[0]][id_column]), page=page)
