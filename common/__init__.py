"""What the app, the command line and ingest share, and nothing else of Disrupt's.

``settings`` (the one configuration object), ``app_db`` (the app database's connection and its one
write lock), ``audit`` (the append-only, hash-chained audit log in that database, with ``audit_chain``,
``audit_text`` and ``audit_sign_in`` for its parts), ``roles`` (the closed set of roles records hold),
``ledger_view`` (reading the ingest ledger's runs and rejected rows) and ``cells`` (the spreadsheet-safe
cell rule). A leaf: it imports no other Disrupt package (an import-linter contract in pyproject.toml).
"""
