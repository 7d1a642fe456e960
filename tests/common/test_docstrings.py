"""The examples in the shared leaf's and geodata's docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "common.roles",
        "common.cells",
        "common.audit_chain",
        "common.audit_text",
        "common.audit_sign_in",
        "geodata.gazetteer",
        "geodata.boundaries",
    ],
)
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted and not result.failed
