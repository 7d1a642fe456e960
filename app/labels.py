"""What people read in tables and exports: column titles in words and values as a person writes them.

One mapping of column names to titles and one value formatter, used by every table
(:func:`app.widgets.table`) and every CSV or Excel export (:mod:`app.exports`), so a page that shows
``rank_in_group`` or ``2024-07-14T07:19:00`` gets "Rank in group" and "14 Jul 2024, 07:19" without
doing anything itself. Nothing here escapes: tables show values as text, exports neutralise formulas.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.policy import SOURCE_AGENCIES

# Titles that the plain rule (underscores to spaces, first letter capital) would get wrong or leave vague.
TITLES: Mapping[str, str] = {
    "entity_id": "Record",
    "vrm": "VRM",
    "ref": "Source reference",
    "label": "Name",
    "at": "When",
    "user": "User",
    "record_ids": "Records viewed",
    "record_names": "Names of records viewed",
    "records": "Records",
    "via": "Linked by",
    "via_sources": "Sources of the link",
    "group_id": "Group",
    "run_id": "Ingest run",
    "erasure_id": "Erasure",
    "erased_at": "Erased on",
    "lifted_at": "Lifted on",
    "loaded_at": "Loaded on",
    "started_at": "Started",
    "first_activity": "First activity",
    "last_activity": "Last activity",
    "in_key_player_set": "In the key player set",
    "rank_in_group": "Rank in group",
    # key players: the measures in words (a group's table, its downloads and briefing)
    "network_rank": "Rank in the whole network",
    "degree": "People tied to directly",
    "degree_in_group": "Tied to in the group",
    "betweenness_in_group": "Go-between in the group",
    "brokerage": "Other groups tied into",
    "exploitation_suspect": "Exploitation suspect",
    "area": "Area",
    "ward": "Ward",
    "ward_code": "Ward code",
    "count": "Count",
    "category": "Category",
    "month": "Month",
    "period": "Quarter",
    "oidc": "Signs in through the organisation",
}

# Columns whose one-word values are codes of the model (kinds, roles, reasons) rather than free text.
CODE_COLUMNS = frozenset({"kind", "via", "type", "role", "roles", "reason", "lift_reason", "outcome", "level"})

_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_CAMEL = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")
_SNAKE = re.compile(r"^[A-Za-z]+(?:_[A-Za-z]+)+$")
_QUARTER_MONTHS = ("Jan to Mar", "Apr to Jun", "Jul to Sep", "Oct to Dec")


def column_title(name: str) -> str:
    """A column's title in words.

    >>> column_title("rank_in_group"), column_title("entity_id"), column_title("rows_loaded")
    ('Rank in group', 'Record', 'Rows loaded')
    """
    if name in TITLES:
        return TITLES[name]
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def code_words(code: str) -> str:
    """A code of the model in words: ``MissingEpisode``, ``PARTY_TO`` and ``exploitation_suspect``.

    >>> code_words("MissingEpisode"), code_words("PARTY_TO"), code_words("exploitation_suspect"), code_words("Person")
    ('Missing episode', 'Party to', 'Exploitation suspect', 'Person')
    """
    if _CAMEL.match(code):
        words = re.findall(r"[A-Z][a-z]+", code)
        return " ".join([words[0], *(w.lower() for w in words[1:])])
    if _SNAKE.match(code):
        text = code.replace("_", " ").lower()
        return text[:1].upper() + text[1:]
    return code


def month_text(month: str) -> str:
    """``2024-07`` as ``Jul 2024`` (anything else unchanged).

    >>> month_text("2024-07"), month_text("2025-Q3")
    ('Jul 2024', '2025-Q3')
    """
    m = _MONTH.match(month)
    return dt.date(int(m[1]), int(m[2]), 1).strftime("%b %Y") if m else month


def quarter_text(quarter: str) -> str:
    """``2025-Q3`` as ``Jul to Sep 2025 (Q3)`` (anything else unchanged).

    >>> quarter_text("2025-Q3")
    'Jul to Sep 2025 (Q3)'
    """
    m = _QUARTER.match(quarter)
    return f"{_QUARTER_MONTHS[int(m[2]) - 1]} {m[1]} (Q{m[2]})" if m else quarter


def as_of_text(as_of: str | None) -> str:
    """When an analysis reckons from, as words after "Analysis": the date of its latest event, or that none is dated.

    >>> as_of_text("2026-06-29"), as_of_text(None)
    ('as of 29 Jun 2026', 'with no date to reckon from (no incident, episode or sighting is dated)')
    """
    return (
        f"as of {date_text(as_of)}"
        if as_of
        else "with no date to reckon from (no incident, episode or sighting is dated)"
    )


def date_text(value: str) -> str:
    """An ISO date or date and time as a person writes it (anything else unchanged).

    Seconds are kept when the source has them (an audit entry's time), dropped when they are ``:00``.

    >>> date_text("2024-07-14T07:19:00"), date_text("2024-07-04"), date_text("2026-12-01T20:40:57.123+00:00")
    ('14 Jul 2024, 07:19', '4 Jul 2024', '1 Dec 2026, 20:40:57 UTC')
    """
    m = _ISO_TIME.match(value)
    if m:
        day = dt.date.fromisoformat(m[1])
        zone = " UTC" if m[5] in ("Z", "+00:00", "+0000") else (f" {m[5]}" if m[5] else "")
        seconds = m[3][:3] if m[3] and m[3][:3] != ":00" else ""
        return f"{day.day} {day:%b %Y}, {m[2]}{seconds}{zone}"
    if _ISO_DATE.match(value):
        day = dt.date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    return value


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def cell_value(column: str, value: Any, *, sortable: bool = False) -> Any:
    """A value as a table shows it: no None, dates as dates, codes in words, lists joined; numbers kept.

    With ``sortable`` (for spreadsheets) dates stay ISO, ``2024-07-14 07:19``, and numbers unrounded.

    >>> cell_value("kind", "MissingEpisode"), cell_value("date", "2024-07-14T07:19:00"), cell_value("x", None)
    ('Missing episode', '14 Jul 2024, 07:19', '')
    >>> cell_value("roles", ["exploitation_suspect", "driver"]), cell_value("score", 0.123456)
    ('Exploitation suspect; driver', 0.123)
    >>> cell_value("date", "2024-07-14T07:19:00", sortable=True)
    '2024-07-14 07:19'
    """
    if _missing(value):
        return ""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if sortable else round(value, 3)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return "; ".join(str(cell_value(column, v, sortable=sortable)) for v in items if not _missing(v))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell_value(column, v, sortable=sortable)}" for k, v in value.items())
    text = str(value)
    if column in CODE_COLUMNS:
        text = code_words(text)
    if sortable:
        m = _ISO_TIME.match(text)
        return f"{m[1]} {m[2]}" if m else text
    return quarter_text(month_text(date_text(text)))


def ordered_columns(rows: Sequence[Mapping[str, Any]], shown: Sequence[str] | None = None) -> list[str]:
    """The columns of ``rows``: those in ``shown`` first, in that order, then the rest as they first appear.

    >>> ordered_columns([{"b": 1, "a": 2, "c": 3}], ["c", "b", "z"])
    ['c', 'b', 'a']
    """
    present = list(dict.fromkeys(k for r in rows for k in r))
    first = [c for c in shown or () if c in present]
    return [*first, *(c for c in present if c not in first)]


def source_text(source: str) -> str:
    """A source name as a person reads it: the agency, then what its export holds.

    >>> source_text("care_return_interviews"), source_text("police_missing"), source_text("test")
    ("children's social care: return interviews", 'police: missing', 'test')
    """
    agency, _, rest = source.partition("_")
    if agency not in SOURCE_AGENCIES or not rest:
        return source.replace("_", " ")
    return f"{SOURCE_AGENCIES[agency]}: {rest.replace('_', ' ')}"
