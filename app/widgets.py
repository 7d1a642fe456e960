"""Streamlit renderings shared by pages: the network canvas, the map frame, tables and downloads."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from app import exports, labels
from app.network_view import COMPONENT_DIR

_network = components.declare_component("disrupt_network", path=str(COMPONENT_DIR))


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$"})


# Markdown makes links of bare addresses (www., a scheme, an e-mail) whatever is escaped; an invisible
# joiner inside each breaks the pattern and changes nothing a reader sees.
_AUTOLINK = re.compile(r"(?i)\b(www|https?|ftp|mailto)(?=[.:])|@")
_NO_BREAK = "\u2060"  # a word joiner: invisible, and no line break at it either
# Streamlit reads ":smile:", ":material/home:" and ":red[...]" as an emoji, an icon and a colour
# whatever the brackets' escaping; a joiner after the colon breaks each one, and no reader sees it.
_DIRECTIVE = re.compile(r":(?=[\w+-])")


def plain(value: object) -> str:
    r"""Text from the data, made inert for Streamlit's markdown (no links, emphasis or formulas).

    >>> plain("[x](http://y) *z*")
    '\\[x\\]\\(http\u2060://y\\) \\*z\\*'
    >>> "www." in plain("www.example.invalid") or "@" in plain("a@b.invalid").replace("\u2060@", "")
    False
    >>> plain(":smile: :red[x]") == ":\u2060smile: :\u2060red\\[x\\]"
    True
    """
    text = _AUTOLINK.sub(lambda m: _NO_BREAK + "@" if m.group(0) == "@" else m.group(0) + _NO_BREAK, str(value))
    return _DIRECTIVE.sub(":" + _NO_BREAK, text).translate(_MARKDOWN)


def network_canvas(data: Mapping[str, Any], *, digest: str, status: str, height: int = 600) -> str | None:
    """Draw a network; returns the id of the node last clicked, if any."""
    value = _network(
        nodes=data["nodes"],
        edges=data["edges"],
        options=data["options"],
        legend=data.get("legend", []),
        digest=digest,
        status=status,
        height=height,
        key=f"network-{digest}",
        default=None,
    )
    return value.get("selected") if isinstance(value, dict) else None


def map_frame(html: str, *, height: int = 620) -> None:
    """Embed a self-contained map page (its values are escaped where it was built)."""
    st.iframe(html, height=height)


def frame_of(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows as a frame of what a person reads: ``columns`` in that order, values through :func:`labels.cell_value`.

    A numeric column keeps its numbers (so it sorts as numbers) unless a cell is missing or text, when
    the column becomes text with the missing cell blank: a table never shows a grey "None".
    """
    names = [c for c in (columns or labels.ordered_columns(rows)) if any(c in r for r in rows)]
    data: dict[str, list[Any]] = {}
    for name in names:
        values = [labels.cell_value(name, r.get(name)) for r in rows]
        kinds = {type(v) if isinstance(v, bool | str) else float for v in values if v != ""}
        if len(kinds) > 1 or ("" in values and kinds - {str}):
            values = [str(v) for v in values]  # one type per column, blank where nothing is recorded
        data[name] = values
    return pd.DataFrame(data, columns=names)


def _titled(names: Sequence[str], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Column configuration giving every column its title in words, keeping what the page configured."""
    config: dict[str, Any] = {name: labels.column_title(name) for name in names}
    for name, value in (given or {}).items():
        if isinstance(value, dict) and not value.get("label") and name in config:
            value = {**value, "label": config[name]}
        config[name] = value
    return config


# The columns each recent table showed, so that its download (built later in the same run) keeps
# them in the same order. Keyed by the rows object itself; a few entries are enough for one page.
_SHOWN: OrderedDict[int, tuple[Sequence[Mapping[str, Any]], list[str]]] = OrderedDict()
_SHOWN_LOCK = threading.Lock()


def _remember(rows: Sequence[Mapping[str, Any]], columns: list[str]) -> None:
    with _SHOWN_LOCK:
        _SHOWN[id(rows)] = (rows, columns)
        while len(_SHOWN) > 32:
            _SHOWN.popitem(last=False)


def _shown_columns(rows: Sequence[Mapping[str, Any]]) -> list[str] | None:
    with _SHOWN_LOCK:
        found = _SHOWN.get(id(rows))
    return found[1] if found is not None and found[0] is rows else None


def table(rows: Sequence[Mapping[str, Any]], *, columns: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """Rows as a read-only table with titles in words and values as a person reads them (text, never HTML).

    Row order is kept, so a selection's row number indexes ``rows``.
    """
    frame = frame_of(rows, columns)
    _remember(rows, list(frame.columns))
    config = _titled(list(frame.columns), kwargs.pop("column_config", None))
    return st.dataframe(frame, hide_index=True, width="stretch", column_config=config, **kwargs)


def downloads(
    rows: Sequence[Mapping[str, Any]],
    *,
    name: str,
    on_export: Callable[[], None],
    columns: Sequence[str] | None = None,
) -> None:
    """CSV and Excel downloads of a table, formula cells neutralised; each download is audited first.

    Columns come in the order the table above showed them (or ``columns``), then any others. The
    file is made only when the button is pressed, after ``on_export`` has written the audit entry,
    so no bytes sit at a media URL unaudited.
    """
    order = labels.ordered_columns(rows, columns or _shown_columns(rows))

    def audited(make: Callable[[], bytes]) -> Callable[[], bytes]:
        def data() -> bytes:
            on_export()
            return make()

        return data

    left, right = st.columns(2)
    left.download_button(
        f"{name}.csv",
        audited(lambda: exports.to_csv(rows, columns=order)),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"csv-{name}",
    )
    right.download_button(
        f"{name}.xlsx",
        audited(lambda: exports.to_xlsx(rows, sheet=name, columns=order)),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=f"xlsx-{name}",
    )
