"""The one rule that keeps partner text from running as a spreadsheet formula."""

from __future__ import annotations

import pytest

from common.cells import FORMULA_START, spreadsheet_safe


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_a_spreadsheet_would_run_is_prefixed(start: str) -> None:
    assert spreadsheet_safe(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["Ann O'Neil", "a=b", " =1", "", -3, 2.5, None, True])
def test_other_values_are_kept_as_they_are(value: object) -> None:
    assert spreadsheet_safe(value) == value
