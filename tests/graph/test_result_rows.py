"""The saved tables' row types: one per table, read from and written to the stored mapping by the
stored column names, so a store saved before the types existed still opens."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from graph.result_rows import (
    ROW_TYPES,
    FlagReason,
    FlagRow,
    GroupMember,
    GroupRow,
    HotspotCellRow,
    Labelled,
    ResultRow,
    SummaryRow,
    decode_rows,
    field_names,
    plain_row,
    stored_rows,
)


def test_every_table_has_one_row_type_named_for_it() -> None:
    assert len(set(ROW_TYPES.values())) == len(ROW_TYPES) == 17
    for name, row_type in ROW_TYPES.items():
        assert name == row_type.TABLE
        assert {"entity_id", "label"} <= set(field_names(row_type)), name


def test_a_stored_flag_reads_back_with_typed_reasons_and_writes_the_same_mapping() -> None:
    stored = {
        "entity_id": "licence-1",
        "label": "Driver licence DL-1",
        "subject_kind": "Licence",
        "subject_type": "driver",
        "authority": "Velmouth",
        "status": None,
        "level": "high",
        "reasons": [{"level": "high", "reason": "seen", "sources": ["police:IR-1"], "grading": ["B2"]}],
    }
    (row,) = decode_rows(FlagRow, [stored])
    assert row.reasons == [FlagReason("high", "seen", ["police:IR-1"], ["B2"])]
    assert row.to_mapping() == stored


def test_a_column_an_older_analysis_did_not_save_reads_as_blank_and_an_unknown_one_is_ignored() -> None:
    row = GroupRow.from_mapping({"group_id": "G001", "members": [{"entity_id": "p1", "label": "P"}], "old": 1})
    assert row.members == [GroupMember("p1", "P", "", [], "", "")]
    assert (row.size, row.first_activity, row.key_player_set, row.sources) == (0, None, [], {})
    assert not hasattr(row, "old")
    assert SummaryRow.from_mapping({}).people_ranked is None  # an older summary had no ranking: not "0 ranked"


def test_rows_are_frozen() -> None:
    row = Labelled("p1", "P")
    with pytest.raises(AttributeError):
        row.label = "Q"  # type: ignore[misc]


def test_a_row_made_with_numpy_values_is_stored_as_plain_json() -> None:
    # pandas hands the analytics numpy scalars: the stored row holds Python numbers, NaN as None
    made = dataclasses.replace(
        HotspotCellRow.from_mapping({"entity_id": "c"}),
        count=np.int64(3),
        z=np.float64("nan"),
        p=np.float64(0.01),
        hotspot=np.bool_(True),
    )
    stored = stored_rows([plain_row(made)])[0]
    assert type(stored["count"]) is int and stored["z"] is None and type(stored["hotspot"]) is bool
    assert json.loads(json.dumps(stored)) == stored and not math.isnan(stored["p"])


def test_a_row_type_is_a_result_row() -> None:
    assert all(issubclass(t, ResultRow) for t in ROW_TYPES.values())
