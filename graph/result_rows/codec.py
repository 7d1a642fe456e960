"""What every saved row and every part of one shares: conversion to and from the stored mapping."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Self, TypeVar, cast

_Decode = Callable[[Any], Any]


class Record:
    """What every saved row and every part of one shares: conversion to and from the stored mapping."""

    __slots__ = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """A row from its stored mapping (a missing column reads as the field's blank; unknown ones are ignored)."""
        codec = cls.__dict__.get("_codec_built") or _build_codec(cls)
        values = {name: (decode(data[name]) if name in data else blank) for name, decode, blank in codec}
        return cast(Self, cast(Any, cls)(**values))

    def to_mapping(self) -> dict[str, Any]:
        """The row as the store saves it: plain JSON values under the field names."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(cast(Any, self))}


def _build_codec(cls: type[Record]) -> tuple[tuple[str, _Decode, Any], ...]:
    hints = typing.get_type_hints(cls)
    codec = tuple((f.name, _decoder(hints[f.name]), _blank(hints[f.name])) for f in dataclasses.fields(cast(Any, cls)))
    type.__setattr__(cls, "_codec_built", codec)
    return codec


def _decoder(tp: Any) -> _Decode:
    """How a stored JSON value becomes a field's value: nested parts become their type, the rest stays."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        part = tp
        return lambda v: part.from_mapping(v) if isinstance(v, Mapping) else v
    if origin is list:
        inner = _decoder(args[0])
        return lambda v: [inner(x) for x in v] if isinstance(v, list | tuple) else v or []
    if origin is dict:
        inner = _decoder(args[1])
        return lambda v: (
            {str(k): inner(x) for k, x in v.items()} if isinstance(v, Mapping) else ({} if v is None else v)
        )
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        if len(kept) == 1:
            inner = _decoder(kept[0])
            return lambda v: None if v is None else inner(v)
    return lambda v: v


def _blank(tp: Any) -> Any:
    """What a column missing from a stored row reads as."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        return None
    if origin is list:
        return []
    if origin is dict:
        return {}
    return {str: "", int: 0, float: 0.0, bool: False}.get(tp)


def _plain(value: Any) -> Any:
    """A JSON value: nested rows as mappings, numpy scalars as Python numbers, NaN as None, sets sorted."""
    if isinstance(value, Record):
        return value.to_mapping()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, int | float) and hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not isinstance(value, bool):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


class ResultRow(Record):
    """A row of a saved table: every row has an ``entity_id`` and a display ``label``."""

    __slots__ = ()
    TABLE: ClassVar[str]
    entity_id: str
    label: str


R = TypeVar("R", bound=ResultRow)


def field_names(row_type: type[ResultRow]) -> tuple[str, ...]:
    """The columns of a row type, in order."""
    return tuple(f.name for f in dataclasses.fields(cast(Any, row_type)))


def decode_rows(row_type: type[R], rows: Iterable[Mapping[str, Any]]) -> list[R]:
    """Stored mappings as rows of ``row_type``."""
    return [row_type.from_mapping(r) for r in rows]


def stored_rows(rows: Iterable[Record]) -> list[dict[str, Any]]:
    """Rows as the store saves them (plain JSON values under the column names)."""
    return [r.to_mapping() for r in rows]


def plain_row(row: R) -> R:
    """The same row with plain values (numpy scalars made Python numbers, NaN None, sets sorted lists)."""
    return type(row).from_mapping(row.to_mapping())
