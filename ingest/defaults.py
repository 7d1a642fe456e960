"""Ingest's tunable defaults, in a module that imports nothing, so the CLI can show them in its
help without loading the readers."""

# Source rows per batch: each batch is mapped, checked and upserted as one.
DEFAULT_CHUNK = 10_000

# Source rows between commits of the store (and checkpoints of the ledger) within a file: a
# crash replays at most this many rows; fewer, larger commits write each index page fewer times.
DEFAULT_COMMIT_ROWS = 100_000
