"""Moved to :mod:`common.cells` (issue 23); this re-export is removed once every importer follows."""

from common.cells import FORMULA_START, spreadsheet_safe

__all__ = ["FORMULA_START", "spreadsheet_safe"]
