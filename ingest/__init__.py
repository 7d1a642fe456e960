"""Partner exports into the graph: readers, mappings, validation, resolution, and the synthetic world."""
