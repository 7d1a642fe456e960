"""Cells for spreadsheets: the one rule for every CSV and workbook Disrupt writes (exports,
rejects files), so that no cell from a partner's data runs as a formula when opened."""

from __future__ import annotations

# Spreadsheets read a cell starting with any of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula prefixed with ``'``.

    >>> spreadsheet_safe("=1+2"), spreadsheet_safe(-3), spreadsheet_safe("ok")
    ("'=1+2", -3, 'ok')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


__all__ = ["FORMULA_START", "spreadsheet_safe"]
