"""Mapping specs shipped with Disrupt: one YAML file per source kind (data, not code)."""
