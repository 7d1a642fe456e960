"""Entry points of Disrupt: the ``disrupt`` command and its settings."""

from __future__ import annotations

__version__ = "0.1.0"
