"""Choosing an entity by what a person knows of it: type a name (or a reference, VRM, phone,
address), then choose one of the hits, each told apart by kind, date of birth and address.

Used wherever a page needs an entity (the centre of the network, the two ends of a path), so no
one has to copy an id. The hits of a search are kept for the session, so a rerun of the page does
not search (and audit) the same text again.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from app.gateway import Gateway
from app.labels import code_words, date_text

_HITS = "disrupt_picker_hits"
_NAMES = "disrupt_picker_names"


def describe_hit(hit: Mapping[str, Any]) -> str:
    """A hit as one line that tells it apart from others of the same name.

    >>> hit = {"label": "Ann Lee", "kind": "Person", "born": "2001-02-03", "age": "18-24", "address": "1 High St"}
    >>> describe_hit(hit)
    'Ann Lee (person, born 3 Feb 2001, 18-24, 1 High St)'
    """
    kind = code_words(str(hit.get("kind", ""))).lower()
    born = f"born {date_text(str(hit['born']))}" if hit.get("born") else ""
    extra = [kind, born, str(hit.get("age") or ""), str(hit.get("address") or ""), str(hit.get("found by") or "")]
    return f"{hit.get('label', '')} ({', '.join(x for x in extra if x)})"


def name_of(entity_id: str) -> str | None:
    """The line a picker showed for an entity chosen in this session, if one was."""
    names: dict[str, str] = st.session_state.get(_NAMES, {})
    return names.get(entity_id)


def _hits(gw: Gateway, text: str, key: str) -> list[dict[str, Any]]:
    kept: dict[str, tuple[str, list[dict[str, Any]]]] = st.session_state.setdefault(_HITS, {})
    if key not in kept or kept[key][0] != text:
        kept[key] = (text, gw.search(text, limit=15))
    return kept[key][1]


def _picked(choice_key: str, lines: Mapping[str, str], on_pick: Callable[[str], None]) -> None:
    chosen = st.session_state.get(choice_key)
    if chosen:
        st.session_state.setdefault(_NAMES, {})[chosen] = lines[chosen]
        on_pick(chosen)


def entity_picker(gw: Gateway, label: str, *, key: str, on_pick: Callable[[str], None]) -> None:
    """A search box and a choice of its hits; ``on_pick(entity_id)`` runs when the user chooses one."""
    text = st.text_input(label, key=f"{key}-text", placeholder="a name, reference, VRM, phone number or address")
    if not text.strip():
        return
    hits = _hits(gw, text.strip(), key)
    if not hits:
        st.info("Nothing matches. Try part of a name, a reference, a VRM or a postcode.")
        return
    lines = {str(h["entity_id"]): describe_hit(h) for h in hits}
    alike = Counter(lines.values())
    for h in hits:  # hits that read the same (one name, no date of birth) are told apart by their reference
        line = lines[str(h["entity_id"])]
        if alike[line] > 1 and h.get("reference"):
            lines[str(h["entity_id"])] = f"{line[:-1]}, ref {h['reference']})" if line.endswith(")") else line
    # A new search gives a new choice box, so an earlier choice is not taken again for it.
    choice_key = f"{key}-choice-{hashlib.sha256(text.strip().encode()).hexdigest()[:10]}"
    st.selectbox(
        f"Choose one of the {len(hits)} found" if len(hits) > 1 else "Choose the one found",
        list(lines),
        index=None,
        format_func=lambda entity_id: lines.get(entity_id, entity_id),
        placeholder="Choose who or what you mean",
        key=choice_key,
        on_change=_picked,
        args=(choice_key, lines, on_pick),
    )
