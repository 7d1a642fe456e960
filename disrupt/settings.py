"""Moved to :mod:`common.settings` (issue 23); this re-export is removed once every importer follows."""

from common.settings import Settings, configure_logging, load_settings

__all__ = ["Settings", "configure_logging", "load_settings"]
