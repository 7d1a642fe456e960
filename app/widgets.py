"""Streamlit renderings shared by pages: the network canvas, the map frame, tables and downloads."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from app import exports
from app.network_view import COMPONENT_DIR

_network = components.declare_component("disrupt_network", path=str(COMPONENT_DIR))


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$"})


def plain(value: object) -> str:
    r"""Text from the data, made inert for Streamlit's markdown (no links, emphasis or formulas).

    >>> plain("[x](http://y) *z*")
    '\\[x\\]\\(http://y\\) \\*z\\*'
    """
    return str(value).translate(_MARKDOWN)


def network_canvas(data: Mapping[str, Any], *, digest: str, status: str, height: int = 600) -> str | None:
    """Draw a network; returns the id of the node last clicked, if any."""
    value = _network(
        nodes=data["nodes"],
        edges=data["edges"],
        options=data["options"],
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


def table(rows: Sequence[Mapping[str, Any]], *, columns: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """Rows as a read-only table (values shown as text, never as HTML)."""
    frame = pd.DataFrame(list(rows))
    if columns is not None and not frame.empty:
        frame = frame[[c for c in columns if c in frame.columns]]
    return st.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def downloads(rows: Sequence[Mapping[str, Any]], *, name: str, on_export: Callable[[], None]) -> None:
    """CSV and Excel downloads of a table, formula cells neutralised; the click is audited."""
    left, right = st.columns(2)
    left.download_button(
        f"{name}.csv",
        exports.to_csv(rows),
        file_name=f"{name}.csv",
        mime="text/csv",
        on_click=on_export,
        key=f"csv-{name}",
    )
    right.download_button(
        f"{name}.xlsx",
        exports.to_xlsx(rows, sheet=name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click=on_export,
        key=f"xlsx-{name}",
    )
